/**
 * PairRM-style pairwise loss (paper §1.4 baseline; Jiang et al. 2023): one forward over
 * (prompt, A, B), a scalar head gives a logit z for "A is better", trained with binary
 * cross-entropy on the label:
 *
 *   loss = −[y·log σ(z) + (1 − y)·log σ(−z)]
 *
 * with y = 1 when A is preferred, 0 when B is, 0.5 for a tie (soft label). Composed from
 * log σ, which stays finite for confidently wrong logits.
 */
import { add, logSigmoid, mul, scale, sum, type Tensor, tensor } from "../../tensor/index.js";
import { type LossResult, type ReductionOptions, resolveNormalizer } from "./types.js";

/** logits (B), labels (B) in [0, 1] -> mean binary cross-entropy. */
export function pairwiseLoss(
  logits: Tensor,
  labels: Float32Array,
  options: ReductionOptions = {},
): LossResult {
  const B = logits.size;
  const notLabels = labels.map((y) => 1 - y);
  const y = tensor(labels, [B]);
  const yNot = tensor(notLabels, [B]);
  const total = add(mul(logSigmoid(logits), y), mul(logSigmoid(scale(logits, -1)), yNot)); // (B)
  const loss = scale(sum(total), -1 / resolveNormalizer(options.normalizer, B));

  let decided = 0;
  let hits = 0;
  let pA = 0;
  for (let i = 0; i < B; i++) {
    const z = logits.data[i]!;
    pA += 1 / (1 + Math.exp(-z));
    if (labels[i] === 0.5) continue;
    decided++;
    if (z > 0 === labels[i]! > 0.5) hits++;
  }
  return {
    loss,
    count: B,
    metrics: B === 0 ? {} : { accuracy: decided > 0 ? hits / decided : 0, "pairwise/p_a": pA / B },
  };
}
