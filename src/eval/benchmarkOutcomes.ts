/**
 * Per-row benchmark outcomes from pairwise judgments (the rows' expansion: data/adapters/expandItem.ts),
 * handed to benchmarkScores.ts. How a pairwise game stands in for the reference's scalar scores:
 * - RewardBench 2 outside Ties: the chosen answer was played against each other answer; a lost game
 *   scores the row 0, otherwise t drawn games (tie or unparseable verdict) put t answers level with
 *   it at the top: 1 / (1 + t), the reference's 1/k.
 * - RewardBench 2 Ties: every answer played every other; an answer's scalar is its share of the
 *   points (1 a win, ½ a draw), which the Ties formula then compares as the reference compares
 *   reward-model scores or ratings.
 * - RM-Bench: a cell is 1 when the chosen style won its game; a draw is not "greater", so 0.
 * - JudgeBench: each order's own verdict votes (+1 for the labelled answer, −1 against, 0 for a draw
 *   or nothing parsed); a judgment with one order, or without per-order verdicts (a baseline), is a
 *   single game decided by its verdict.
 */
import { type BenchmarkItem, isTiesRow, itemsFromPairs } from "../data/adapters/expandItem.js";
import type { PreferencePair } from "../data/types.js";
import type { Judgment, PairVerdict } from "../judge/types.js";
import type { PairId } from "../types.js";
import {
  bestOfScore,
  type JudgeBenchOutcome,
  judgeBenchScores,
  type RewardBench2Row,
  type RmBenchRow,
  rewardBench2Scores,
  rmBenchScores,
} from "./benchmarkScores.js";
import { orderVerdict } from "./positionConsistency.js";
import type { BenchmarkScores } from "./types.js";

export function pairwiseBenchmarkScores(
  judgments: readonly Judgment[],
  pairs: readonly PreferencePair[],
): BenchmarkScores | undefined {
  const byId = new Map<PairId, Judgment>(judgments.map((j) => [j.pairId, j]));
  const scores: BenchmarkScores = {};
  const items = itemsFromPairs(pairs);

  const rb2 = items.filter((i) => i.benchmark === "rewardbench2");
  if (rb2.length > 0) {
    const rows: RewardBench2Row[] = [];
    let incomplete = 0;
    for (const item of rb2) {
      const verdicts = itemVerdicts(item, byId);
      if (!verdicts) incomplete++;
      else rows.push(rewardBench2Row(item, verdicts));
    }
    scores.rewardBench2 = rewardBench2Scores(rows, incomplete);
  }

  const rm = items.filter((i) => i.benchmark === "rm-bench");
  if (rm.length > 0) {
    const rows: RmBenchRow[] = [];
    let incomplete = 0;
    for (const item of rm) {
      const verdicts = itemVerdicts(item, byId);
      if (!verdicts) {
        incomplete++;
        continue;
      }
      const matrix = [0, 1, 2].map(() => [0, 0, 0]);
      item.pairs.forEach((pair, k) => {
        matrix[pair.item!.a]![pair.item!.b - item.correct] = verdicts[k] === "A" ? 1 : 0;
      });
      rows.push({ ...(item.group !== undefined ? { domain: item.group } : {}), matrix });
    }
    scores.rmBench = rmBenchScores(rows, incomplete);
  }

  const judgeBench: JudgeBenchOutcome[] = [];
  for (const pair of pairs) {
    if (pair.source !== "judgebench" || pair.label === "tie") continue;
    const judgment = byId.get(pair.id);
    if (judgment) judgeBench.push({ category: pair.subset ?? "", ...netVote(judgment, pair.label) });
  }
  if (judgeBench.length > 0) scores.judgeBench = judgeBenchScores(judgeBench);

  return Object.keys(scores).length > 0 ? scores : undefined;
}

/** The verdict of each of the item's pairs, or undefined when any is unjudged. */
function itemVerdicts(item: BenchmarkItem, byId: ReadonlyMap<PairId, Judgment>): PairVerdict[] | undefined {
  const verdicts: PairVerdict[] = [];
  for (const pair of item.pairs) {
    const judgment = byId.get(pair.id);
    if (!judgment) return undefined;
    verdicts.push(judgment.verdict);
  }
  return verdicts;
}

function rewardBench2Row(item: BenchmarkItem, verdicts: readonly PairVerdict[]): RewardBench2Row {
  const base = { id: item.id, subset: item.subset ?? "", correct: item.correct };
  if (isTiesRow(item)) {
    const points = new Array<number>(item.responses.length).fill(0);
    const games = new Array<number>(item.responses.length).fill(0);
    item.pairs.forEach((pair, k) => {
      const { a, b } = pair.item!;
      const v = verdicts[k];
      games[a]!++;
      games[b]!++;
      points[a]! += v === "A" ? 1 : v === "B" ? 0 : 0.5;
      points[b]! += v === "B" ? 1 : v === "A" ? 0 : 0.5;
    });
    return { ...base, responseScores: points.map((p, i) => (games[i] === 0 ? 0 : p / games[i]!)) };
  }
  // Response 0 scores 1 and each opponent 1 for a win over it, ½ for a draw, 0 for a loss: the
  // chosen answer is at the top unless it lost, level there with every draw.
  const level = [1];
  for (const v of verdicts) level.push(v === "A" ? 0 : v === "B" ? 2 : 1);
  return { ...base, score: bestOfScore(level) };
}

function netVote(judgment: Judgment, label: "A" | "B"): { net: number; orders: number } {
  const perOrderVerdicts = judgment.samples.length > 0 || (judgment.probabilities?.length ?? 0) > 0;
  if (judgment.orders.length === 2 && perOrderVerdicts) {
    const net = judgment.orders
      .map((order) => orderVerdict(judgment, order))
      .reduce((sum, v) => sum + (v === label ? 1 : v === "A" || v === "B" ? -1 : 0), 0);
    return { net, orders: 2 };
  }
  const v = judgment.verdict;
  return { net: v === label ? 1 : v === "A" || v === "B" ? -1 : 0, orders: 1 };
}
