/** Sums and means over all elements or over one axis. Sums accumulate in JS doubles. */
import { record } from "../autograd.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { scale } from "./elementwise.js";
import { registerOp } from "./registry.js";

const SUM = registerOp("sum");

export interface ReduceOptions {
  /** Axis to reduce (negative counts from the end). Defaults to all elements (a scalar result). */
  axis?: number;
  /** Keep the reduced axis with size 1, so the result broadcasts against the input. Defaults to false. */
  keepDims?: boolean;
}

export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  const { axis, keepDims = false } = options;
  if (axis === undefined) {
    let s = 0;
    const d = x.data;
    for (let i = 0; i < d.length; i++) s += d[i];
    const out = new Tensor(Float32Array.of(s), keepDims ? x.shape.map(() => 1) : []);
    const n = x.size;
    return record(out, SUM, [x], (g) => [new Float32Array(n).fill(g[0])]);
  }
  const ax = normalizeAxis("sum", x.shape, axis);
  const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const len = x.shape[ax]!;
  const inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const shape = keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax);
  const out = new Tensor(new Float32Array(outer * inner), shape);
  const o = out.data;
  const d = x.data;
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += d[(a * len + k) * inner + i];
      o[a * inner + i] = s;
    }
  }
  return record(out, SUM, [x], (g) => {
    const gx = new Float32Array(x.size);
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < len; k++) gx.set(g.subarray(a * inner, (a + 1) * inner), (a * len + k) * inner);
    }
    return [gx];
  });
}

export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const n = options.axis === undefined ? x.size : x.shape[normalizeAxis("mean", x.shape, options.axis)]!;
  return scale(sum(x, options), 1 / n);
}

export function normalizeAxis(op: string, shape: readonly number[], axis: number): number {
  const ax = axis < 0 ? shape.length + axis : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) {
    throw new ShapeError(op, `axis ${axis} is out of range`, { x: shape });
  }
  return ax;
}
