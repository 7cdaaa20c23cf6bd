/**
 * Reads the verdict out of a judge's text. Unlike RewardBench's `process_judgement` (first
 * substring test wins, so a text containing both tokens is always "A"), the LAST verdict wins:
 * rationales often quote the required format ("output [[A]] if…") before giving their own answer
 * (paper-spec §2.4). No verdict is a value, `{verdict: "error", reason}`, never an exception.
 */
import type { ParsedVerdict } from "./types.js";

/** `[[A]]` / `[[B]]`, the MT-Bench pair-v2 format. */
export const bracketVerdictFormat: RegExp = /\[\[([AB])\]\]/g;

export interface ParseVerdictOptions {
  /**
   * Pattern whose first capture group is the verdict letter ("A" or "B", any case); the last match
   * wins. Defaults to `bracketVerdictFormat`.
   */
  format?: RegExp;
  /**
   * The sample stopped at its token cap: its verdict is "error" with reason "truncated", even when
   * the text holds a verdict token (a cut chain's `[[A]]` is often quoted from the instructions, not
   * its conclusion), so it counts as an error in a vote and a too-small `maxTokens` is told apart
   * from a judge that ignored the format. Defaults to false.
   */
  truncated?: boolean;
}

export function parseVerdict(text: string, options: ParseVerdictOptions = {}): ParsedVerdict {
  const { format = bracketVerdictFormat, truncated = false } = options;
  if (truncated) return { verdict: "error", reason: "truncated" };
  const pattern = format.global ? format : new RegExp(format.source, `${format.flags}g`);
  let last: string | undefined;
  for (const match of text.matchAll(pattern)) {
    const letter = match[1]?.toUpperCase();
    if (letter === "A" || letter === "B") last = letter;
  }
  if (last === "A" || last === "B") return { verdict: last };
  return { verdict: "error", reason: truncated ? "truncated" : "no verdict" };
}
