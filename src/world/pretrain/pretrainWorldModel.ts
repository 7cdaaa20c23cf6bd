/**
 * `pretrainWorldModel`: the mini world's base model from scratch, with genrm's own trainer.
 *
 * 1. The corpus (`generatePretrainCorpus`) from the seed.
 * 2. A byte-level BPE learned from it (`buildWorldVocab`) and a random-init Llama GGUF
 *    (`writeInitModel`) in the run directory.
 * 3. Full training with the SFT objective (`runTraining`, method "sft", `lora: false`): drill rows
 *    with the loss on every token, chat rows on the assistant turn (`encodeCorpus`). AdamW, linear
 *    warmup then cosine. Checkpoints in the run directory make it resumable (`resume: true`).
 * 4. The merged GGUF to `out` (F16 by default), tokenizer and chat template included.
 *
 * Everything that shapes the result is in the returned `recipe`, which is also written next to the
 * model as `<out>.json` by the CLI so the committed base model says how to rebuild it.
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readMetrics } from "../../run/metricsLog.js";
import { lockRunDir } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { resolveTrainConfig, type TrainConfig } from "../../train/config.js";
import { openTrainTokenizer } from "../../train/data/TrainTokenizer.js";
import type { TrainLogEntry } from "../../train/loop.js";
import { runTraining } from "../../train/runTraining.js";
import { generatePretrainCorpus } from "../generatePretrainCorpus.js";
import {
  buildWorldVocab,
  defaultWorldVocabOptions,
  type WorldVocabOptions,
} from "../tokenizer/buildWorldVocab.js";
import type { PretrainCorpusConfig, PretrainCorpusOptions } from "../types.js";
import { encodeCorpus } from "./encodeCorpus.js";
import { defaultWorldModelShape, type WorldModelShape, writeInitModel } from "./writeInitModel.js";

export interface PretrainTrainOptions {
  /** Peak learning rate. Defaults to 2e-3. */
  lr: number;
  /** Passes over the corpus. Defaults to 2. */
  epochs: number;
  /** Sequences per step. Defaults to 16. */
  batchSize: number;
  /** Defaults to 0.05. */
  warmupRatio: number;
  /** Cosine floor as a fraction of lr. Defaults to 0.1. */
  minLrRatio: number;
  /** Defaults to 0.1 (on matrices and embeddings). */
  weightDecay: number;
  /** Sequences longer than this are dropped. Defaults to 320. */
  maxLength: number;
  /** Checkpoint every N steps (and at the end). Defaults to 100. */
  saveEvery: number;
  /**
   * Pack each batch's sequences into one row (`TrainConfig.packing`). Defaults to false: the
   * committed assets/world/base.gguf was trained padded, and packing, exact up to float rounding,
   * would not give its bytes again.
   */
  packing: boolean;
}

export const defaultPretrainTrainOptions: PretrainTrainOptions = {
  lr: 2e-3,
  epochs: 2,
  batchSize: 16,
  warmupRatio: 0.05,
  minLrRatio: 0.1,
  weightDecay: 0.1,
  maxLength: 320,
  saveEvery: 100,
  packing: false,
};

export interface PretrainWorldOptions {
  /** Seeds the corpus, the weights and the data order. Defaults to 0. */
  seed?: number;
  /** Corpus options (size, mix, teacher, …); its seed defaults to `seed`. */
  corpus?: PretrainCorpusOptions;
  vocab?: WorldVocabOptions;
  model?: Partial<WorldModelShape>;
  train?: Partial<PretrainTrainOptions>;
  /** Where the base model GGUF goes. */
  out: string;
  /** Run directory (init model, checkpoints, metrics). Defaults to `<out>.run`. */
  runDir?: string;
  /** Continue from the run directory's latest checkpoint. Defaults to false. */
  resume?: boolean;
  /** Matrix type of the exported GGUF. Defaults to "F16". */
  tensorType?: "F16" | "F32";
  signal?: AbortSignal;
  /** Trainer progress display. Defaults to "silent". */
  progress?: "bar" | "plain" | "silent";
  onStep?: (entry: TrainLogEntry) => void;
  /** Phase messages ("corpus", "tokenizer", "init", "export"). */
  onPhase?: (phase: string, detail: string) => void;
}

export interface PretrainRecipe {
  seed: number;
  corpus: PretrainCorpusConfig;
  vocab: Required<WorldVocabOptions> & { learnedMerges: number };
  model: WorldModelShape;
  train: PretrainTrainOptions;
  trainer: TrainConfig;
}

export interface PretrainWorldResult {
  path: string;
  bytes: number;
  stopReason: "completed" | "aborted" | "stopped";
  recipe: PretrainRecipe;
  steps: number;
  totalSteps: number;
  resumedFrom: number;
  examples: number;
  corpusTokens: number;
  /** Tokens processed by all steps of the run (across resumes), and the steps' summed time. */
  trainTokens: number;
  trainSeconds: number;
  firstLoss: number | null;
  lastLoss: number | null;
  history: TrainLogEntry[];
}

