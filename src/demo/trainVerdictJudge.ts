/**
 * The demo's judges that learn the labels without reasoning (paper §2 baselines): GenRM (the
 * verdict token after the judge prompt), a Bradley–Terry reward model and PairRM, each trained by
 * genrm's trainer on the same labelled pairs STaR sees, as one `runTraining` run: resumable from
 * the run directory's checkpoints, with its metrics.jsonl, exported as a GGUF (plus the head file
 * for BT and PairRM, which names the template PairRM read its inputs with).
 */
import path from "node:path";
import type { PreferencePair } from "../data/types.js";
import type { JudgeTemplate } from "../judge/types.js";
import { resolveTrainConfig } from "../train/config.js";
import { pairToTrainRow } from "../train/data/pairToTrainRow.js";
import type { TrainLogEntry } from "../train/loop.js";
import { runTraining } from "../train/runTraining.js";

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
  const rows = options.pairs.map((p, i) =>
    pairToTrainRow(p, { file: "(mini world train split)", line: i + 1 }),
  );
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
  const started = performance.now();
  const run = await runTraining({
    modelPath: baseModel,
    config,
    runDir: outDir,
    data: rows,
    template: options.template,
    resume: true,
    progress: options.progress ?? "silent",
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  // runTraining returns no result only when asked to skip an empty data set.
  const result = run.result!;
  return {
    stopReason: result.stopReason,
    model: run.artifacts.model ?? path.join(outDir, "model.gguf"),
    head: run.artifacts.head ?? null,
    examples: run.data.examples,
    steps: result.step,
    lastLoss: result.lastEntry?.loss ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}
