/**
 * Seeded random streams for the mini world. Each stream is named (a split, the corpus), so the
 * pairs of one split do not change when another split's size does. mulberry32 on a seed mixed with
 * the stream name by FNV-1a: tiny, fast, identical on every platform; not for cryptography.
 */

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
  let state = fnv1a(`${seed}\u0000${stream}`);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

/** FNV-1a (32-bit) of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
