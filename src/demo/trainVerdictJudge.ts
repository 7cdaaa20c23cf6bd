/**
 * The demo's judges that learn the labels without reasoning (paper §2 baselines): GenRM (the
 * verdict token after the judge prompt), a Bradley–Terry reward model and PairRM, each trained by
 * genrm's trainer on the same labelled pairs STaR sees, resumable from the run directory's
 * checkpoints, and exported as a GGUF (plus the head file for BT and PairRM).
 */
import fs from "node:fs";
import path from "node:path";
import type { PreferencePair } from "../data/types.js";
import type { JudgeTemplate } from "../judge/types.js";
import { exportMergedGguf } from "../model/export/exportMergedGguf.js";
import { loadModel } from "../model/loadModel.js";
import { resolveTrainConfig } from "../train/config.js";
import { encodeExamples } from "../train/data/encodeExamples.js";
import { pairToTrainRow } from "../train/data/pairToTrainRow.js";
import { openTrainTokenizer } from "../train/data/TrainTokenizer.js";
import { type TrainLogEntry, train } from "../train/loop.js";
import { writeHeadFile } from "../train/restore.js";

export interface TrainVerdictJudgeOptions {
  method: "genrm" | "bt" | "pairrm";
  baseModel: string;
  pairs: readonly PreferencePair[];
  /** Judge prompt of GenRM and PairRM inputs (BT scores prompt → response). */
  template: JudgeTemplate;
  outDir: string;
  seed: number;
  epochs: number;
  lr: number;
  batchSize: number;
  signal?: AbortSignal;
  progress?: "bar" | "plain" | "silent";
  onStep?: (entry: TrainLogEntry) => void;
}

export interface TrainedVerdictJudge {
  stopReason: "completed" | "aborted" | "stopped";
  /** Merged GGUF (the base for BT/PairRM, whose heads read its last hidden state). */
  model: string;
  head: string | null;
  examples: number;
  steps: number;
  lastLoss: number | null;
  seconds: number;
}

export async function trainVerdictJudge(options: TrainVerdictJudgeOptions): Promise<TrainedVerdictJudge> {
  const { method, baseModel, outDir, seed } = options;
  fs.mkdirSync(outDir, { recursive: true });
  const rows = options.pairs.map((p, i) =>
    pairToTrainRow(p, { file: "(mini world train split)", line: i + 1 }),
  );
  const tokenizer = await openTrainTokenizer(baseModel);
  let dataset: ReturnType<typeof encodeExamples>;
  try {
    dataset = encodeExamples(rows, method, tokenizer, {
      template: options.template,
      orders: "random",
      seed,
      maxLength: 512,
    });
  } finally {
    await tokenizer.dispose();
  }
  // The world model has under a million weights: full fine-tuning is cheap and needs no merge.
  const config = resolveTrainConfig({
    method,
    lora: false,
    seed,
    lr: options.lr,
    epochs: options.epochs,
    batchSize: options.batchSize,
    saveEvery: 20,
    keepCheckpoints: 1,
  });
  const model = await loadModel(baseModel, { trainable: true });
  const started = performance.now();
  const result = await train(model, dataset, config, {
    runDir: outDir,
    resume: true,
    modelPath: baseModel,
    progress: options.progress ?? "silent",
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const modelFile = path.join(outDir, "model.gguf");
  let head: string | null = null;
  if (result.stopReason === "completed") {
    await exportMergedGguf(model, modelFile);
    if (result.head !== null) {
      head = path.join(outDir, "head.ckpt");
      await writeHeadFile(head, result.head, {
        hidden: model.config.hidden,
        baseModel,
        model: modelFile,
        method,
      });
    }
  }
  return {
    stopReason: result.stopReason,
    model: modelFile,
    head,
    examples: dataset.examples.length,
    steps: result.step,
    lastLoss: result.lastEntry?.loss ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}
