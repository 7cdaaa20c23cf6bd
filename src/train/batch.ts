/**
 * Right-padded batches. T is the longest sequence of the batch (no fixed bucket), pad positions
 * hold token 0 and are masked from attention through `lengths` and from every loss through the
 * targets, so their values never matter. Packing several examples per row would need a
 * block-diagonal attention mask, which the attention kernel does not take; it is not done.
 */
import { defaultIgnoreIndex } from "../tensor/index.js";
import type { TokenSequence } from "./data/types.js";

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
    // Position t predicts token t+1; the first completion token is predicted from completionStart−1.
    for (let t = Math.max(0, s.completionStart - 1); t < n - 1; t++) targets[b * T + t] = s.tokens[t + 1]!;
  });
  return { tokens, batch: B, seqLen: T, lengths, targets, realTokens };
}

/** Completion tokens of a sequence: the SFT loss's unit count. */
export function completionLength(seq: TokenSequence): number {
  // The first token of a row is never predicted, even when the completion starts there.
  return seq.tokens.length - Math.max(1, seq.completionStart);
}
