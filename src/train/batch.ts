/**
 * Micro-batches of token sequences, in one of two layouts:
 *
 * - padded (`collate`): right-padded rows, T the longest sequence of the batch (no fixed bucket).
 *   Pad positions hold token 0 and are masked from attention through `lengths` and from every
 *   loss through the targets, so their values never matter, but they are computed.
 * - packed (`packSequences`): every sequence end to end in one row of Σ lengths tokens, no pad at
 *   all (TRL's padding-free batches, `DataCollatorWithFlattening` in transformers). Each token
 *   attends only within its own sequence (`segmentStarts`: a block-diagonal causal mask) and its
 *   RoPE position restarts at 0 with its sequence, so every sequence computes what it would
 *   padded; targets never run from one sequence into the next.
 *
 * `batchCompletionRows` reads the completion positions of either layout with each one's sequence
 * index, so the losses do not know which they were given.
 */
import { type ForwardOptions, lastTokenRows } from "../model/llama/index.js";
import { defaultIgnoreIndex } from "../tensor/index.js";
import type { TokenSequence } from "./data/types.js";
import { type CompletionRows, completionRows } from "./losses/logprobs.js";

export interface SequenceBatch {
  /** (B·T) token ids, row-major. */
  tokens: Int32Array;
  batch: number;
  seqLen: number;
  /** (B) real length of each row. */
  lengths: Int32Array;
  /** (B·T) next-token target at completion positions (`tokens[b, t+1]`), −100 elsewhere. */
  targets: Int32Array;
  /** Σ lengths: the tokens actually processed. */
  realTokens: number;
  /** Set on packed batches (one row holding every sequence). */
  packing?: PackedLayout;
}

export interface PackedLayout {
  /** (T) RoPE position of each token within its own sequence. */
  positions: Int32Array;
  /** (T) where each token's sequence starts in the row. */
  segmentStarts: Int32Array;
  /** (T) index of the sequence each token belongs to. */
  sequenceOf: Int32Array;
  /** (S + 1) where each of the S sequences starts, then T. */
  offsets: Int32Array;
}

export function collate(seqs: readonly TokenSequence[]): SequenceBatch {
  const B = seqs.length;
  let T = 1;
  for (const s of seqs) T = Math.max(T, s.tokens.length);
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T).fill(defaultIgnoreIndex);
  const lengths = new Int32Array(B);
  let realTokens = 0;
  seqs.forEach((s, b) => {
    const n = s.tokens.length;
    tokens.set(s.tokens, b * T);
    lengths[b] = n;
    realTokens += n;
    setTargets(targets, b * T, s);
  });
  return { tokens, batch: B, seqLen: T, lengths, targets, realTokens };
}

/** Every sequence end to end in one row; see the module comment. */
export function packSequences(seqs: readonly TokenSequence[]): SequenceBatch {
  let T = 0;
  for (const s of seqs) T += s.tokens.length;
  const tokens = new Int32Array(T);
  const targets = new Int32Array(T).fill(defaultIgnoreIndex);
  const positions = new Int32Array(T);
  const segmentStarts = new Int32Array(T);
  const sequenceOf = new Int32Array(T);
  const offsets = new Int32Array(seqs.length + 1);
  let at = 0;
  seqs.forEach((s, i) => {
    const n = s.tokens.length;
    offsets[i] = at;
    tokens.set(s.tokens, at);
    for (let t = 0; t < n; t++) positions[at + t] = t;
    segmentStarts.fill(at, at, at + n);
    sequenceOf.fill(i, at, at + n);
    setTargets(targets, at, s);
    at += n;
  });
  offsets[seqs.length] = T;
  return {
    tokens,
    batch: 1,
    seqLen: T,
    lengths: Int32Array.of(T),
    targets,
    realTokens: T,
    packing: { positions, segmentStarts, sequenceOf, offsets },
  };
}

/** Position t predicts token t+1; the first completion token is predicted from completionStart−1. */
function setTargets(targets: Int32Array, offset: number, s: TokenSequence): void {
  const n = s.tokens.length;
  for (let t = Math.max(0, s.completionStart - 1); t < n - 1; t++) targets[offset + t] = s.tokens[t + 1]!;
}

/**
 * The positions whose next token is a completion token, in order, each with the index of its
 * sequence in the list the batch was made from (padded row or packed segment alike).
 */
export function batchCompletionRows(batch: SequenceBatch): CompletionRows {
  const comp = completionRows(batch.targets, batch.batch, batch.seqLen);
  const packed = batch.packing;
  if (packed === undefined) return comp;
  const sequence = Int32Array.from(comp.rows, (row) => packed.sequenceOf[row]!);
  return { ...comp, sequence, batch: packed.offsets.length - 1 };
}

/** The row of each sequence's last token in the flattened (B·T) hidden states: where BT and PairRM heads read. */
export function batchLastTokenRows(batch: SequenceBatch): Int32Array {
  const packed = batch.packing;
  if (packed === undefined) return lastTokenRows(batch.lengths, batch.seqLen);
  return packed.offsets.subarray(1).map((end) => end - 1);
}

/** How the decoder runs a batch: a packed one by its positions and segments, a padded one by its lengths. */
export function batchForwardOptions(
  batch: SequenceBatch,
): Pick<ForwardOptions, "batch" | "seqLen" | "lengths" | "positions" | "segmentStarts"> {
  const packed = batch.packing;
  if (packed === undefined) return { batch: batch.batch, seqLen: batch.seqLen, lengths: batch.lengths };
  return {
    batch: 1,
    seqLen: batch.seqLen,
    positions: packed.positions,
    segmentStarts: packed.segmentStarts,
  };
}

/** Completion tokens of a sequence: the SFT loss's unit count. */
export function completionLength(seq: TokenSequence): number {
  // The first token of a row is never predicted, even when the completion starts there.
  return seq.tokens.length - Math.max(1, seq.completionStart);
}
