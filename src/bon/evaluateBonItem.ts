/**
 * Scores one selection against the human ranking of its candidates, next to the two model-free
 * baselines: a uniformly random pick (expected values, exact: no sampling noise) and the longest
 * response (the pick a length-biased judge drifts to). Unlabelled items are reported with nulls. A
 * selection that leaves a tie at the top (`tiedTop`, a rating judge) is worth the expected value of
 * a uniform pick among the tied candidates, as RewardBench 2 scores a tie among ratings.
 */
import { responseLength } from "../judge/responseLength.js";
import type { SelectionResult } from "../rank/types.js";
import { humanRanks } from "./humanRanks.js";
import type { BonItem, BonItemResult } from "./types.js";

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Index of the longest candidate; the first among equals. */
export function longestCandidate(texts: readonly string[]): number {
  const lengths = texts.map((t) => responseLength(t));
  let best = 0;
  for (let i = 1; i < lengths.length; i++) if (lengths[i]! > lengths[best]!) best = i;
  return best;
}

export function evaluateBonItem(item: BonItem, selection: SelectionResult): BonItemResult {
  const n = item.candidates.length;
  const scores = item.candidates.map((c) => c.humanScore);
  const labelled = n > 0 && scores.every((s): s is number => s !== undefined);
  const ranks = labelled ? humanRanks(scores as number[]) : null;
  const humanBest = ranks ? ranks.flatMap((r, i) => (r === Math.min(...ranks) ? [i] : [])) : [];
  const longest = longestCandidate(item.candidates.map((c) => c.text));
  const judged = (i: number) => ({
    humanRank: ranks ? ranks[i] : null,
    hit: ranks ? humanBest.includes(i) : null,
  });
  return {
    id: item.id,
    ...(item.category ? { category: item.category } : {}),
    n,
    selected: selection.selected,
    ranking: selection.ranking,
    scores: selection.scores,
    humanBest,
    ...judged(selection.selected),
    ...(selection.tiedTop
      ? {
          tiedTop: {
            candidates: selection.tiedTop,
            hit: ranks
              ? selection.tiedTop.filter((i) => humanBest.includes(i)).length / selection.tiedTop.length
              : null,
            humanRank: ranks ? mean(selection.tiedTop.map((i) => ranks[i]!)) : null,
          },
        }
      : {}),
    longest: { selected: longest, ...judged(longest) },
    random: ranks
      ? { humanRank: (n + 1) / 2, hitRate: humanBest.length / n }
      : { humanRank: null, hitRate: null },
    comparisons: selection.usage.comparisons,
    promptTokens: selection.usage.promptTokens,
    completionTokens: selection.usage.completionTokens,
    budgetExhausted: selection.budget.exhausted,
    unplayed: selection.budget.unplayed,
  };
}
