/**
 * Single-elimination Best-of-N (Chen et al. 2024, arXiv 2411.19477; PairRM's "bubble" is the
 * sequential variant): adjacent candidates meet, winners advance, N−1 games in all. Each game is one
 * judge call, so with a both-orders judge every game is played in both orders.
 *
 * The bracket is a seeded shuffle of the candidates. An odd one out gets a bye and is put first in
 * the next round, so no candidate gets two byes in a row. A game that ends even, fails, or that the
 * budget refuses is settled by a seeded coin and marked as such (`decidedBy`).
 *
 * `bracket: "in-order"` plays the candidates as listed instead (0–1, 2–3, …). Only for candidates
 * whose order carries no information, such as i.i.d. policy samples: then, for N a power of two, the
 * bracket over candidates 0..N−1 contains the brackets over every prefix 0..2^r−1 as sub-brackets,
 * so one tournament gives the Best-of-2^r pick for every r (`knockoutPrefixChampion`).
 */
import type { Judge } from "../judge/types.js";
import { ComparisonLedger, type ComparisonLedgerOptions } from "./ComparisonLedger.js";
import { seededPermutation } from "./seededPermutation.js";
import type { CandidateSet, SelectionResult } from "./types.js";

export interface KnockoutOptions extends ComparisonLedgerOptions {
  /** "shuffled" (default): a seeded permutation of the candidates; "in-order": as listed. */
  bracket?: "shuffled" | "in-order";
}

export async function knockoutTournament(
  judge: Judge,
  set: CandidateSet,
  options: KnockoutOptions = {},
): Promise<SelectionResult> {
  const ledger = new ComparisonLedger(judge, set, options);
  const n = set.candidates.length;
  if (n === 0) throw new RangeError("a candidate set needs at least one candidate");
  const bracket =
    options.bracket === "in-order"
      ? Array.from({ length: n }, (_, i) => i)
      : seededPermutation(n, ledger.seed, "genrm/rank/knockout");
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

/**
 * The champion of the sub-bracket over candidates 0..size−1 of an "in-order" knockout, for `size` a
 * power of two no larger than the bracket: the one candidate of that prefix that won log2(size)
 * games (every other candidate of the prefix lost a game inside it).
 */
export function knockoutPrefixChampion(result: SelectionResult, size: number): number {
  const rounds = Math.log2(size);
  if (!Number.isInteger(rounds) || size > result.scores.length) {
    throw new RangeError(`prefix size must be a power of two ≤ ${result.scores.length}, got ${size}`);
  }
  const champions = result.scores.slice(0, size).flatMap((wins, i) => ((wins ?? 0) >= rounds ? [i] : []));
  if (champions.length !== 1) {
    throw new RangeError(`no single champion of candidates 0..${size - 1}: is the bracket "in-order"?`);
  }
  return champions[0]!;
}
