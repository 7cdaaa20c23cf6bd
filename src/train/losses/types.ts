/**
 * What every loss returns. `loss` is the objective already divided by `normalizer` (the number of
 * units in the whole optimizer step, so gradient accumulation over micro-batches sums to the same
 * gradient as one big batch); `metrics` are means over this call's `count` units, combined by the
 * loop with `count` as the weight.
 */
import type { Tensor } from "../../tensor/index.js";

export interface LossResult {
  /** Scalar objective: Σ unit losses / normalizer. */
  loss: Tensor;
  /** Units (completion tokens for SFT, pairs for DPO/BT/PairRM, verdicts) in this call. */
  count: number;
  /** Means over this call's units, under TRL-style namespaced keys; `min_*`/`max_*` are extrema. */
  metrics: Record<string, number>;
}

export interface ReductionOptions {
  /**
   * Divides the summed loss: the unit count of the full optimizer step (all micro-batches).
   * Defaults to this call's unit count (a plain mean).
   */
  normalizer?: number;
}

export function resolveNormalizer(normalizer: number | undefined, count: number): number {
  const n = normalizer ?? count;
  return n > 0 ? n : 1;
}
