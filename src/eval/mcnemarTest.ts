/**
 * Paired McNemar test between two judges on the same pairs (PR-5). Only discordant pairs carry
 * information: b = first right & second wrong, c = the reverse. Under H0, b ~ Binomial(b + c, ½).
 */
import type { PreferencePair } from "../data/types.js";
import type { Judgment } from "../judge/types.js";
import type { PairId } from "../types.js";
import { scorePair } from "./scorePair.js";
import type { McNemarResult } from "./types.js";

export interface McNemarOptions {
  /**
   * Below this many discordant pairs the exact binomial p-value is used; from it on, χ² with
   * continuity correction (their difference is then small). Defaults to 25.
   */
  exactBelow?: number;
}

export const defaultMcNemar = { exactBelow: 25 } satisfies Required<McNemarOptions>;

export function mcnemarTest(b: number, c: number, options: McNemarOptions = {}): McNemarResult {
  const { exactBelow = defaultMcNemar.exactBelow } = options;
  const n = b + c;
  if (n < exactBelow) {
    // Two-sided: twice the smaller tail, Σ_{i ≤ min(b,c)} C(n,i) / 2^n, capped at 1.
    return {
      b,
      c,
      n,
      statistic: null,
      pValue: Math.min(1, 2 * binomialHalfTail(n, Math.min(b, c))),
      method: "exact",
    };
  }
  const statistic = Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
  // χ²(1) survival function: P(X > s) = erfc(√(s/2)).
  return { b, c, n, statistic, pValue: erfc(Math.sqrt(statistic / 2)), method: "chi2" };
}

/** P(X ≤ m) for X ~ Binomial(n, ½). */
function binomialHalfTail(n: number, m: number): number {
  // Up to n = 50, C(n, i)·(n − i) stays below 2^53, so the sum is exact, so small cases are exact.
  if (n <= 50) {
    let coefficient = 1;
    let sum = 0;
    for (let i = 0; i <= m; i++) {
      sum += coefficient;
      coefficient = (coefficient * (n - i)) / (i + 1);
    }
    return sum / 2 ** n;
  }
  let tail = 0;
  for (let i = 0; i <= m; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return tail;
}

/**
 * McNemar test of two judges' judgments on the same pairs (joined by pair id). A pair counts as
 * right only with score 1: ties and errors are "not right" for both judges alike.
 */
export function compareJudgments(
  first: readonly Judgment[],
  second: readonly Judgment[],
  pairs: readonly PreferencePair[],
  options: McNemarOptions = {},
): McNemarResult & { pairs: number; accuracyFirst: number | null; accuracySecond: number | null } {
  const labels = new Map(pairs.map((p) => [p.id, p.label]));
  const secondById = new Map<PairId, Judgment>(second.map((j) => [j.pairId, j]));
  let b = 0;
  let c = 0;
  let paired = 0;
  let rightFirst = 0;
  let rightSecond = 0;
  for (const j1 of first) {
    const j2 = secondById.get(j1.pairId);
    const label = labels.get(j1.pairId);
    if (!j2 || label === undefined || label === "tie") continue;
    paired++;
    const r1 = scorePair(j1.verdict, label) === 1;
    const r2 = scorePair(j2.verdict, label) === 1;
    if (r1) rightFirst++;
    if (r2) rightSecond++;
    if (r1 && !r2) b++;
    if (r2 && !r1) c++;
  }
  return {
    ...mcnemarTest(b, c, options),
    pairs: paired,
    accuracyFirst: paired === 0 ? null : rightFirst / paired,
    accuracySecond: paired === 0 ? null : rightSecond / paired,
  };
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}
