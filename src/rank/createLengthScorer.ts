/**
 * The model-free scalar baseline: score = response length. Best-of-N with it is "pick the longest",
 * the choice a length-biased judge converges to, so a judge that cannot beat it is reading length.
 */
import { type LengthUnit, responseLength } from "../judge/responseLength.js";
import type { ScalarScorer } from "./types.js";

export interface LengthScorerOptions {
  /** "chars" counts Unicode code points; "words" whitespace-separated words. Defaults to "chars". */
  unit?: LengthUnit;
}

export function createLengthScorer(options: LengthScorerOptions = {}): ScalarScorer {
  const { unit = "chars" } = options;
  return { name: `length (${unit})`, score: async (_prompt, response) => responseLength(response, unit) };
}
