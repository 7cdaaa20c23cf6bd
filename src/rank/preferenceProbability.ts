/**
 * p̂(responseA ≻ responseB) of one Judgment, the quantity Eq. 6 turns into a reward (PR-2):
 * - sampled verdicts (CoT, k per order): Laplace-smoothed vote share (k_A + ½) / (k_A + k_B + 1),
 *   pooled over both orders so the estimate is symmetrised the same way the votes were cast;
 * - no sampled verdicts (direct protocol, baselines): the judge's own pA, which for the direct
 *   protocol is already the mean over orders of the renormalised verdict-token probabilities.
 * A judgment with verdict "error" gives null: a failed judgment is never read as an even one.
 */
import type { Judgment } from "../judge/types.js";
import type { ProbabilityOptions } from "./types.js";

export const defaultProbabilityOptions = { smoothing: "laplace" } satisfies ProbabilityOptions;

export function preferenceProbability(judgment: Judgment, options: ProbabilityOptions = {}): number | null {
  const { smoothing = defaultProbabilityOptions.smoothing } = options;
  if (judgment.verdict === "error" || judgment.pA === null) return null;
  if (judgment.samples.length === 0) return judgment.pA;
  const a = judgment.votes.A;
  const valid = a + judgment.votes.B;
  if (valid === 0) return null;
  return smoothing === "laplace" ? (a + 0.5) / (valid + 1) : a / valid;
}
