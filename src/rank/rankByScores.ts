/**
 * Turns per-candidate scores into a ranking. Unscored candidates (null) go last; equal scores are
 * ordered by a second key and then by index, so a ranking never depends on sort stability.
 */
export function rankByScores(
  scores: readonly (number | null)[],
  tieBreak: readonly (number | null)[] = [],
): number[] {
  const key = (v: number | null | undefined) =>
    v === null || v === undefined ? Number.NEGATIVE_INFINITY : v;
  const desc = (u: number, v: number) => (u === v ? 0 : u > v ? -1 : 1);
  return scores
    .map((_, i) => i)
    .sort(
      (x, y) => desc(key(scores[x]), key(scores[y])) || desc(key(tieBreak[x]), key(tieBreak[y])) || x - y,
    );
}
