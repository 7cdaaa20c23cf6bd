/**
 * Percentile bootstrap confidence interval of a mean (PR-5): resample the per-pair scores with
 * replacement, take the mean of each resample, and read the interval off their quantiles.
 */
import { mulberry32 } from "../random/index.js";
import { quantileSorted } from "./percentile.js";
import type { AccuracyResult, BootstrapOptions, ConfidenceInterval } from "./types.js";

export const defaultBootstrap = {
  resamples: 1000,
  level: 0.95,
  seed: 0,
} satisfies Required<BootstrapOptions>;

/** Null for an empty list. */
export function bootstrapCI(
  values: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval | null {
  const {
    resamples = defaultBootstrap.resamples,
    level = defaultBootstrap.level,
    seed = defaultBootstrap.seed,
  } = options;
  const n = values.length;
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rng.next() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const alpha = (1 - level) / 2;
  return {
    estimate: values.reduce((s, v) => s + v, 0) / n,
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    level,
  };
}

/** Mean score with its bootstrap interval. */
export function accuracyWithCI(scores: readonly number[], options: BootstrapOptions = {}): AccuracyResult {
  const ci = bootstrapCI(scores, options);
  return { n: scores.length, accuracy: ci ? ci.estimate : null, ci };
}
