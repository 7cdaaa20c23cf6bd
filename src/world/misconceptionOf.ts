/**
 * The teacher's misconceptions: a fixed share of arithmetic facts ("17+5") that it believes have a
 * wrong result. Which facts, and the wrong result, are a hash of the fact with a constant salt, so
 * every rationale in the corpus repeats the same mistakes. Random slips average out over samples
 * (majority voting fixes them); misconceptions do not, so only the human labels can correct them,
 * which is what separates STaR from self-consistency in this world.
 */

import { fnv1a } from "../random/index.js";
import { applySlip } from "./applySlip.js";
import { createWorldRng } from "./createWorldRng.js";
import type { SlipWeights } from "./types.js";

/** The believed result of `left op right`, or null when the fact is known correctly. */
export function misconceptionOf(
  left: number,
  op: "+" | "-",
  right: number,
  share: number,
  slip: SlipWeights,
): number | null {
  if (share <= 0) return null;
  const fact = `${left}${op}${right}`;
  if (fnv1a(`genrm-world-misconception\u0000${fact}`) / 4294967296 >= share) return null;
  const exact = op === "+" ? left + right : left - right;
  return applySlip(exact, createWorldRng(0, `misconception:${fact}`), slip);
}
