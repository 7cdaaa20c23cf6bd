/**
 * The training loop, one readable function (nanoGPT's train.py): set up LoRA / head / optimizer,
 * precompute DPO reference log-probs, then per optimizer step: pick the step's examples from the
 * epoch's seeded permutation, run its micro-batches (gradients accumulate; each micro-batch loss is
 * divided by the whole step's unit count, so k micro-batches of B equal one batch of k·B), clip
 * the global gradient norm, take an AdamW step at the scheduled rate, log, evaluate and checkpoint.
 *
 * Resume is exact: everything the next step depends on (weights, AdamW moments and step, reference
 * log-probs, head) is in the checkpoint, and the data order is a pure function of (seed, epoch), so
 * a resumed run takes the same steps with the same numbers as one that never stopped.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, InputError } from "../errors.js";
import {
  type CausalLM,
  createPairwiseHead,
  createScalarHead,
  type ScalarHead,
  type ScalarHeadKind,
} from "../model/llama/index.js";
import type { NamedParameter } from "../model/llama/types.js";
import { applyLora } from "../model/lora/index.js";
import { createProgressReporter, type ProgressReporter } from "../progress/index.js";
import { FNV1A_OFFSET_BASIS, fnv1aStep } from "../random/index.js";
import { backward, createRng, noGrad } from "../tensor/index.js";
import { AdamW, clipGradNorm } from "./adamw.js";
import {
  type CheckpointTensor,
  checkpointDir,
  checkpointFileName,
  commitLatest,
  readCheckpointFile,
  readLatest,
  writeCheckpointFile,
} from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import type { PreferenceExample, TrainDataset, TrainExample } from "./data/types.js";
import { decideRecompute, type RecomputeDecision } from "./memoryEstimate.js";
import { exampleUnits, microBatchLoss, type ObjectiveContext, referenceLogProbs } from "./objectives.js";
import { learningRate } from "./schedule.js";

/** One logged step (TRL names). Eval entries carry `eval/*` keys instead of the train ones. */
export type TrainLogEntry = { step: number } & Record<string, number>;

export interface TrainRunOptions {
  /** Held-out examples, evaluated every `evalEvery` steps and at the end. Defaults to none. */
  evalDataset?: TrainDataset;
  /** Where checkpoints go (`<runDir>/checkpoints`). Defaults to none (no checkpoints). */
  runDir?: string;
  /** Continue from the latest checkpoint in `runDir`, if there is one. Defaults to false. */
  resume?: boolean;
  /** Stop (with a checkpoint) once this many steps are done, without changing the schedule. Defaults to the end. */
  stopAtStep?: number;
  /** DPO reference model; defaults to the policy itself before its first update. */
  referenceModel?: CausalLM;
  /** Saved in checkpoints so a later export knows the base model. */
  modelPath?: string;
  signal?: AbortSignal;
  onStep?: (entry: TrainLogEntry) => void;
  onEval?: (entry: TrainLogEntry) => void;
  /** Called after each checkpoint is committed. */
  onCheckpoint?: (path: string, step: number) => void;
  /** Progress display. Defaults to "silent". */
  progress?: "bar" | "plain" | "silent" | ProgressReporter;
}

export interface TrainResult {
  history: TrainLogEntry[];
  evalHistory: TrainLogEntry[];
  step: number;
  totalSteps: number;
  stopReason: "completed" | "aborted" | "stopped";
  /** BT / PairRM head, trained with the model. */
  head: ScalarHead | null;
  /** The last checkpoint written, when `runDir` was given. */
  checkpoint: string | null;
  /** Step the run resumed from, or 0. */
  resumedFrom: number;
  /** The log entry of the last step taken, in this call or (read from its checkpoint) a killed one; null before any step. */
  lastEntry: TrainLogEntry | null;
  /** Whether activations were recomputed, and the step's estimated peak memory it was decided on. */
  memory: RecomputeDecision;
}