export async function pretrainWorldModel(options: PretrainWorldOptions): Promise<PretrainWorldResult> {
  const runDir = options.runDir ?? `${options.out}.run`;
  const lock = lockRunDir(runDir, "world pretrain");
  try {
    return await pretrainInRunDir(options, runDir);
  } catch (err) {
    throw asStorageError(err, { dir: runDir, rerun: "the same command with --resume" });
  } finally {
    lock.release();
  }
}

async function pretrainInRunDir(options: PretrainWorldOptions, runDir: string): Promise<PretrainWorldResult> {
  const seed = options.seed ?? 0;
  const phase = options.onPhase ?? (() => {});
  const shape: WorldModelShape = { ...defaultWorldModelShape, ...options.model };
  const t: PretrainTrainOptions = { ...defaultPretrainTrainOptions, ...options.train };
  await mkdir(dirname(options.out), { recursive: true });

  const { rows, config: corpusConfig } = generatePretrainCorpus({ seed, ...options.corpus });
  phase("corpus", `${rows.length} rows`);
  const vocabOptions = { ...defaultWorldVocabOptions, ...options.vocab };
  const vocab = buildWorldVocab(rows, vocabOptions);
  phase("tokenizer", `${vocab.tokens.length} tokens, ${vocab.learnedMerges} merges learned from the corpus`);

  // Written again on resume: it is a pure function of the seed and options, and the checkpoint
  // holds the trained weights.
  const initPath = join(runDir, "init.gguf");
  await writeInitModel(initPath, shape, vocab, seed);
  phase("init", initPath);

  const tokenizer = await openTrainTokenizer(initPath);
  let dataset: ReturnType<typeof encodeCorpus>;
  try {
    dataset = encodeCorpus(rows, tokenizer, { maxLength: t.maxLength });
  } finally {
    await tokenizer.dispose();
  }
  phase("encode", `${dataset.report.examples} sequences, ${dataset.report.totalTokens} tokens`);

  const trainer = resolveTrainConfig({
    method: "sft",
    lora: false,
    seed,
    lr: t.lr,
    epochs: t.epochs,
    batchSize: t.batchSize,
    warmupRatio: t.warmupRatio,
    minLrRatio: t.minLrRatio,
    weightDecay: t.weightDecay,
    maxLength: t.maxLength,
    saveEvery: t.saveEvery,
    keepCheckpoints: 1,
    packing: t.packing,
  });
  const run = await runTraining({
    modelPath: initPath,
    config: trainer,
    runDir,
    data: dataset,
    resume: options.resume ?? false,
    modelFile: options.out,
    tensorType: options.tensorType ?? "F16",
    progress: options.progress ?? "silent",
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onStep !== undefined ? { onStep: options.onStep } : {}),
    onExport: (file) => phase("export", file),
  });
  // runTraining returns no result only when asked to skip an empty data set.
  const result = run.result!;
  // The recorded training time survives kills: metrics.jsonl holds every step across resumes.
  const totals = trainingTotals(readMetrics(run.metricsFile));
  const bytes = result.stopReason === "completed" ? (await stat(options.out)).size : 0;
  return {
    path: options.out,
    bytes,
    stopReason: result.stopReason,
    recipe: {
      seed,
      corpus: corpusConfig,
      vocab: { ...vocabOptions, learnedMerges: vocab.learnedMerges },
      model: shape,
      train: t,
      trainer,
    },
    steps: result.step,
    totalSteps: result.totalSteps,
    resumedFrom: result.resumedFrom,
    examples: dataset.report.examples,
    corpusTokens: dataset.report.totalTokens,
    trainTokens: totals.tokens,
    trainSeconds: totals.seconds,
    firstLoss: totals.firstLoss,
    lastLoss: totals.lastLoss,
    history: result.history,
  };
}

/**
 * Tokens and seconds over the run's steps. `num_tokens` counts on across resumes, so a step's
 * tokens are the difference to the step before it. Lines with `call_step` come from runs that
 * restarted the count at each resume (`call_step` 1), as older genrm versions did.
 */
function trainingTotals(entries: TrainLogEntry[]): {
  tokens: number;
  seconds: number;
  firstLoss: number | null;
  lastLoss: number | null;
} {
  let tokens = 0;
  let seconds = 0;
  let previous = 0;
  for (const e of entries) {
    const cumulative = e.num_tokens ?? 0;
    const stepTokens = e.call_step === 1 ? cumulative : cumulative - previous;
    previous = cumulative;
    tokens += stepTokens;
    if ((e.tokens_per_second ?? 0) > 0) seconds += stepTokens / e.tokens_per_second!;
  }
  return { tokens, seconds, firstLoss: entries[0]?.loss ?? null, lastLoss: entries.at(-1)?.loss ?? null };
}
