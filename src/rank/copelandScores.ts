/**
 * Copeland aggregation of round-robin games: a game is a win for the side with p̂ > ½, a tie at
 * exactly ½; score = (wins − losses) / games, so a candidate the budget let play fewer games is not
 * penalised for it. Ties between scores are broken by the mean soft score (mean p̂ over games), which
 * keeps the information the hard count throws away, then by index.
 */
import type { Comparison } from "./types.js";

export interface CopelandRecord {
  wins: number;
  losses: number;
  ties: number;
  games: number;
  /** (wins − losses) / games; null with no games. */
  score: number | null;
  /** Mean p̂(candidate ≻ opponent) over its games; null with no games. */
  softScore: number | null;
}

export function copelandScores(n: number, comparisons: readonly Comparison[]): CopelandRecord[] {
  const rec = Array.from({ length: n }, () => ({ wins: 0, losses: 0, ties: 0, soft: 0 }));
  for (const c of comparisons) {
    if (c.pA === null || c.a < 0 || c.b < 0) continue;
    rec[c.a].soft += c.pA;
    rec[c.b].soft += 1 - c.pA;
    if (c.pA > 0.5) {
      rec[c.a].wins++;
      rec[c.b].losses++;
    } else if (c.pA < 0.5) {
      rec[c.b].wins++;
      rec[c.a].losses++;
    } else {
      rec[c.a].ties++;
      rec[c.b].ties++;
    }
  }
  return rec.map(({ wins, losses, ties, soft }) => {
    const games = wins + losses + ties;
    return {
      wins,
      losses,
      ties,
      games,
      score: games === 0 ? null : (wins - losses) / games,
      softScore: games === 0 ? null : soft / games,
    };
  });
}
