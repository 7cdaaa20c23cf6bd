/**
 * Seeded random streams for the mini world. Each stream is named (a split, the corpus), so the
 * pairs of one split do not change when another split's size does: mulberry32 seeded with the
 * FNV-1a hash of the seed and the stream name.
 */
import { fnv1a, mulberry32 } from "../random/index.js";

export interface WorldRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A key drawn in proportion to its weight (weights ≥ 0, some > 0). */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K;
}

export function createWorldRng(seed: number, stream: string): WorldRng {
  const { next } = mulberry32(fnv1a(`${seed}\u0000${stream}`));
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: <K extends string>(weights: Partial<Record<K, number>>): K => {
      const entries = Object.entries(weights) as [K, number][];
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      let last = entries[0]![0];
      for (const [key, w] of entries) {
        if (w <= 0) continue;
        last = key;
        x -= w;
        if (x < 0) return key;
      }
      // Rounding can leave x at 0 after the last positive weight.
      return last;
    },
  };
}
