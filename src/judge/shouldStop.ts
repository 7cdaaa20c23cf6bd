/**
 * Adaptive self-consistency (PR-1): a pure decision whether drawing more of the k samples can
 * still matter. Parse errors use up budget but never vote. With both orders the decision is on
 * the combined vote the judge reports (p_sym), never on one order alone: an order that stopped on
 * its own lead could be outvoted by the other order's full run.
 */
import type { VoteCounts } from "./majorityVote.js";
import type { AdaptiveOptions } from "./types.js";

/**
 * "posterior" by measurement (docs/metrics.md, `npm run bench:adaptive`): on the mini world's
 * STaR-SFT judge (k = 32, one random order) it kept maj@32's accuracy with 14% of the samples where
 * the Wilson rule needed 21%, and spent the fewest samples of the two on both OOD splits too.
 * "decided" is the rule that never changes a full run's verdict.
 */
export const defaultAdaptive = {
  mode: "posterior",
  confidence: 0.95,
  prior: 0.5,
} satisfies Required<AdaptiveOptions>;

/**
 * "decided": stop once the remaining samples cannot overtake or even tie the leader: the final
 * majority is then already known, and stopping never changes it.
 * "confidence": also stop once the two-sided Wilson score interval of the A share excludes ½ at
 * the given level; this can change the verdict against a full run, and trades that for samples
 * (with every vote on one side it stops after ⌈z²⌉ votes: 4 at 95%).
 * "posterior": also stop once the posterior probability that the full k-sample vote still has the
 * current leader ahead is at least `confidence` (see `leaderHoldsProbability`). Unlike a test
 * against ½, it also stops when the rest of the budget could not plausibly change the outcome.
 * Always stops when all k samples are drawn.
 */
export function shouldStop(
  counts: VoteCounts,
  k: number,
  options: AdaptiveOptions = defaultAdaptive,
): boolean {
  return shouldStopOrders([counts], k, options);
}

/**
 * `shouldStop` on the vote of several display orders, each with a budget of k: the judge's
 * combined vote is the mean of the orders' A shares (`combineOrders`).
 * "decided" bounds that mean exactly: each order's final share lies in [a/(v+r), (a+r)/(v+r)]
 * (v valid votes, r samples left; an order with no valid vote and samples left could end anywhere).
 * "confidence" and "posterior" test the pooled counts of all orders, which equal the mean of the
 * shares when the orders hold equally many valid votes, as interleaved drawing keeps them.
 */
export function shouldStopOrders(
  perOrder: readonly VoteCounts[],
  k: number,
  options: AdaptiveOptions = defaultAdaptive,
): boolean {
  const { mode, confidence = defaultAdaptive.confidence, prior = defaultAdaptive.prior } = options;
  const remaining = perOrder.map((c) => Math.max(0, k - (c.A + c.B + c.error)));
  const left = remaining.reduce((s, r) => s + r, 0);
  if (left === 0) return true;
  if (combinedVoteDecided(perOrder, remaining)) return true;
  if (mode === "decided") return false;

  const a = perOrder.reduce((s, c) => s + c.A, 0);
  const b = perOrder.reduce((s, c) => s + c.B, 0);
  if (a + b === 0) return false;
  if (mode === "posterior") return leaderHoldsProbability(a, b, left, prior) >= confidence;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const { lower, upper } = wilsonInterval(a, a + b, z);
  return lower > 0.5 || upper < 0.5;
}

/**
 * The fewest samples per order after which `rule` could stop (every vote on one side), at most k:
 * adaptive voting draws that many at once before checking, since no earlier check can stop.
 */
export function fewestSamplesToStop(
  orders: number,
  k: number,
  rule: AdaptiveOptions = defaultAdaptive,
): number {
  for (let n = 1; n < k; n++) {
    if (
      shouldStopOrders(
        Array.from({ length: orders }, () => ({ A: n, B: 0, error: 0 })),
        k,
        rule,
      )
    )
      return n;
  }
  return k;
}

/**
 * Whether the mean of the orders' final A shares is already strictly on one side of ½ whatever
 * the remaining samples say. Compared in integers (Σ a_o / d_o against m/2 with every d_o > 0
 * multiplied out), so an exact ½ is never mistaken for a lead by rounding.
 */
function combinedVoteDecided(perOrder: readonly VoteCounts[], remaining: readonly number[]): boolean {
  const bounds: { low: number; high: number; den: number }[] = [];
  for (const [i, c] of perOrder.entries()) {
    const r = remaining[i]!;
    const valid = c.A + c.B;
    if (valid + r === 0) continue; // no vote and none to come: the order is left out
    if (valid === 0) return false; // it could still end anywhere in [0, 1]
    bounds.push({ low: c.A, high: c.A + r, den: valid + r });
  }
  if (bounds.length === 0) return false;
  const product = bounds.reduce((p, x) => p * x.den, 1);
  const scaled = (pick: (x: (typeof bounds)[number]) => number) =>
    2 * bounds.reduce((s, x) => s + pick(x) * (product / x.den), 0);
  const half = bounds.length * product;
  return scaled((x) => x.low) > half || scaled((x) => x.high) < half;
}

/**
 * P(the leader of a A-votes vs b B-votes is still strictly ahead after `left` more votes), with the
 * vote share p ~ Beta(prior + a, prior + b) a posteriori and the remaining votes Binomial(left, p),
 * i.e. Beta-Binomial. 0 when a = b (no leader). The pmf is built by its term ratio in log space, so
 * it needs no gamma function and stays finite for any budget.
 */
export function leaderHoldsProbability(a: number, b: number, left: number, prior: number): number {
  if (a === b) return 0;
  const [lead, trail] = a > b ? [a, b] : [b, a];
  const alpha = prior + lead;
  const beta = prior + trail;
  // x of the `left` votes go to the leader; it stays ahead iff lead + x > trail + left − x.
  const needed = Math.floor((trail + left - lead) / 2) + 1;
  if (needed <= 0) return 1;
  if (needed > left) return 0;
  let logPmf = 0;
  for (let i = 0; i < left; i++) logPmf += Math.log((beta + i) / (alpha + beta + i));
  let hold = 0;
  for (let x = 0; x <= left; x++) {
    if (x >= needed) hold += Math.exp(logPmf);
    if (x < left) logPmf += Math.log(((left - x) / (x + 1)) * ((alpha + x) / (beta + left - x - 1)));
  }
  return Math.min(1, hold);
}

/** Wilson score interval for a binomial proportion `successes / n` at normal quantile `z`. */
export function wilsonInterval(successes: number, n: number, z: number): { lower: number; upper: number } {
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: center - half, upper: center + half };
}

/**
 * Inverse standard normal CDF, P. J. Acklam's rational approximation (relative error < 1.2e-9),
 * enough for a stopping threshold and free of a stats dependency.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
