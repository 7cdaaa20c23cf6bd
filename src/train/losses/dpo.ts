/**
 * Direct Preference Optimization, sigmoid loss (Rafailov et al. 2023; the paper's STaR-DPO, Eq. 9):
 *
 *   loss = −log σ( β·[(log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l))] )
 *
 * averaged over pairs, with log π(y) summed over the completion tokens (rationale and verdict).
 * Reference log-probs are plain numbers: they come from a frozen model under `noGrad`, computed
 * once per example. Metrics follow TRL's `DPOTrainer` (`rewards/*` are β-scaled log-ratios).
 */
import { add, logSigmoid, scale, sub, sum, type Tensor, tensor } from "../../tensor/index.js";
import { defaultDpoBeta } from "../trainDefaults.js";
import { type LossResult, type ReductionOptions, resolveNormalizer } from "./types.js";

export interface DpoLossInput {
  /** Policy log π(chosen) per pair (B), with gradient. */
  policyChosen: Tensor;
  /** Policy log π(rejected) per pair (B), with gradient. */
  policyRejected: Tensor;
  /** Reference log π_ref(chosen) per pair (B). */
  refChosen: Float32Array;
  /** Reference log π_ref(rejected) per pair (B). */
  refRejected: Float32Array;
}

export interface DpoLossOptions extends ReductionOptions {
  /** Temperature β of the implicit reward. Defaults to `defaultDpoBeta`. */
  beta?: number;
  /**
   * Conservative DPO / robust label smoothing ε: loss = −(1−ε)·log σ(z) − ε·log σ(−z).
   * Defaults to 0 (plain DPO).
   */
  labelSmoothing?: number;
}

export { defaultDpoBeta };

export function dpoLoss(input: DpoLossInput, options: DpoLossOptions = {}): LossResult {
  const { beta = defaultDpoBeta, labelSmoothing = 0 } = options;
  const { policyChosen, policyRejected, refChosen, refRejected } = input;
  const B = policyChosen.size;
  const refDiff = new Float32Array(B);
  for (let i = 0; i < B; i++) refDiff[i] = refChosen[i]! - refRejected[i]!;
  // z = β·[(π_c − π_r) − (ref_c − ref_r)]: the same value as the ratio form, one subtraction fewer.
  const z = scale(sub(sub(policyChosen, policyRejected), tensor(refDiff, [B])), beta); // (B)
  // Σ log σ(z), or (1−ε)·Σ log σ(z) + ε·Σ log σ(−z) with label smoothing.
  let total = sum(logSigmoid(z));
  if (labelSmoothing > 0) {
    total = add(scale(total, 1 - labelSmoothing), scale(sum(logSigmoid(scale(z, -1))), labelSmoothing));
  }
  const loss = scale(total, -1 / resolveNormalizer(options.normalizer, B));

  let rc = 0;
  let rr = 0;
  let acc = 0;
  let lc = 0;
  let lr = 0;
  for (let i = 0; i < B; i++) {
    const c = beta * (policyChosen.data[i]! - refChosen[i]!);
    const r = beta * (policyRejected.data[i]! - refRejected[i]!);
    rc += c;
    rr += r;
    if (c > r) acc++;
    lc += policyChosen.data[i]!;
    lr += policyRejected.data[i]!;
  }
  const m = (x: number) => (B > 0 ? x / B : 0);
  return {
    loss,
    count: B,
    metrics: {
      "rewards/chosen": m(rc),
      "rewards/rejected": m(rr),
      "rewards/accuracies": m(acc),
      "rewards/margins": m(rc - rr),
      "logps/chosen": m(lc),
      "logps/rejected": m(lr),
    },
  };
}