/** What a checkpoint's JSON header holds besides its tensors. */
export interface TrainCheckpointMeta {
  format: "genrm-train";
  step: number;
  totalSteps: number;
  config: TrainConfig;
  modelPath: string | null;
  head: ScalarHeadKind | null;
  verdictTokens: [number, number] | null;
  data: { examples: number; fingerprint: string };
  trainable: string[];
  /** `num_tokens` after `step`, so a resumed run's metric goes on counting (absent in older checkpoints). */
  numTokens?: number;
  /** The last step's log entry, so a run resumed at its end still reports its final loss (absent in older checkpoints). */
  lastEntry?: TrainLogEntry;
  savedAt: string;
}

export async function train(
  model: CausalLM,
  dataset: TrainDataset,
  config: TrainConfig,
  options: TrainRunOptions = {},
): Promise<TrainResult> {
  const { evalDataset, runDir, resume = false, stopAtStep, referenceModel, signal, onStep, onEval } = options;
  if (dataset.method !== config.method) {
    throw new ConfigError([
      `method: the dataset was encoded for ${dataset.method}, the config says ${config.method}`,
    ]);
  }
  const examples = dataset.examples;
  const N = examples.length;
  if (N === 0) throw new InputError("no training examples left after encoding", { expected: "at least one" });

  // Parameters: LoRA factors (or every weight), then the head.
  if (config.lora !== null) {
    if (!model.parameters().some((p) => p.name.endsWith(".lora_a")))
      applyLora(model, { ...config.lora, seed: config.seed });
  } else {
    model.unfreeze();
  }
  const headKind: ScalarHeadKind | null =
    config.method === "bt" ? "score" : config.method === "pairrm" ? "pairwise" : null;
  const head =
    headKind === "score"
      ? createScalarHead(model, { seed: config.seed })
      : headKind === "pairwise"
        ? createPairwiseHead(model, { seed: config.seed })
        : null;
  const params: NamedParameter[] = [...model.trainableParameters(), ...(head?.parameters() ?? [])];
  const optimizer = new AdamW(params, config);
  const memory = decideRecompute(model.config, examples, config);
  const ctx: ObjectiveContext = {
    model,
    config: { ...config, recompute: memory.recompute },
    head,
    verdictTokens: dataset.verdictTokens ?? null,
  };

  const perStep = config.batchSize * config.gradAccum;
  const stepsPerEpoch = Math.ceil(N / perStep);
  const totalSteps = plannedSteps(config, N);
  const fingerprint = dataFingerprint(examples);

  let step = 0;
  let refTrain: Float32Array | null = null;
  let refEval: Float32Array | null = null;
  let resumedFrom = 0;
  let numTokens = 0;
  let restoredEntry: TrainLogEntry | null = null;
  let savedFiles: string[] = [];
  const latest = resume && runDir !== undefined ? await readLatest(runDir) : null;
  if (latest !== null && runDir !== undefined) {
    const file = join(checkpointDir(runDir), latest.file);
    const ckpt = await readCheckpointFile<TrainCheckpointMeta>(file);
    checkResumable(ckpt.meta, config, fingerprint, N, file);
    for (const [i, p] of params.entries()) {
      p.tensor.data.set(tensorOf(ckpt.tensors, `param/${p.name}`, p.tensor.size, file));
      optimizer.states[i]!.m.set(tensorOf(ckpt.tensors, `adam_m/${p.name}`, p.tensor.size, file));
      optimizer.states[i]!.v.set(tensorOf(ckpt.tensors, `adam_v/${p.name}`, p.tensor.size, file));
    }
    optimizer.step = ckpt.meta.step;
    step = ckpt.meta.step;
    resumedFrom = step;
    numTokens = ckpt.meta.numTokens ?? tokensBeforeStep(examples, config, step);
    restoredEntry = ckpt.meta.lastEntry ?? null;
    refTrain = ckpt.tensors.get("ref/train")?.data ?? null;
    refEval = ckpt.tensors.get("ref/eval")?.data ?? null;
    if (refEval !== null && evalDataset !== undefined && refEval.length !== 2 * evalDataset.examples.length) {
      throw new ConfigError([
        `evalDataset: ${evalDataset.examples.length} examples, the checkpoint has reference log-probs for ${refEval.length / 2}`,
      ]);
    }
    savedFiles = [latest.file];
  }

  const reporter =
    typeof options.progress === "object"
      ? options.progress
      : createProgressReporter(`train ${config.method}`, {
          unit: "steps",
          mode: options.progress ?? "silent",
        });
  try {
    if (config.method === "dpo") {
      // After step 0 the policy is no longer the reference: resumed runs must bring their own.
      if (
        step > 0 &&
        referenceModel === undefined &&
        (refTrain === null || (evalDataset && refEval === null))
      ) {
        throw new ConfigError(
          [
            "evalDataset: the checkpoint has no DPO reference log-probs for this data, and the policy has moved",
          ],
          {
            hint: "resume with the eval data of the original run, or pass the starting model as referenceModel",
          },
        );
      }
      const ref = referenceModel ?? model;
      const refOptions = { packing: config.packing };
      if (refTrain === null) refTrain = referenceLogProbs(ref, examples, config.batchSize, refOptions);
      if (evalDataset !== undefined && refEval === null) {
        refEval = referenceLogProbs(ref, evalDataset.examples, config.batchSize, refOptions);
      }
    }

    const history: TrainLogEntry[] = [];
    const lastEntry = () => history.at(-1) ?? restoredEntry;
    const evalHistory: TrainLogEntry[] = [];
    let checkpoint: string | null = null;
    const started = performance.now();
    const tokensAtStart = numTokens;
    const runEval = () => {
      if (evalDataset === undefined || evalDataset.examples.length === 0) return;
      const entry = evaluate(ctx, evalDataset.examples, refEval, config.batchSize, step);
      evalHistory.push(entry);
      onEval?.(entry);
    };
    const save = async () => {
      if (runDir === undefined) return;
      const dir = checkpointDir(runDir);
      await mkdir(dir, { recursive: true });
      const name = checkpointFileName(step);
      const tensors: CheckpointTensor[] = [];
      for (const [i, p] of params.entries()) {
        tensors.push({ name: `param/${p.name}`, shape: p.tensor.shape, data: p.tensor.data });
        tensors.push({ name: `adam_m/${p.name}`, shape: p.tensor.shape, data: optimizer.states[i]!.m });
        tensors.push({ name: `adam_v/${p.name}`, shape: p.tensor.shape, data: optimizer.states[i]!.v });
      }
      if (refTrain !== null) tensors.push({ name: "ref/train", shape: [refTrain.length], data: refTrain });
      if (refEval !== null) tensors.push({ name: "ref/eval", shape: [refEval.length], data: refEval });
      const last = lastEntry();
      const meta: TrainCheckpointMeta = {
        format: "genrm-train",
        step,
        totalSteps,
        config,
        modelPath: options.modelPath ?? null,
        head: headKind,
        verdictTokens: dataset.verdictTokens ?? null,
        data: { examples: N, fingerprint },
        trainable: params.map((p) => p.name),
        numTokens,
        ...(last !== null ? { lastEntry: last } : {}),
        savedAt: new Date().toISOString(),
      };
      checkpoint = join(dir, name);
      await writeCheckpointFile(checkpoint, meta, tensors);
      savedFiles = await commitLatest(runDir, { step, file: name }, savedFiles, config.keepCheckpoints);
      options.onCheckpoint?.(checkpoint, step);
    };

    const order = epochOrder(N, config.seed);
    let stopReason: TrainResult["stopReason"] = "completed";
    reporter.update({ done: step, total: totalSteps });
    while (step < totalSteps) {
      if (signal?.aborted) {
        stopReason = "aborted";
        break;
      }
      if (stopAtStep !== undefined && step >= stopAtStep) {
        stopReason = "stopped";
        break;
      }
      const t0 = performance.now();
      const epoch = Math.floor(step / stepsPerEpoch);
      const offset = (step % stepsPerEpoch) * perStep;
      const ids = order(epoch).subarray(offset, Math.min(N, offset + perStep));
      let normalizer = 0;
      for (const i of ids) normalizer += exampleUnits(config.method, examples[i]!);

      optimizer.zeroGrad();
      let loss = 0;
      let tokens = 0;
      const metrics = new MetricAverager();
      for (let m = 0; m < ids.length; m += config.batchSize) {
        const micro = Array.from(ids.subarray(m, m + config.batchSize));
        const refs =
          refTrain === null ? null : micro.map((i) => [refTrain![2 * i]!, refTrain![2 * i + 1]!] as const);
        const r = microBatchLoss(
          ctx,
          micro.map((i) => examples[i]!),
          refs,
          normalizer,
        );
        backward(r.loss);
        loss += r.loss.item();
        tokens += r.tokens;
        metrics.add(r.metrics, r.count);
      }
      const gradNorm = clipGradNorm(params, config.gradClip);
      const lr = learningRate(step, totalSteps, config);
      optimizer.update(lr);
      step++;
      numTokens += tokens;
      const seconds = (performance.now() - t0) / 1000;
      const entry: TrainLogEntry = {
        step,
        epoch: step / stepsPerEpoch,
        loss,
        grad_norm: gradNorm,
        learning_rate: lr,
        num_tokens: numTokens,
        tokens_per_second: tokens / seconds,
        ...metrics.result(),
      };
      history.push(entry);
      onStep?.(entry);
      const elapsed = (performance.now() - started) / 1000;
      reporter.update({
        done: step,
        total: totalSteps,
        metrics: { loss: loss.toFixed(4), "tok/s": Math.round((numTokens - tokensAtStart) / elapsed) },
      });

      if (config.evalEvery > 0 && step % config.evalEvery === 0 && step < totalSteps) runEval();
      if (config.saveEvery > 0 && step % config.saveEvery === 0 && step < totalSteps) await save();
      // Lets a SIGINT handler (and progress output) run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (stopReason === "completed") runEval();
    if (step > resumedFrom || checkpoint === null) await save();
    return {
      history,
      evalHistory,
      step,
      totalSteps,
      stopReason,
      head,
      checkpoint,
      resumedFrom,
      lastEntry: lastEntry(),
      memory,
    };
  } finally {
    if (typeof options.progress !== "object") reporter.stop();
  }
}

/** Optimizer steps a run on `examples` examples takes. */
export function plannedSteps(
  config: Pick<TrainConfig, "batchSize" | "gradAccum" | "epochs" | "maxSteps">,
  examples: number,
): number {
  // As in transformers: maxSteps, when set, overrides epochs (the data cycles as needed).
  return (
    config.maxSteps ?? Math.ceil(config.epochs * Math.ceil(examples / (config.batchSize * config.gradAccum)))
  );
}

/** Held-out loss and metrics over all of `examples` under noGrad, as `eval/*` keys. */
export function evaluate(
  ctx: ObjectiveContext,
  examples: readonly TrainExample[],
  refs: Float32Array | null,
  batchSize: number,
  step: number,
): TrainLogEntry {
  let normalizer = 0;
  for (const ex of examples) normalizer += exampleUnits(ctx.config.method, ex);
  let loss = 0;
  const metrics = new MetricAverager();
  noGrad(() => {
    for (let i = 0; i < examples.length; i += batchSize) {
      const micro = examples.slice(i, i + batchSize);
      const r =
        refs === null ? null : micro.map((_, j) => [refs[2 * (i + j)]!, refs[2 * (i + j) + 1]!] as const);
      const result = microBatchLoss(ctx, micro, r, normalizer);
      loss += result.loss.item();
      metrics.add(result.metrics, result.count);
    }
  });
  const entry: TrainLogEntry = { step, "eval/loss": loss };
  for (const [k, v] of Object.entries(metrics.result())) entry[`eval/${k}`] = v;
  return entry;
}

/**
 * The example order of each epoch: a Fisher–Yates shuffle seeded by (seed, epoch), so any step's
 * examples can be found again without saved RNG state. Memoises the current epoch.
 */
export function epochOrder(n: number, seed: number): (epoch: number) => Int32Array {
  let cached = -1;
  let perm = new Int32Array(0);
  return (epoch) => {
    if (epoch === cached) return perm;
    const rng = createRng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
    perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    cached = epoch;
    return perm;
  };
}

/**
 * Tokens the first `step` steps processed (padding excluded, as each micro-batch counts them), for
 * checkpoints written before they recorded `numTokens`.
 */
function tokensBeforeStep(examples: readonly TrainExample[], config: TrainConfig, step: number): number {
  const perStep = config.batchSize * config.gradAccum;
  const stepsPerEpoch = Math.ceil(examples.length / perStep);
  const order = epochOrder(examples.length, config.seed);
  let tokens = 0;
  for (let s = 0; s < step; s++) {
    const offset = (s % stepsPerEpoch) * perStep;
    const ids = order(Math.floor(s / stepsPerEpoch)).subarray(
      offset,
      Math.min(examples.length, offset + perStep),
    );
    for (const i of ids) {
      const ex = examples[i]!;
      tokens +=
        ex.kind === "preference" ? ex.chosen.tokens.length + ex.rejected.tokens.length : ex.seq.tokens.length;
    }
  }
  return tokens;
}

/** Count-weighted means of micro-batch metrics; `min_*`/`max_*` keys keep extrema. */
class MetricAverager {
  private readonly sums = new Map<string, { sum: number; weight: number }>();
  private readonly extrema = new Map<string, number>();

  add(metrics: Record<string, number>, count: number): void {
    for (const [k, v] of Object.entries(metrics)) {
      if (k.startsWith("min_") || k.startsWith("max_")) {
        const prev = this.extrema.get(k);
        const isMin = k.startsWith("min_");
        this.extrema.set(k, prev === undefined ? v : isMin ? Math.min(prev, v) : Math.max(prev, v));
        continue;
      }
      const s = this.sums.get(k) ?? { sum: 0, weight: 0 };
      s.sum += v * count;
      s.weight += count;
      this.sums.set(k, s);
    }
  }

  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, { sum, weight }] of this.sums) out[k] = weight > 0 ? sum / weight : 0;
    for (const [k, v] of this.extrema) out[k] = v;
    return out;
  }
}

