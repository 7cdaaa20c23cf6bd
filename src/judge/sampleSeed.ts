/**
 * The engine seed of sample `index` of (pair, order). Deterministic and independent of how many
 * samples are drawn per call, so a resumed or adaptive run asks for exactly the same seeds.
 */
import type { PairId } from "../types.js";
import { hash32 } from "./hash32.js";
import type { Order } from "./types.js";

export function sampleSeed(seed: number, pairId: PairId, order: Order, index: number): number {
  return hash32("genrm/sample", seed, pairId, order, index);
}
