/**
 * "Longer response wins": the length-bias probe of PR-8. On RewardBench's alpacaeval-easy and
 * -hard the chosen answer is always the longer one, so a judge near this baseline there may be
 * reading length rather than quality.
 */
import { baselineJudge } from "./baselineJudge.js";
import { type LengthUnit, longerResponse } from "./responseLength.js";
import type { Judge } from "./types.js";

export interface LengthJudgeOptions {
  /** "chars" counts Unicode code points; "words" counts whitespace-separated words. Defaults to "chars". */
  unit?: LengthUnit;
}

export const defaultLengthJudgeOptions = { unit: "chars" } satisfies LengthJudgeOptions;

export function createLengthJudge(options: LengthJudgeOptions = {}): Judge {
  const { unit = defaultLengthJudgeOptions.unit } = options;
  return baselineJudge("length", `longer response wins, measured in ${unit}`, 0, (pair) => {
    const verdict = longerResponse(pair.responseA, pair.responseB, unit);
    return { verdict, pA: verdict === "A" ? 1 : verdict === "B" ? 0 : 0.5 };
  });
}
