import type { Distribution } from "./types.js";

/**
 * Quantile q ∈ [0, 1] of ascending `sorted` by linear interpolation between closest ranks
 * (Hyndman–Fan type 7, numpy's default), so results match what users compute in Python.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty list");
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** Mean, median and 95th percentile; nulls for an empty list. */
export function describeDistribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { n: 0, mean: null, p50: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: values.length,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
  };
}
