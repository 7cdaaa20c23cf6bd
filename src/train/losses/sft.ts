/**
 * Supervised fine-tuning loss (paper Eq. 8 when the completion is a rationale plus verdict; STaR's
 * Eq. 4): mean next-token cross-entropy over completion tokens only. Prompt and padding tokens are
 * left out of the loss and its gradient. The mean is over tokens, not sequences (TRL's default), so
 * long completions weigh more.
 */
import { crossEntropy, scale, sum, type Tensor } from "../../tensor/index.js";
import { type LossResult, type ReductionOptions, resolveNormalizer } from "./types.js";

/** logits (N, V) at the completion positions, targets (N) -> token-mean cross-entropy. */
export function sftLoss(logits: Tensor, targets: Int32Array, options: ReductionOptions = {}): LossResult {
  const N = targets.length;
  const losses = crossEntropy(logits, targets); // (N)
  const loss = scale(sum(losses), 1 / resolveNormalizer(options.normalizer, N));
  let nll = 0;
  for (let i = 0; i < N; i++) nll += losses.data[i]!;
  return {
    loss,
    count: N,
    metrics: { nll: N > 0 ? nll / N : 0, mean_token_accuracy: tokenAccuracy(logits, targets) },
  };
}

/**
 * The same loss from per-token log-probs (N) of the targets, when the logits were never held at
 * once (chunked vocabulary projection); `hits` is how many rows had the target as argmax.
 */
export function sftLossFromLogProbs(logps: Tensor, hits: number, options: ReductionOptions = {}): LossResult {
  const N = logps.size;
  const loss = scale(sum(logps), -1 / resolveNormalizer(options.normalizer, N));
  let nll = 0;
  for (let i = 0; i < N; i++) nll -= logps.data[i]!;
  return { loss, count: N, metrics: { nll: N > 0 ? nll / N : 0, mean_token_accuracy: N > 0 ? hits / N : 0 } };
}

/** Fraction of rows whose argmax is the target (TRL's `mean_token_accuracy`). */
export function tokenAccuracy(logits: Tensor, targets: Int32Array): number {
  const N = targets.length;
  if (N === 0) return 0;
  const V = logits.dim(-1);
  const d = logits.data;
  let hits = 0;
  for (let n = 0; n < N; n++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < V; v++) {
      const x = d[n * V + v]!;
      if (x > bestValue) {
        bestValue = x;
        best = v;
      }
    }
    if (best === targets[n]) hits++;
  }
  return hits / N;
}
