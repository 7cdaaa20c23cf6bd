/**
 * Layout ops: reshape (a view), transpose of the last two dims, and narrow/concat along any axis
 * (the time axis, or splitting a fused projection). Everything but reshape copies.
 */
import { record } from "../autograd.js";
import { ShapeError } from "../ShapeError.js";
import { shapeSize, Tensor } from "../Tensor.js";
import { normalizeAxis } from "./reduce.js";
import { registerOp } from "./registry.js";

const RESHAPE = registerOp("reshape");
const TRANSPOSE = registerOp("transpose");
const NARROW = registerOp("narrow");
const CONCAT = registerOp("concat");

/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const infer = shape.indexOf(-1);
  let resolved = [...shape];
  if (infer >= 0) {
    const known = shape.reduce((p, d, i) => (i === infer ? p : p * d), 1);
    resolved = shape.map((d, i) => (i === infer ? (known === 0 ? 0 : x.size / known) : d));
  }
  if (resolved.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(resolved) !== x.size) {
    throw new ShapeError("reshape", "sizes differ", { x: x.shape, target: shape });
  }
  const out = new Tensor(x.data, resolved);
  // The gradient has the same layout, so it passes through; the walker never writes into it.
  return record(out, RESHAPE, [x], (g) => [g]);
}

/** Swaps the last two dimensions: (..., R, C) -> (..., C, R). */
export function transpose(x: Tensor): Tensor {
  if (x.ndim < 2) throw new ShapeError("transpose", "needs at least 2 dimensions", { x: x.shape });
  const R = x.dim(-2);
  const C = x.dim(-1);
  const shape = [...x.shape.slice(0, -2), C, R];
  const out = new Tensor(transposeData(x.data, x.size / (R * C), R, C), shape);
  return record(out, TRANSPOSE, [x], (g) => [transposeData(g, x.size / (R * C), C, R)]);
}

function transposeData(d: Float32Array, batch: number, R: number, C: number): Float32Array {
  const o = new Float32Array(d.length);
  for (let b = 0; b < batch; b++) {
    const base = b * R * C;
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) o[base + c * R + r] = d[base + r * C + c];
  }
  return o;
}

/** x[..., start:start+length, ...] along `axis`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normalizeAxis("narrow", x.shape, axis);
  const len = x.shape[ax]!;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > len
  ) {
    throw new ShapeError("narrow", `range [${start}, ${start + length}) is outside axis ${ax}`, {
      x: x.shape,
    });
  }
  const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const shape = x.shape.map((d, i) => (i === ax ? length : d));
  const out = new Tensor(new Float32Array(outer * length * inner), shape);
  const chunk = length * inner;
  for (let a = 0; a < outer; a++) {
    const src = (a * len + start) * inner;
    out.data.set(x.data.subarray(src, src + chunk), a * chunk);
  }
  return record(out, NARROW, [x], (g) => {
    const gx = new Float32Array(x.size);
    for (let a = 0; a < outer; a++) gx.set(g.subarray(a * chunk, (a + 1) * chunk), (a * len + start) * inner);
    return [gx];
  });
}

/** Joins tensors along `axis`; all other dimensions must match. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ShapeError("concat", "needs at least one tensor", {});
  const first = xs[0]!;
  const ax = normalizeAxis("concat", first.shape, axis);
  for (const x of xs) {
    const ok = x.ndim === first.ndim && x.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok)
      throw new ShapeError("concat", `shapes differ outside axis ${ax}`, {
        first: first.shape,
        other: x.shape,
      });
  }
  const outer = first.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const inner = first.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const lens = xs.map((x) => x.shape[ax]!);
  const total = lens.reduce((p, q) => p + q, 0);
  const shape = first.shape.map((d, i) => (i === ax ? total : d));
  const out = new Tensor(new Float32Array(outer * total * inner), shape);
  let offset = 0;
  for (let k = 0; k < xs.length; k++) {
    const chunk = lens[k]! * inner;
    for (let a = 0; a < outer; a++) {
      out.data.set(xs[k]!.data.subarray(a * chunk, (a + 1) * chunk), (a * total + offset) * inner);
    }
    offset += lens[k]!;
  }
  return record(out, CONCAT, xs, (g, needs) => {
    let off = 0;
    return xs.map((x, k) => {
      const chunk = lens[k]! * inner;
      const start = off;
      off += lens[k]!;
      if (!needs[k]) return null;
      const gx = new Float32Array(x.size);
      for (let a = 0; a < outer; a++) {
        gx.set(g.subarray((a * total + start) * inner, (a * total + start) * inner + chunk), a * chunk);
      }
      return gx;
    });
  });
}
