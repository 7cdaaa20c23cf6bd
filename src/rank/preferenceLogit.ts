/**
 * Eq. 6 of the paper: r(x, y) − r(x, y_ref) = log(p / (1 − p)) with p = p(y ≻ y_ref | x). The
 * probability is clipped to [ε, 1 − ε] first, because a judge that is certain (p = 0 or 1 from a
 * unanimous unsmoothed vote or a saturated token probability) would otherwise give ±∞ and one
 * sample would dominate a PPO batch.
 */

/** ε = 1e-3 bounds rewards to ±6.9, well above what Laplace-smoothed votes reach (k = 32: ±4.8). */
export const defaultEpsilon = 1e-3;

export function preferenceLogit(p: number, epsilon: number = defaultEpsilon): number {
  if (!(epsilon > 0 && epsilon < 0.5)) throw new RangeError(`epsilon must be in (0, 0.5), got ${epsilon}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be a probability in [0, 1], got ${p}`);
  const q = Math.min(1 - epsilon, Math.max(epsilon, p));
  return Math.log(q / (1 - q));
}
