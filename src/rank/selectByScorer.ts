/**
 * Best-of-N with a pointwise reward model (`ScalarScorer`): one score per candidate, highest
 * selected, no pairwise games. The baseline every pairwise scheme should beat at equal cost.
 */
import pLimit from "p-limit";
import { throwIfAborted } from "../errors.js";
import { rankByScores } from "./rankByScores.js";
import type { CandidateSet, ScalarScorer, SelectionResult } from "./types.js";

export interface SelectByScorerOptions {
  /** Scorer calls at once. Defaults to 4. */
  concurrency?: number;
  seed?: number;
  signal?: AbortSignal;
}

export async function selectByScorer(
  scorer: ScalarScorer,
  set: CandidateSet,
  options: SelectByScorerOptions = {},
): Promise<SelectionResult> {
  const { concurrency = 4, seed = 0, signal } = options;
  if (set.candidates.length === 0) throw new RangeError("a candidate set needs at least one candidate");
  const startedAt = performance.now();
  const limit = pLimit(concurrency);
  const scores = await Promise.all(
    set.candidates.map((c) =>
      limit(() => {
        throwIfAborted(signal);
        return scorer.score(set.prompt, c, { signal });
      }),
    ),
  );
  const ranking = rankByScores(scores);
  return {
    scheme: "scalar",
    selected: ranking[0],
    ranking,
    scores,
    comparisons: [],
    usage: {
      comparisons: 0,
      promptTokens: 0,
      completionTokens: 0,
      scorerCalls: scores.length,
      wallMs: performance.now() - startedAt,
    },
    budget: { maxComparisons: null, maxTokens: null, exhausted: false, unplayed: 0 },
    seed,
  };
}
