/**
 * Aggregates per-item Best-of-N results: hit rate (selection among the human-best) with a bootstrap
 * 95% CI, mean human rank and mean normalised rank, for the selection and both baselines. Only
 * evaluable items count: labelled, with human scores that are not all equal (an item whose
 * candidates people rated the same cannot tell selections apart).
 */
import { bootstrapCI } from "../eval/bootstrapCI.js";
import type { SelectionScheme } from "../rank/types.js";
import type { BonItemResult, BonMethodSummary, BonSummary } from "./types.js";

const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);

function method(
  results: readonly BonItemResult[],
  pick: (r: BonItemResult) => { hit: number; rank: number },
  seed: number,
): BonMethodSummary {
  const hits = results.map((r) => pick(r).hit);
  const ci = bootstrapCI(hits, { seed });
  return {
    hitRate: ci ? { estimate: ci.estimate, lower: ci.lower, upper: ci.upper } : null,
    meanHumanRank: mean(results.map((r) => pick(r).rank)),
    meanNormalizedRank: mean(results.map((r) => (pick(r).rank - 1) / (r.n - 1))),
  };
}

export function summarizeBon(
  results: readonly BonItemResult[],
  scheme: SelectionScheme,
  options: { seed?: number } = {},
): BonSummary {
  const { seed = 0 } = options;
  const evaluable = results.filter((r) => r.humanRank !== null && r.humanBest.length < r.n);
  const comparisons = results.reduce((s, r) => s + r.comparisons, 0);
  const prompt = results.reduce((s, r) => s + r.promptTokens, 0);
  const completion = results.reduce((s, r) => s + r.completionTokens, 0);
  return {
    items: results.length,
    evaluable: evaluable.length,
    meanCandidates: mean(results.map((r) => r.n)) ?? 0,
    scheme,
    selection: method(
      evaluable,
      (r) =>
        r.tiedTop
          ? { hit: r.tiedTop.hit!, rank: r.tiedTop.humanRank! }
          : { hit: r.hit ? 1 : 0, rank: r.humanRank! },
      seed,
    ),
    random: method(evaluable, (r) => ({ hit: r.random.hitRate!, rank: r.random.humanRank! }), seed),
    longest: method(evaluable, (r) => ({ hit: r.longest.hit ? 1 : 0, rank: r.longest.humanRank! }), seed),
    comparisons: { total: comparisons, perItem: results.length === 0 ? 0 : comparisons / results.length },
    tokens: {
      prompt,
      completion,
      perItem: results.length === 0 ? 0 : (prompt + completion) / results.length,
    },
    budgetExhaustedItems: results.filter((r) => r.budgetExhausted).length,
  };
}
