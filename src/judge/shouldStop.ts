/**
 * Adaptive self-consistency (PR-1): a pure decision whether drawing more of the k samples can
 * still matter. Parse errors use up budget but never vote.
 */
import type { VoteCounts } from "./majorityVote.js";
import type { AdaptiveOptions } from "./types.js";

export const defaultAdaptive = { mode: "decided", confidence: 0.95 } satisfies Required<AdaptiveOptions>;

/**
 * "decided": stop once |#A − #B| exceeds the samples left, so the remaining ones cannot overtake
 * or even tie the leader: the final majority is then already known, and stopping never changes it.
 * "confidence": also stop once the two-sided Wilson score interval of the A share excludes ½ at
 * the given level; this can change the verdict against a full run, and trades that for samples
 * (with every vote on one side it stops after ⌈z²⌉ votes: 4 at 95%).
 * Always stops when all k samples are drawn.
 */
export function shouldStop(
  counts: VoteCounts,
  k: number,
  options: AdaptiveOptions = defaultAdaptive,
): boolean {
  const { mode, confidence = defaultAdaptive.confidence } = options;
  const remaining = k - (counts.A + counts.B + counts.error);
  if (remaining <= 0) return true;
  if (Math.abs(counts.A - counts.B) > remaining) return true;
  if (mode === "decided") return false;

  const n = counts.A + counts.B;
  if (n === 0) return false;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const { lower, upper } = wilsonInterval(counts.A, n, z);
  return lower > 0.5 || upper < 0.5;
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
