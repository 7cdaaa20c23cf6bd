/**
 * Best-of-N picks for every N at once from one set of answers: the answers for N are the first N of
 * the sampled ones, so a pick for N only looks at that prefix.
 */
import { hash32 } from "../../judge/hash32.js";
import { knockoutPrefixChampion } from "../../rank/knockoutTournament.js";
import type { SelectionResult } from "../../rank/types.js";

/**
 * Argmax of `scores` over each prefix 0..N−1; tied top scores are split by a seeded coin per
 * answer (the lowest `hash32(salt, seed, key, i)` wins), so the pick among ties is uniform and
 * the same on every run, and a pick for N stays the pick for a larger N unless a later answer beats
 * it.
 */
export function prefixArgmax(
  scores: readonly number[],
  ns: readonly number[],
  coin: { seed: number; key: string; salt: string },
): number[] {
  const draws = scores.map((_, i) => hash32(coin.salt, coin.seed, coin.key, i));
  return ns.map((n) => {
    if (!Number.isInteger(n) || n < 1 || n > scores.length) {
      throw new RangeError(`N must be an integer in 1..${scores.length}, got ${n}`);
    }
    let best = 0;
    for (let i = 1; i < n; i++) {
      const s = scores[i]!;
      const b = scores[best]!;
      if (s > b || (s === b && draws[i]! < draws[best]!)) best = i;
    }
    return best;
  });
}

/**
 * Picks of one "in-order" knockout over all the answers: the champion of the sub-bracket over each
 * prefix (N = 1 is answer 0, which plays no game).
 */
export function knockoutPicks(selection: SelectionResult, ns: readonly number[]): number[] {
  return ns.map((n) => (n === 1 ? 0 : knockoutPrefixChampion(selection, n)));
}
