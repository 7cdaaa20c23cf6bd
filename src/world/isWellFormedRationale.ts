/**
 * Whether a text is a rationale in the mini world's grammar (docs/mini-world.md), whatever its
 * arithmetic: worked steps, the two quotes (each with its check against the result, or without:
 * the grammar before the checks were added), a conclusion and a verdict that agrees with it; or a
 * cue-only conclusion and its verdict. Model samples that splice steps into quotes, repeat a
 * section or cut a sentence are not. STaR-Rationalizer's hinted rows drift into such texts, so the
 * demo counts them per iteration.
 */
import { heuristicPhrases } from "./writeRationale.js";

const cue = Object.values(heuristicPhrases)
  .map((p) => p.replace("{X}", "([AB])").replace(".", "\\."))
  .join("|");
// Compact (`3+4=7.`) or spaced (`3 + 4 = 7.`) steps: `StepFormat`.
const step = "-?\\d+ ?[+-] ?\\d+ ?= ?-?\\d+\\.";
const quote = (slot: string) => `${slot} says (?:-?\\d+|nothing)(?:, (?:yes|no))?\\.`;
const conclusion = `(?:([AB]) is right\\.|(?:Neither is|Both are) right; (?:${cue}))`;
const worked = new RegExp(`^(?:${step} )+${quote("A")} ${quote("B")} ${conclusion} \\[\\[([AB])\\]\\]$`);
const cueOnly = new RegExp(`^(?:${cue}) \\[\\[([AB])\\]\\]$`);

export function isWellFormedRationale(text: string): boolean {
  const t = text.trim();
  const w = worked.exec(t);
  if (w) {
    const named = w.slice(1, -1).find((g) => g !== undefined);
    return named === w.at(-1);
  }
  const c = cueOnly.exec(t);
  if (c) return c.slice(1, -1).find((g) => g !== undefined) === c.at(-1);
  return false;
}
