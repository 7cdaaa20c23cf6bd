/**
 * llama.cpp's next-token log-probabilities for a token sequence, through node-llama-cpp 3.21.1's
 * `controlledEvaluate` with `generateNext.probabilities` at every position. With temperature 0 the
 * sampler chain is greedy only, so the probabilities are softmax(raw logits) over the whole
 * vocabulary (node-llama-cpp `AddonContext.cpp` SampleToken). The KV cache is F32 and flash
 * attention off, so the only differences left are the weights' storage type and float order.
 */
import os from "node:os";
import { getLlama, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { noGrad } from "../../src/tensor/index.js";
import type { Tensor } from "../../src/tensor/Tensor.js";

let shared: Promise<Llama> | null = null;

export function sharedLlama(): Promise<Llama> {
  shared ??= getLlama({ gpu: false, logLevel: "error" as never });
  return shared;
}

export interface LlamaCppLogProbsOptions {
  /** Vocabulary size V (rows are V long; tokens llama.cpp gives no probability stay -Infinity). */
  vocabSize: number;
  /** LoRA adapter GGUFs applied at context creation, scale 1. */
  lora?: string[];
  /** Rows to return, ascending (default every position): full-vocabulary maps are slow on 150k vocabularies. */
  positions?: readonly number[];
}

/** (T, V) log-probs, row t predicting token t+1. */
export async function llamaCppLogProbs(
  model: LlamaModel,
  tokens: readonly number[],
  options: LlamaCppLogProbsOptions,
): Promise<Float64Array[]> {
  const context = await model.createContext({
    contextSize: Math.max(64, tokens.length + 8),
    threads: os.availableParallelism(),
    flashAttention: false,
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32",
    lora: options.lora ? { adapters: options.lora.map((filePath) => ({ filePath })) } : undefined,
  });
  try {
    const wanted = new Set(options.positions ?? tokens.map((_, t) => t));
    const res = await context
      .getSequence()
      .controlledEvaluate(
        tokens.map((t, i) =>
          wanted.has(i) ? [t as Token, { generateNext: { probabilities: true } }] : (t as Token),
        ),
      );
    return [...wanted].map((t) => {
      const probs = res[t]?.next?.probabilities;
      if (!probs) throw new Error(`llama.cpp returned no probabilities at position ${t}`);
      const row = new Float64Array(options.vocabSize).fill(-Infinity);
      for (const [id, p] of probs) row[id] = Math.log(p);
      return row;
    });
  } finally {
    await context.dispose();
  }
}

/** Log-softmax of rows [row0, row0 + count) of logits (N, V), in float64. */
export function logSoftmaxRows(logits: Tensor, row0 = 0, count = logits.shape[0]! - row0): Float64Array[] {
  const V = logits.shape[1]!;
  const out: Float64Array[] = [];
  for (let r = row0; r < row0 + count; r++) {
    const x = logits.data.subarray(r * V, (r + 1) * V);
    let m = -Infinity;
    for (const v of x) m = Math.max(m, v);
    let s = 0;
    for (const v of x) s += Math.exp(v - m);
    const lse = m + Math.log(s);
    out.push(Float64Array.from(x, (v) => v - lse));
  }
  return out;
}

export interface LogProbDiff {
  /** max |ours - theirs| over every position and token. */
  max: number;
  mean: number;
  /** max over entries whose llama.cpp probability exceeds 1e-2 (the tokens that matter). */
  maxLikely: number;
}

export function compareLogProbs(ours: Float64Array[], theirs: Float64Array[]): LogProbDiff {
  if (ours.length !== theirs.length) throw new Error(`${ours.length} rows vs ${theirs.length}`);
  let max = 0;
  let sum = 0;
  let n = 0;
  let maxLikely = 0;
  ours.forEach((row, t) => {
    const ref = theirs[t]!;
    for (let v = 0; v < row.length; v++) {
      const d = Math.abs(row[v]! - ref[v]!);
      max = Math.max(max, d);
      sum += d;
      n++;
      if (ref[v]! > Math.log(1e-2)) maxLikely = Math.max(maxLikely, d);
    }
  });
  return { max, mean: sum / n, maxLikely };
}

/** Our model's log-probs for one unpadded sequence (at `positions`, default every one). */
export function oursLogProbs(
  forward: (tokens: Int32Array, o: { batch: number; seqLen: number }) => Tensor,
  tokens: readonly number[],
  positions?: readonly number[],
): Float64Array[] {
  const logits = noGrad(() => forward(Int32Array.from(tokens), { batch: 1, seqLen: tokens.length }));
  if (positions === undefined) return logSoftmaxRows(logits);
  return positions.flatMap((t) => logSoftmaxRows(logits, t, 1));
}
