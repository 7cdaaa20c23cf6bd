/**
 * An arithmetic slip: the kind of mistake a weak reasoner makes on one step. Off by one or two, or
 * a carry error of ten where the result has a tens digit. The same slips make the wrong response of
 * each pair, so a reasoner's mistake sometimes lands exactly on the wrong answer, as a human's
 * would.
 */
import type { WorldRng } from "./createWorldRng.js";
import type { SlipWeights } from "./types.js";

/** `value` plus a nonzero slip; never negative. */
export function applySlip(value: number, rng: WorldRng, weights: SlipWeights): number {
  const kind = rng.weighted<keyof SlipWeights>(weights);
  // A carry error needs a carry; below 10 it becomes an off-by-one.
  const size = kind === "ten" && value >= 10 ? 10 : kind === "two" ? 2 : 1;
  const up = rng.chance(0.5);
  if (up || value - size < 0) return value + size;
  return value - size;
}
