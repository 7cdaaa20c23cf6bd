/**
 * Calibration of a judge's P(A) against the human labels: a reliability table and the expected
 * calibration error. P(A) is `Judgment.pA`: the verdict-token probability of a direct judge, the
 * vote share of a CoT judge (both orders: their mean).
 *
 * Binning: `bins` equal-width bins of P(A) over [0, 1] (default 10), each [lower, upper) and the
 * last one closed, so P(A) = 1 falls in the last. ECE = Σ_b (n_b / n) · |mean P(A)_b − share of
 * label A_b| over the non-empty bins (Naeini et al. 2015's binary form, on P(A) itself rather than
 * on the confidence of the picked side, so it reads against the same target as the Brier score).
 * Over judgments with a pA and an A/B label. Undefined (null) when every pA is 0, ½ or 1: such a
 * judge states verdicts, not probabilities (a k = 1 CoT judge, a baseline), and its "ECE" would
 * only restate its error rate.
 */
import type { Label } from "../data/types.js";
import type { Judgment } from "../judge/types.js";
import type { PairId } from "../types.js";
import type { Calibration } from "./types.js";

export const defaultCalibrationBins = 10;

export function calibration(
  judgments: readonly Judgment[],
  labels: ReadonlyMap<PairId, Label>,
  bins = defaultCalibrationBins,
): Calibration | null {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`calibration: bins must be a positive integer, got ${bins}`);
  const points: { pA: number; isA: number }[] = [];
  for (const j of judgments) {
    const label = labels.get(j.pairId);
    if (j.pA === null || label === undefined || label === "tie") continue;
    points.push({ pA: j.pA, isA: label === "A" ? 1 : 0 });
  }
  if (points.every((p) => p.pA === 0 || p.pA === 0.5 || p.pA === 1)) return null;
  const table = Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    n: 0,
    sumPA: 0,
    sumA: 0,
  }));
  for (const p of points) {
    const bin = table[Math.min(bins - 1, Math.floor(p.pA * bins))]!;
    bin.n++;
    bin.sumPA += p.pA;
    bin.sumA += p.isA;
  }
  const reliability = table.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    n: b.n,
    meanPA: b.n === 0 ? null : b.sumPA / b.n,
    fractionA: b.n === 0 ? null : b.sumA / b.n,
  }));
  const ece = reliability.reduce(
    (s, b) => (b.n === 0 ? s : s + (b.n / points.length) * Math.abs(b.meanPA! - b.fractionA!)),
    0,
  );
  return { n: points.length, bins, ece, reliability };
}
