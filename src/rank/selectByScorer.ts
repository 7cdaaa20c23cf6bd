/**
 * Best-of-N with a pointwise reward model (`ScalarScorer`): one score per candidate, highest
 * selected, no pairwise games. The baseline every pairwise scheme should beat at equal cost, and the
 * scheme of a rating judge (`createRatingJudge`), whose ties at the top are reported in `tiedTop`.
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
  const scored = await Promise.all(
    set.candidates.map((c) =>
      limit(async () => {
        throwIfAborted(signal);
        if (scorer.scoreWithUsage) return scorer.scoreWithUsage(set.prompt, c, { signal });
        return { score: await scorer.score(set.prompt, c, { signal }), promptTokens: 0, completionTokens: 0 };
      }),
    ),
  );
  const scores = scored.map((s) => s.score);
  const ranking = rankByScores(scores);
  const top = Math.max(...scores);
  return {
    scheme: "scalar",
    selected: ranking[0]!,
    ranking,
    scores,
    comparisons: [],
    ...(scorer.ties === "split" ? { tiedTop: scores.flatMap((s, i) => (s === top ? [i] : [])) } : {}),
    usage: {
      comparisons: 0,
      promptTokens: scored.reduce((n, s) => n + s.promptTokens, 0),
      completionTokens: scored.reduce((n, s) => n + s.completionTokens, 0),
      scorerCalls: scores.length,
      wallMs: performance.now() - startedAt,
    },
    budget: { maxComparisons: null, maxTokens: null, exhausted: false, unplayed: 0 },
    seed,
  };
}
