/**
 * The one length measure of the length baselines (the length judge and scorer, Best-of-N's longest
 * candidate, the mini world's length statistics and its reasoner's "longer" heuristic).
 * "chars" counts Unicode code points, which is what a user means by characters: UTF-16 units count
 * an emoji as two, UTF-8 bytes count an accented letter as two and a CJK character as three, so
 * either would call a non-English answer longer than it reads. "words" counts whitespace-separated
 * words.
 */
import type { Slot } from "../types.js";

export type LengthUnit = "chars" | "words";

export function responseLength(text: string, unit: LengthUnit = "chars"): number {
  if (unit === "words") return text.split(/\s+/).filter(Boolean).length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The slot of the longer response, or "tie" at equal length. */
export function longerResponse(a: string, b: string, unit: LengthUnit = "chars"): Slot | "tie" {
  const la = responseLength(a, unit);
  const lb = responseLength(b, unit);
  return la > lb ? "A" : lb > la ? "B" : "tie";
}
