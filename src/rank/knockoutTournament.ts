/**
 * Single-elimination Best-of-N (Chen et al. 2024, arXiv 2411.19477; PairRM's "bubble" is the
 * sequential variant): adjacent candidates meet, winners advance, N−1 games in all. Each game is one
 * judge call, so with a both-orders judge every game is played in both orders.
 *
 * The bracket is a seeded shuffle of the candidates. An odd one out gets a bye and is put first in
 * the next round, so no candidate gets two byes in a row. A game that ends even, fails, or that the
 * budget refuses is settled by a seeded coin and marked as such (`decidedBy`).
 */
import type { Judge } from "../judge/types.js";
import { ComparisonLedger, type ComparisonLedgerOptions } from "./ComparisonLedger.js";
import { seededPermutation } from "./seededPermutation.js";
import type { CandidateSet, SelectionResult } from "./types.js";

export type KnockoutOptions = ComparisonLedgerOptions;

export async function knockoutTournament(
  judge: Judge,
  set: CandidateSet,
  options: KnockoutOptions = {},
): Promise<SelectionResult> {
  const ledger = new ComparisonLedger(judge, set, options);
  const n = set.candidates.length;
  if (n === 0) throw new RangeError("a candidate set needs at least one candidate");
  const bracket = seededPermutation(n, ledger.seed, "genrm/rank/knockout");
  const position = new Map(bracket.map((c, p) => [c, p]));
  const wins = new Array<number>(n).fill(0);
  // Round in which each candidate was knocked out; the champion survives every round.
  const outIn = new Array<number>(n).fill(Number.POSITIVE_INFINITY);

  let alive = bracket;
  for (let round = 0; alive.length > 1; round++) {
    const games: [number, number][] = [];
    for (let k = 0; k + 1 < alive.length; k += 2) games.push([alive[k], alive[k + 1]]);
    const bye = alive.length % 2 === 1 ? alive[alive.length - 1] : undefined;
    const results = await Promise.all(games.map(([a, b]) => ledger.play(a, b, "decisive")));
    const next: number[] = bye === undefined ? [] : [bye];
    for (const [k, result] of results.entries()) {
      const [a, b] = games[k];
      const winner = result.winner ?? a;
      const loser = winner === a ? b : a;
      wins[winner]++;
      outIn[loser] = round;
      next.push(winner);
    }
    alive = next;
  }

  const ranking = [...bracket].sort(
    (x, y) => outIn[y] - outIn[x] || wins[y] - wins[x] || position.get(x)! - position.get(y)!,
  );
  return {
    scheme: "knockout",
    selected: alive[0],
    ranking,
    scores: wins,
    comparisons: ledger.comparisons,
    usage: ledger.usage(),
    budget: ledger.budgetReport(),
    seed: ledger.seed,
  };
}
