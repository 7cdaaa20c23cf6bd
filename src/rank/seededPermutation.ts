/**
 * A permutation of 0..n−1 that depends only on (salt, seed, n): brackets and round-robin schedules
 * must not depend on the order candidates were listed in, or a policy that always lists its
 * favourite first would get a better draw.
 */
import { hash32 } from "../judge/hash32.js";
import { mulberry32 } from "../random/index.js";

export function seededPermutation(n: number, seed: number, salt: string): number[] {
  const rng = mulberry32(hash32(salt, seed, n));
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
