/**
 * Rotary position embedding (Su et al. 2021), fused: the rotation by each row's position angles,
 * and its backward, the rotation by the negative angles. Pair i of a head rotates by
 * position · theta^(-2i/D) / freqFactors[i] (freqFactors: Llama 3's long-context scaling, from
 * the GGUF's rope_freqs tensor).
 */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import type { RopeStyle } from "../backend/types.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { registerOp } from "./registry.js";

const ROPE = registerOp("rope");

export interface RopeOptions {
  /** Size of one head; the last dim of x must be a multiple of it. */
  headDim: number;
  /** Base of the frequency ladder. Defaults to 10000 (Llama 2; Llama 3 uses 500000, Qwen2 1000000). */
  theta?: number;
  /** "neox" for Qwen2/Qwen3, "interleaved" for Llama in llama.cpp's layout. Defaults to "neox". */
  style?: RopeStyle;
  /** Per-pair divisors of the frequency (D/2 values). Defaults to none. */
  freqFactors?: Float32Array;
}

/**
 * x (B, T, H·D) or (B, T, H, D); positions has B·T entries (one per row) or T (shared by every
 * sequence in the batch).
 */
export function rope(x: Tensor, positions: Int32Array, options: RopeOptions): Tensor {
  const { headDim: D, theta = 10000, style = "neox", freqFactors } = options;
  if (x.ndim < 3 || D <= 0 || D % 2 !== 0) {
    throw new ShapeError("rope", `needs x (B, T, ...) and an even headDim (got ${D})`, { x: x.shape });
  }
  const B = x.shape[0]!;
  const T = x.shape[1]!;
  const N = B * T;
  const rowSize = N === 0 ? 0 : x.size / N;
  if (rowSize % D !== 0)
    throw new ShapeError("rope", `row size ${rowSize} is not a multiple of headDim ${D}`, { x: x.shape });
  const H = rowSize / D;
  let pos = positions;
  if (positions.length === T && B > 1) {
    pos = new Int32Array(N);
    for (let b = 0; b < B; b++) pos.set(positions, b * T);
  } else if (positions.length !== N) {
    throw new ShapeError("rope", `positions has ${positions.length} entries, needs B·T = ${N} or T = ${T}`, {
      x: x.shape,
    });
  }
  if (freqFactors !== undefined && freqFactors.length !== D / 2) {
    throw new ShapeError("rope", `freqFactors has ${freqFactors.length} entries, needs D/2 = ${D / 2}`, {
      x: x.shape,
    });
  }
  let maxPos = 0;
  for (let i = 0; i < pos.length; i++) {
    if (!(pos[i] >= 0))
      throw new ShapeError("rope", `position ${pos[i]} at row ${i} is negative`, { x: x.shape });
    if (pos[i] > maxPos) maxPos = pos[i];
  }
  const table = ropeTable(D, theta, freqFactors, maxPos + 1);
  const out = new Tensor(new Float32Array(x.size), x.shape);
  getBackend().rope(out.data, x.data, pos, table.cos, table.sin, N, H, D, style, false);
  return record(out, ROPE, [x], (g) => {
    const gx = new Float32Array(x.size);
    getBackend().rope(gx, g, pos, table.cos, table.sin, N, H, D, style, true);
    return [gx];
  });
}

interface RopeTable {
  positions: number;
  cos: Float32Array;
  sin: Float32Array;
}

const tables = new Map<string, RopeTable>();
const factorIds = new WeakMap<Float32Array, number>();
let nextFactorId = 1;

/** cos/sin (P, D/2), cached per (D, theta, freqFactors) and regrown to a power of two when P grows. */
function ropeTable(D: number, theta: number, freqFactors: Float32Array | undefined, need: number): RopeTable {
  let fid = 0;
  if (freqFactors !== undefined) {
    fid = factorIds.get(freqFactors) ?? nextFactorId++;
    factorIds.set(freqFactors, fid);
  }
  const key = `${D}|${theta}|${fid}`;
  const hit = tables.get(key);
  if (hit !== undefined && hit.positions >= need) return hit;
  const P = Math.max(64, 2 ** Math.ceil(Math.log2(need)));
  const half = D / 2;
  const cos = new Float32Array(P * half);
  const sin = new Float32Array(P * half);
  for (let i = 0; i < half; i++) {
    const freq = theta ** ((-2 * i) / D) / (freqFactors?.[i] ?? 1);
    for (let p = 0; p < P; p++) {
      cos[p * half + i] = Math.cos(p * freq);
      sin[p * half + i] = Math.sin(p * freq);
    }
  }
  const table = { positions: P, cos, sin };
  tables.set(key, table);
  return table;
}
