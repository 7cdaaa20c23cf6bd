/**
 * Fixtures for the STaR tests: short preference pairs, and a tiny model that a few full
 * fine-tuning steps taught the verdict format (its answer to a judge prompt is "[[A]]" or "[[B]]",
 * either letter, whatever the pair). A random-weight model would never write a parseable verdict,
 * so every count but "unparseable" would be zero; this one gives correct and wrong chains to keep,
 * drop and pair. It is built once per machine (cached by content version) in the OS temp dir.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PreferencePair } from "../../src/data/types.js";
import { renderJudgePrompt } from "../../src/judge/templates/renderJudgePrompt.js";
import { worldCotTemplate } from "../../src/judge/templates/worldTemplates.js";
import { exportMergedGguf } from "../../src/model/export/index.js";
import { loadModel } from "../../src/model/loadModel.js";
import { resolveTrainConfig } from "../../src/train/config.js";
import { encodeExamples, openTrainTokenizer, type TrainRow } from "../../src/train/data/index.js";
import { train } from "../../src/train/loop.js";
import type { PairId } from "../../src/types.js";
import { createTinyModel } from "../helpers/tinyModel.js";

const words = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat", "tea", "owl", "fox", "bee"];

/** `n` short labelled pairs; labels alternate so both slots win. */
export function starPairs(n: number, prefix = "t"): PreferencePair[] {
  return Array.from({ length: n }, (_, i) => {
    const w = words[i % words.length]!;
    const v = words[(i * 5 + 3) % words.length]!;
    return {
      id: `${prefix}:${i}` as PairId,
      prompt: [{ role: "user", content: `${w} ${i}?` }],
      responseA: `${v} ${i + 1}`,
      responseB: `${w} ${i + 2}`,
      label: i % 2 === 0 ? "A" : "B",
    };
  });
}

const fixtureVersion = "v1";

export async function verdictModel(): Promise<string> {
  const file = path.join(os.tmpdir(), `genrm-star-verdict-model-${fixtureVersion}.gguf`);
  if (fs.existsSync(file)) return file;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-star-fixture-"));
  const base = await createTinyModel({
    path: path.join(dir, "base.gguf"),
    hidden: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ffn: 64,
    vocabSize: 320,
    seed: 11,
  });
  const rows: TrainRow[] = [];
  for (const [i, pair] of starPairs(24, "fixture").entries()) {
    for (const order of ["AB", "BA"] as const) {
      rows.push({
        type: "sft",
        prompt: renderJudgePrompt(worldCotTemplate, pair, order),
        completion: (i + (order === "AB" ? 0 : 1)) % 2 === 0 ? "[[A]]" : "[[B]]",
        ref: { file: "fixture", line: rows.length + 1 },
      });
    }
  }
  const tokenizer = await openTrainTokenizer(base.path);
  const dataset = encodeExamples(rows, "sft", tokenizer, { maxLength: 512 });
  await tokenizer.dispose();
  const model = await loadModel(base.path, { trainable: true });
  await train(
    model,
    dataset,
    resolveTrainConfig({ method: "sft", lora: false, lr: 3e-3, maxSteps: 40, batchSize: 8 }),
  );
  const tmp = path.join(dir, "verdict.gguf");
  await exportMergedGguf(model, tmp);
  fs.renameSync(tmp, file);
  fs.rmSync(dir, { recursive: true, force: true });
  return file;
}
