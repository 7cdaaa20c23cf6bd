/**
 * Best-of-N against a fixed reference answer (PR-3): each candidate plays the reference once, its
 * score is the Eq. 6 reward logit(clip(p̂(y ≻ y_ref))), and the highest score is selected. N games,
 * and the scores are comparable across prompts and runs, unlike tournament scores.
 */
import type { Judge } from "../judge/types.js";
import { ComparisonLedger, type ComparisonLedgerOptions, referenceIndex } from "./ComparisonLedger.js";
import { defaultEpsilon, preferenceLogit } from "./preferenceLogit.js";
import { rankByScores } from "./rankByScores.js";
import type { CandidateSet, SelectionResult } from "./types.js";

export interface SelectAgainstReferenceOptions extends ComparisonLedgerOptions {
  /** Defaults to 1e-3. */
  epsilon?: number;
}

export async function selectAgainstReference(
  judge: Judge,
  set: CandidateSet,
  options: SelectAgainstReferenceOptions = {},
): Promise<SelectionResult> {
  const { epsilon = defaultEpsilon } = options;
  if (set.reference === undefined) throw new RangeError('scheme "reference" needs a reference answer');
  const n = set.candidates.length;
  if (n === 0) throw new RangeError("a candidate set needs at least one candidate");
  const ledger = new ComparisonLedger(judge, set, options);
  const games = await Promise.all(set.candidates.map((_, i) => ledger.play(i, referenceIndex, "open")));
  const scores = games.map((g) => (g === null || g.pA === null ? null : preferenceLogit(g.pA, epsilon)));
  // Under the clip, several candidates can share the top score; the raw p̂ still orders them.
  const ranking = rankByScores(
    scores,
    games.map((g) => g?.pA ?? null),
  );
  return {
    scheme: "reference",
    selected: ranking[0],
    ranking,
    scores,
    comparisons: ledger.comparisons,
    usage: ledger.usage(),
    budget: ledger.budgetReport(),
    seed: ledger.seed,
  };
}