/** FNV-1a over every example's tokens and targets: a resume on different data is refused. */
export function dataFingerprint(examples: readonly TrainExample[]): string {
  let h = FNV1A_OFFSET_BASIS;
  const mix = (x: number) => {
    h = fnv1aStep(fnv1aStep(h, x & 0xffff), x >>> 16);
  };
  for (const ex of examples) {
    const seqs = ex.kind === "preference" ? [ex.chosen, ex.rejected] : [ex.seq];
    for (const s of seqs) {
      mix(s.tokens.length);
      mix(s.completionStart);
      for (const t of s.tokens) mix(t);
    }
    if (ex.kind === "pairwise") mix(Math.round(ex.label * 1000));
    if (ex.kind === "preference" && (ex as PreferenceExample).margin !== undefined)
      mix(Math.round(ex.margin! * 1e6));
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Fields that must not change on resume: they shape the weights, the data order or the step.
 * `packing` changes only float rounding, but a resumed run must equal the one that never stopped.
 */
const resumeKeys = [
  "method",
  "seed",
  "batchSize",
  "gradAccum",
  "lora",
  "maxLength",
  "lengthPolicy",
  "orders",
  "packing",
] as const;

function checkResumable(
  meta: TrainCheckpointMeta,
  config: TrainConfig,
  fingerprint: string,
  n: number,
  file: string,
): void {
  const issues: string[] = [];
  for (const key of resumeKeys) {
    // Checkpoints written before packing existed padded every batch.
    const a = JSON.stringify(key === "packing" ? (meta.config.packing ?? false) : meta.config[key]);
    const b = JSON.stringify(config[key]);
    if (a !== b) issues.push(`${key}: the checkpoint has ${a}, this run asks for ${b}`);
  }
  if (meta.data.fingerprint !== fingerprint || meta.data.examples !== n) {
    issues.push(
      `data: the checkpoint trained on ${meta.data.examples} other examples (fingerprint ${meta.data.fingerprint}, now ${fingerprint})`,
    );
  }
  if (issues.length > 0) {
    throw new ConfigError(issues, {
      hint: `start a new run directory, or resume with the settings saved in ${file}`,
    });
  }
}

function tensorOf(
  tensors: Map<string, CheckpointTensor>,
  name: string,
  size: number,
  file: string,
): Float32Array {
  const t = tensors.get(name);
  if (t === undefined || t.data.length !== size) {
    throw new InputError("checkpoint tensor missing or of the wrong size", {
      file,
      field: name,
      expected: `${size} values`,
      got: t === undefined ? "nothing" : `${t.data.length}`,
    });
  }
  return t.data;
}
