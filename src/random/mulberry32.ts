/**
 * mulberry32: one uint32 of state, a few multiplies per value, identical on every platform. The
 * bootstrap, rank permutations, the mini world and the tiny models' weights all draw from it, so
 * their committed numbers (results, `assets/world/base.gguf`'s recipe) depend on this exact stream;
 * not for cryptography.
 */
export interface Mulberry32 {
  /** The next output as an unsigned 32-bit integer. */
  uint32(): number;
  /** The next output scaled to [0, 1). */
  next(): number;
  /**
   * The next `out.length` outputs scaled to [low, high). Weight init draws millions of values, and
   * a loop over local state runs several times faster than as many `uint32()` calls.
   */
  fill(out: Float32Array, low: number, high: number): void;
}

const INCREMENT = 0x6d2b79f5;

function output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

export function mulberry32(seed: number): Mulberry32 {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + INCREMENT) >>> 0;
    return output(state);
  };
  return {
    uint32,
    next: () => uint32() / 4294967296,
    fill(out, low, high) {
      const scale = (high - low) / 4294967296;
      // Signed state keeps the loop in int32 arithmetic; the bits are the same.
      let s = state | 0;
      for (let i = 0; i < out.length; i++) {
        s = (s + INCREMENT) | 0;
        out[i] = output(s) * scale + low;
      }
      state = s >>> 0;
    },
  };
}
