/**
 * Coin-flip baseline: the verdict comes from hash(seed, pair id), so it is reproducible and the
 * same pair gets the same flip however the data are ordered. pA is ½: the judge knows nothing.
 */
import { baselineJudge } from "./baselineJudge.js";
import { hash32 } from "./hash32.js";
import type { Judge } from "./types.js";

export interface RandomJudgeOptions {
  /** Defaults to 0. */
  seed?: number;
}

export function createRandomJudge(options: RandomJudgeOptions = {}): Judge {
  const { seed = 0 } = options;
  return baselineJudge("random", `uniform coin flip, seed ${seed}`, seed, (pair) => ({
    verdict: (hash32("genrm/random-judge", seed, pair.id) & 1) === 0 ? "A" : "B",
    pA: 0.5,
  }));
}
