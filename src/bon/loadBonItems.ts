/**
 * Loads Best-of-N items from a BoN JSONL file or one of the datasets in shared/data, detected from
 * the folder's files unless named: XSTest (`xstest_prompts.csv` / `model_completions/`), LLMFAO
 * (`crowd-comparisons.csv`), MT-Bench (`question.jsonl`). `candidatesPerPrompt` keeps a seeded
 * subset of each item's candidates (LLMFAO has ~55 per prompt; a round robin over them is 1,500
 * games), keeping human scores, so the human ranking is re-read within the subset.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError, NotFoundError } from "../errors.js";
import { seededPermutation } from "../rank/seededPermutation.js";
import { readJsonlItems } from "./readJsonlItems.js";
import { readLlmfaoItems } from "./readLlmfaoItems.js";
import { readMtBenchItems } from "./readMtBenchItems.js";
import { readXstestItems } from "./readXstestItems.js";
import type { BonFormat, BonItem } from "./types.js";

export interface LoadBonItemsOptions {
  /** Defaults to detection from the path. */
  format?: BonFormat;
  /** Keep the first `limit` items. Defaults to all. */
  limit?: number;
  /** Keep at most this many candidates per item (a seeded subset, original order). Defaults to all. */
  candidatesPerPrompt?: number;
  /** Seeds the candidate subset. Defaults to 0. */
  seed?: number;
  signal?: AbortSignal;
}

export function detectBonFormat(target: string): BonFormat {
  if (!existsSync(target)) {
    throw new NotFoundError(`no such file or folder: ${target}`, {
      hint: "point --data at a BoN .jsonl file or a dataset folder (xstest, llmfao, mt-bench)",
    });
  }
  if (!statSync(target).isDirectory()) return "jsonl";
  const has = (f: string) => existsSync(path.join(target, f));
  if (has("xstest_prompts.csv") || has("model_completions")) return "xstest";
  if (has("crowd-comparisons.csv")) return "llmfao";
  if (has("question.jsonl")) return "mt-bench";
  throw new ConfigError([`format: cannot tell the dataset in ${target}`], {
    hint: "pass --format xstest|llmfao|mt-bench|jsonl",
  });
}

export async function loadBonItems(target: string, options: LoadBonItemsOptions = {}): Promise<BonItem[]> {
  const { limit, candidatesPerPrompt, seed = 0, signal } = options;
  const format = options.format ?? detectBonFormat(target);
  const read = {
    xstest: readXstestItems,
    llmfao: readLlmfaoItems,
    "mt-bench": readMtBenchItems,
    jsonl: readJsonlItems,
  }[format];
  let items = await read(target, { signal });
  if (limit !== undefined) items = items.slice(0, limit);
  if (candidatesPerPrompt !== undefined) {
    items = items.map((item) => {
      if (item.candidates.length <= candidatesPerPrompt) return item;
      const keep = seededPermutation(item.candidates.length, seed, `genrm/bon/subsample/${item.id}`)
        .slice(0, candidatesPerPrompt)
        .sort((a, b) => a - b);
      return { ...item, candidates: keep.map((i) => item.candidates[i]) };
    });
  }
  return items;
}
