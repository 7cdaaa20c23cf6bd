/**
 * Fractional ("1 2.5 2.5 4") ranks of candidates by human score, 1 = best. Ties share the mean of
 * the places they occupy, so a random pick's expected rank is exactly (N + 1) / 2 whatever the ties.
 */
export function humanRanks(scores: readonly number[]): number[] {
  const order = scores.map((s, i) => ({ s, i })).sort((x, y) => y.s - x.s);
  const ranks = new Array<number>(scores.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].s === order[start].s) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k].i] = rank;
    start = end + 1;
  }
  return ranks;
}
