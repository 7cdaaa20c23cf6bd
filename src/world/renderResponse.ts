/**
 * The wording of a response, which carries the surface cue. Terse answers are at most 13 bytes and
 * verbose ones at least 40, so "the longer response" and "the verbose response" are always the
 * same one whatever the numbers, and a length judge reads the cue exactly. No phrase contains a
 * digit, so the stated answer is the last integer in the text.
 */
import type { WorldRng } from "./createWorldRng.js";
import type { ResponseStyle } from "./types.js";

export const responsePhrases: Readonly<Record<ResponseStyle, readonly string[]>> = {
  terse: ["{n}", "{n}.", "It is {n}.", "Answer: {n}"],
  verbose: [
    "Working through each number, the result is {n}.",
    "I checked every number, and the answer is {n}.",
    "Step by step, the final answer comes to {n}.",
    "After careful work, I am sure that it is {n}.",
  ],
};

export function renderResponse(value: number, style: ResponseStyle, rng: WorldRng): string {
  return rng.pick(responsePhrases[style]).replace("{n}", `${value}`);
}

/** The number a response states: its last integer, or null. */
export function statedValue(text: string): number | null {
  const matches = text.match(/\d+/g);
  return matches ? Number(matches[matches.length - 1]) : null;
}
