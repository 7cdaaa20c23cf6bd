/**
 * GenRM verdict-token loss (paper §1.6, Eq. 7): −log π(I | x, y1, y2) on the single indicator
 * token I ∈ {A, B} that follows the forced verdict prefix `[[`. It is SFT cross-entropy on one token
 * per example, over the full vocabulary, exactly as in the paper. The metrics read the same
 * position the way the judge does at inference (`readVerdictProbabilities`): probability
 * renormalised over the two letters.
 */
import { crossEntropy, scale, sum, type Tensor } from "../../tensor/index.js";
import { type LossResult, type ReductionOptions, resolveNormalizer } from "./types.js";

export interface VerdictLossOptions extends ReductionOptions {
  /** Token ids of the two letters, [A, B]: used for the metrics only. */
  candidates: readonly [number, number];
}

/** logits (B, V) at the position after `[[`, targets (B) the gold letter's token -> mean CE. */
export function verdictLoss(logits: Tensor, targets: Int32Array, options: VerdictLossOptions): LossResult {
  const { candidates } = options;
  const B = targets.length;
  const V = logits.dim(-1);
  const losses = crossEntropy(logits, targets); // (B)
  const loss = scale(sum(losses), 1 / resolveNormalizer(options.normalizer, B));

  let hits = 0;
  let pGold = 0;
  let nll = 0;
  const [a, b] = candidates;
  for (let i = 0; i < B; i++) {
    const la = logits.data[i * V + a]!;
    const lb = logits.data[i * V + b]!;
    const goldIsA = targets[i] === a;
    const pa = 1 / (1 + Math.exp(lb - la));
    pGold += goldIsA ? pa : 1 - pa;
    if (la > lb === goldIsA) hits++;
    nll += losses.data[i]!;
  }
  return {
    loss,
    count: B,
    metrics: B === 0 ? {} : { "verdict/accuracy": hits / B, "verdict/p_gold": pGold / B, nll: nll / B },
  };
}
