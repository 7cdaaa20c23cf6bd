/**
 * Completion tokens of a right-padded batch and their log-probabilities. Logits are only computed
 * for the positions that predict a completion token (`completionRows`): with a 150k vocabulary
 * the prompt positions' logits would dominate memory and time and never reach the loss.
 */
import {
  defaultIgnoreIndex,
  matmul,
  reshape,
  type Tensor,
  tensor,
  tokenLogProbs,
} from "../../tensor/index.js";

/** The positions of a (B, T) batch whose next token is a completion token. */
export interface CompletionRows {
  /** (N) row of each predicting position in the flattened (B·T) hidden states. */
  rows: Int32Array;
  /** (N) the token each of those positions predicts. */
  targets: Int32Array;
  /** (N) sequence 0..B-1 each position belongs to. */
  sequence: Int32Array;
  /** Sequences B in the batch. */
  batch: number;
}

/**
 * Picks the non-ignored entries of next-token `targets` (B·T, `ignoreIndex` elsewhere), in order.
 */
export function completionRows(
  targets: Int32Array,
  batch: number,
  seqLen: number,
  ignoreIndex = defaultIgnoreIndex,
): CompletionRows {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== ignoreIndex) n++;
  const rows = new Int32Array(n);
  const out = new Int32Array(n);
  const sequence = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === ignoreIndex) continue;
    rows[j] = i;
    out[j] = targets[i]!;
    sequence[j] = Math.floor(i / seqLen);
    j++;
  }
  return { rows, targets: out, sequence, batch };
}

/**
 * Σ over each sequence's completion tokens of log p(token): logits (N, V) at `rows` -> (B).
 * The per-sequence sum is a (B, N) 0/1 matrix times the (N, 1) token log-probs, so it needs no
 * segment-sum op and no backward of its own.
 */
export function sequenceLogProbs(logits: Tensor, completion: CompletionRows): Tensor {
  return sumBySequence(tokenLogProbs(logits, completion.targets), completion);
}

/** Per-token values (N) summed per sequence -> (B). */
export function sumBySequence(values: Tensor, completion: CompletionRows): Tensor {
  const { sequence, batch: B } = completion;
  const N = sequence.length;
  const seg = new Float32Array(B * N);
  for (let i = 0; i < N; i++) seg[sequence[i]! * N + i] = 1;
  return reshape(matmul(tensor(seg, [B, N]), reshape(values, [N, 1])), [B]); // (B)
}

/** Completion tokens per sequence (B). */
export function completionCounts(completion: CompletionRows): Int32Array {
  const counts = new Int32Array(completion.batch);
  for (const s of completion.sequence) counts[s]++;
  return counts;
}
