/**
 * A listwise judge (rating or 4-way ranking) on the multi-response rows of a data set, in a run
 * directory: `item-judgments.jsonl` (one ItemJudgment per row; rows already there are not judged
 * again unless `fresh`) and `summary.json` with the official scores. The listwise counterpart of
 * `evaluateInDir`.
 */
import fs from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import type { BenchmarkItem } from "../data/adapters/expandItem.js";
import { throwIfAborted } from "../errors.js";
import { listwiseBenchmarkScores } from "../eval/listwiseOutcomes.js";
import { benchmarkMetrics } from "../eval/summarizeEval.js";
import type { BenchmarkScores } from "../eval/types.js";
import type { ItemJudge, ItemJudgment } from "../judge/createListwiseJudge.js";
import { writeJsonFile, writeJsonLinesFile } from "./jsonFile.js";

export interface ListwiseSummary {
  counts: { items: number; judged: number; missing: number };
  benchmarks: BenchmarkScores;
  parse: { samples: number; unparsed: number; unparsedRate: number | null };
  engineErrors: number;
  provenance: ItemJudgment["provenance"][];
  metrics: Record<string, number | null>;
}

export interface EvaluateItemsOptions {
  concurrency?: number;
  signal?: AbortSignal;
  fresh?: boolean;
  onProgress?: (p: { done: number; total: number }) => void;
  extra?: Record<string, unknown>;
}

export async function evaluateItemsInDir(
  judge: ItemJudge,
  items: readonly BenchmarkItem[],
  dir: string,
  options: EvaluateItemsOptions = {},
): Promise<{ summary: ListwiseSummary; judgments: ItemJudgment[] }> {
  const { concurrency = 4, signal, fresh = false, onProgress } = options;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "item-judgments.jsonl");
  const done = new Map<string, ItemJudgment>(fresh ? [] : readJudgments(file).map((j) => [j.itemId, j]));
  const limit = pLimit(concurrency);
  let finished = 0;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (!done.has(item.id)) {
          throwIfAborted(signal);
          done.set(item.id, await judge.judgeItem(item, signal ? { signal } : {}));
        }
        onProgress?.({ done: ++finished, total: items.length });
      }),
    ),
  );
  // In row order, so the same run writes the same bytes whatever the concurrency.
  const judgments = items.map((i) => done.get(i.id)).filter((j): j is ItemJudgment => j !== undefined);
  writeJsonLinesFile(file, judgments);
  const summary = summarizeListwise(judgments, items);
  writeJsonFile(path.join(dir, "summary.json"), { ...summary, ...options.extra });
  return { summary, judgments };
}

export function summarizeListwise(
  judgments: readonly ItemJudgment[],
  items: readonly BenchmarkItem[],
): ListwiseSummary {
  const benchmarks = listwiseBenchmarkScores(judgments, items);
  const samples = judgments.flatMap((j) => j.samples);
  const unparsed = samples.filter((s) => s.parsed === null).length;
  const provenance = new Map(judgments.map((j) => [JSON.stringify(j.provenance), j.provenance]));
  const metrics = benchmarkMetrics(benchmarks);
  metrics["judge/parse_error_rate"] = samples.length === 0 ? null : unparsed / samples.length;
  return {
    counts: { items: items.length, judged: judgments.length, missing: items.length - judgments.length },
    benchmarks,
    parse: { samples: samples.length, unparsed, unparsedRate: metrics["judge/parse_error_rate"] },
    engineErrors: judgments.filter((j) => j.errors.length > 0).length,
    provenance: [...provenance.values()],
    metrics,
  };
}

function readJudgments(file: string): ItemJudgment[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ItemJudgment);
}
