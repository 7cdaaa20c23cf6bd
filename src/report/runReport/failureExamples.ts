/**
 * Judgments the judge got wrong, with what it wrote: the first few by pair id (a stable choice, so
 * the same run gives the same page), and for each the rationale of a sample that voted for the
 * wrong answer.
 */
import type { PreferencePair } from "../../data/types.js";
import { scorePair } from "../../eval/scorePair.js";
import type { ScoreOptions } from "../../eval/types.js";
import type { Judgment } from "../../judge/types.js";

export interface FailureExample {
  judgment: Judgment;
  /** The pair, when the run's data could be read. */
  pair: PreferencePair | null;
  /** The label, from the pair; null when the pair is unknown. */
  label: "A" | "B" | null;
  /** Text of a sample that voted as the judgment did (or the first sample); null for a model-free judge. */
  rationale: string | null;
  /** The order the answers were shown in for that sample ("BA": the judge's "Assistant A" is answer B). */
  rationaleOrder: "AB" | "BA" | null;
}

/**
 * Judgments scored 0 (a wrong verdict). Without the pairs no label is known, so none is a failure.
 * Ties and errors score 0.5 and are not failures either: their samples say why instead.
 */
export function failureExamples(
  judgments: readonly Judgment[],
  pairs: ReadonlyMap<string, PreferencePair> | null,
  limit: number,
  options: ScoreOptions = {},
): { examples: FailureExample[]; total: number } {
  const examples: FailureExample[] = [];
  let total = 0;
  for (const j of judgments) {
    const pair = pairs?.get(j.pairId);
    if (!pair || pair.label === "tie" || scorePair(j.verdict, pair.label, options) !== 0) continue;
    total++;
    if (examples.length >= limit) continue;
    const voted = j.samples.find((s) => s.verdict === j.verdict) ?? j.samples[0];
    examples.push({
      judgment: j,
      pair,
      label: pair.label,
      rationale: voted?.text ?? null,
      rationaleOrder: voted?.order ?? null,
    });
  }
  return { examples, total };
}
