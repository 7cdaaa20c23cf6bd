/**
 * "Longer response wins": the length-bias probe of PR-8. On RewardBench's alpacaeval-easy and
 * -hard the chosen answer is always the longer one, so a judge near this baseline there may be
 * reading length rather than quality.
 */
import { baselineJudge } from "./baselineJudge.js";
import type { Judge } from "./types.js";

export interface LengthJudgeOptions {
  /** "chars" counts Unicode code points; "words" counts whitespace-separated words. Defaults to "chars". */
  unit?: "chars" | "words";
}

export const defaultLengthJudgeOptions = { unit: "chars" } satisfies LengthJudgeOptions;

export function createLengthJudge(options: LengthJudgeOptions = {}): Judge {
  const { unit = defaultLengthJudgeOptions.unit } = options;
  const measure =
    unit === "chars" ? (s: string) => [...s].length : (s: string) => s.split(/\s+/).filter(Boolean).length;
  return baselineJudge("length", `longer response wins, measured in ${unit}`, 0, (pair) => {
    const a = measure(pair.responseA);
    const b = measure(pair.responseB);
    if (a > b) return { verdict: "A", pA: 1 };
    if (b > a) return { verdict: "B", pA: 0 };
    return { verdict: "tie", pA: 0.5 };
  });
}
