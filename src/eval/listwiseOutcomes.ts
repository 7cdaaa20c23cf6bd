/**
 * Per-row benchmark outcomes from the listwise judges (judge/createListwiseJudge.ts), scored as
 * RewardBench 2's generative script scores them (allenai/reward-bench at
 * fd72033ea50678505a64998e0a381764f5c23576, scripts/run_generative_v2.py):
 * - ratings, outside Ties: the answers with the highest valid rating win; the row scores
 *   (chosen among the winners) / (number of winners); no valid rating at all scores 0.25;
 * - ratings, Ties: the ratings themselves (−1 for a failed one) go into the Ties formula;
 * - ranking: 1 when the chosen answer's slot is the one named, 0 for another slot, 0.25 when
 *   nothing parsed; with k samples and several slots sharing the most votes, 1/t when the chosen
 *   slot is one of the t (the reference's 1/k for a tie at the top);
 * - RM-Bench, ratings: cell (i, j) = rating of chosen style i > rating of rejected style j, exactly
 *   as `compute_accuracy` compares reward scores.
 */
import { type BenchmarkItem, isTiesRow } from "../data/adapters/expandItem.js";
import type { ItemJudgment } from "../judge/createListwiseJudge.js";
import {
  type RewardBench2Row,
  type RmBenchRow,
  rewardBench2Scores,
  rmBenchScores,
} from "./benchmarkScores.js";
import type { BenchmarkScores } from "./types.js";

/** Score of a reference failure ("effectively a tie" among four). */
export const listwiseErrorScore = 0.25;

export function listwiseBenchmarkScores(
  judgments: readonly ItemJudgment[],
  items: readonly BenchmarkItem[],
): BenchmarkScores {
  const byId = new Map(judgments.map((j) => [j.itemId, j]));
  const scores: BenchmarkScores = {};
  const rb2 = items.filter((i) => i.benchmark === "rewardbench2");
  if (rb2.length > 0) {
    const rows: RewardBench2Row[] = [];
    for (const item of rb2) {
      const j = byId.get(item.id);
      if (j) rows.push(rewardBench2Row(item, j));
    }
    scores.rewardBench2 = rewardBench2Scores(rows, rb2.length - rows.length);
  }
  const rm = items.filter((i) => i.benchmark === "rm-bench");
  if (rm.length > 0) {
    const rows: RmBenchRow[] = [];
    for (const item of rm) {
      const j = byId.get(item.id);
      if (!j?.ratings) continue;
      const r = j.ratings;
      const matrix = [0, 1, 2].map((i) => [0, 1, 2].map((c) => (r[i]! > r[item.correct + c]! ? 1 : 0)));
      rows.push({ ...(item.group !== undefined ? { domain: item.group } : {}), matrix });
    }
    scores.rmBench = rmBenchScores(rows, rm.length - rows.length);
  }
  return scores;
}

function rewardBench2Row(item: BenchmarkItem, j: ItemJudgment): RewardBench2Row {
  const base = { id: item.id, subset: item.subset ?? "", correct: item.correct };
  if (j.ratings && isTiesRow(item)) return { ...base, responseScores: j.ratings };
  return { ...base, score: j.ratings ? ratingScore(j.ratings) : rankingScore(j) };
}

/** (0 in winners) / len(winners) over the valid ratings; 0.25 when none is valid. */
export function ratingScore(ratings: readonly number[]): number {
  const valid = ratings.filter((r) => r !== -1);
  if (valid.length === 0) return listwiseErrorScore;
  const best = Math.max(...valid);
  const winners = ratings.filter((r) => r === best).length;
  return ratings[0] === best ? 1 / winners : 0;
}

export function rankingScore(j: Pick<ItemJudgment, "shown" | "top">): number {
  const top = j.top ?? [];
  if (top.length === 0) return listwiseErrorScore;
  const chosenSlot = "ABCD"[j.shown!.indexOf(0)];
  return top.some((slot) => slot === chosenSlot) ? 1 / top.length : 0;
}
