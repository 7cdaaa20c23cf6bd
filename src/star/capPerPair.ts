/**
 * OQ-5: at most `maxPerPair` training chains per pair, chosen by a seeded hash of (pair, order,
 * index) rather than by position, so easy pairs with K usable chains do not dominate the data and
 * the choice does not depend on which samples finished first.
 */
import { hash32 } from "../judge/hash32.js";
import type { JudgeSample } from "../judge/types.js";
import type { StarCounts } from "./types.js";

export function capPerPair<S extends Pick<JudgeSample, "order" | "index">>(
  kept: readonly S[],
  pairId: string,
  options: { seed: number; maxPerPair: number | null },
  counts: StarCounts,
): S[] {
  const { seed, maxPerPair } = options;
  if (maxPerPair === null || kept.length <= maxPerPair) return [...kept];
  const rank = (s: S) => hash32("genrm/star/cap", seed, pairId, s.order, s.index);
  const chosen = new Set([...kept].sort((a, b) => rank(a) - rank(b)).slice(0, maxPerPair));
  counts.droppedOverCap += kept.length - chosen.size;
  return kept.filter((s) => chosen.has(s));
}
