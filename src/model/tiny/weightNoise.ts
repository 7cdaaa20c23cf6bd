/**
 * Deterministic uniform noise for from-scratch weights. Each tensor gets its own stream, seeded from
 * the model seed and the tensor name, so a tensor's values do not depend on which other tensors exist
 * or on write order (a trainer test can regenerate one tensor and compare).
 */
import { FNV1A_OFFSET_BASIS, fnv1a, fnv1aStep, type Mulberry32 } from "../../random/index.js";

/** FNV-1a over both 32-bit halves of the seed and the name, so nearby seeds give unrelated streams. */
export function streamSeed(seed: number, name: string): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  return fnv1a(name, fnv1aStep(FNV1A_OFFSET_BASIS ^ low, high));
}

/** Fills `out` with values uniform in [-a, a) where a = std * sqrt(3), one `rng` draw per value. */
export function fillUniform(out: Float32Array, std: number, rng: Mulberry32): void {
  const a = std * Math.sqrt(3);
  rng.fill(out, -a, a);
}
