/**
 * Elementwise ops. These are memory-bound and run in TypeScript for both backends. Binary ops
 * broadcast like numpy; their backward sums the gradient over the broadcast dimensions.
 */
import { record } from "../autograd.js";
import { shapeSize, Tensor } from "../Tensor.js";
import { broadcastShapes, expand, indexMap, reduceTo } from "./broadcast.js";
import { registerOp } from "./registry.js";

const ADD = registerOp("add");
const SUB = registerOp("sub");
const MUL = registerOp("mul");
const SCALE = registerOp("scale");
const EXP = registerOp("exp");
const LOG = registerOp("log");
const SIGMOID = registerOp("sigmoid");
const LOG_SIGMOID = registerOp("logSigmoid");

export function add(a: Tensor, b: Tensor): Tensor {
  return addSub(ADD, a, b, 1);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return addSub(SUB, a, b, -1);
}

function addSub(op: string, a: Tensor, b: Tensor, sign: 1 | -1): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = new Tensor(new Float32Array(shapeSize(shape)), shape);
  const n = out.size;
  const ma = indexMap(shape, a.shape);
  const mb = indexMap(shape, b.shape);
  const ea = expand(a.data, ma, n);
  const eb = expand(b.data, mb, n);
  const o = out.data;
  if (sign === 1) for (let i = 0; i < n; i++) o[i] = ea[i] + eb[i];
  else for (let i = 0; i < n; i++) o[i] = ea[i] - eb[i];
  return record(out, op, [a, b], (g, needs) => {
    let gb: Float32Array | null = null;
    if (needs[1]) {
      if (sign === 1) gb = reduceTo(g, mb, b.size);
      else {
        const neg = new Float32Array(n);
        for (let i = 0; i < n; i++) neg[i] = -g[i];
        gb = reduceTo(neg, mb, b.size);
      }
    }
    return [needs[0] ? reduceTo(g, ma, a.size) : null, gb];
  });
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(MUL, a.shape, b.shape);
  const n = shapeSize(shape);
  const out = new Tensor(new Float32Array(n), shape);
  const ma = indexMap(shape, a.shape);
  const mb = indexMap(shape, b.shape);
  const ea = expand(a.data, ma, n);
  const eb = expand(b.data, mb, n);
  const o = out.data;
  for (let i = 0; i < n; i++) o[i] = ea[i] * eb[i];
  // The expanded operands are what each other's gradient needs; keep them rather than re-expand.
  return record(out, MUL, [a, b], (g, needs) => {
    const product = (other: Float32Array): Float32Array => {
      const r = new Float32Array(n);
      for (let i = 0; i < n; i++) r[i] = g[i] * other[i];
      return r;
    };
    return [
      needs[0] ? reduceTo(product(eb), ma, a.size) : null,
      needs[1] ? reduceTo(product(ea), mb, b.size) : null,
    ];
  });
}

/** x · s for a constant s. */
export function scale(x: Tensor, s: number): Tensor {
  const out = new Tensor(new Float32Array(x.size), x.shape);
  const o = out.data;
  const d = x.data;
  for (let i = 0; i < o.length; i++) o[i] = d[i] * s;
  return record(out, SCALE, [x], (g) => {
    const gx = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i] * s;
    return [gx];
  });
}

export function neg(x: Tensor): Tensor {
  return scale(x, -1);
}

export function exp(x: Tensor): Tensor {
  const out = unary(x, Math.exp);
  // The output is its own derivative.
  const y = out.data;
  return record(out, EXP, [x], (g) => [zipWith(g, y, (gi, yi) => gi * yi)]);
}

export function log(x: Tensor): Tensor {
  const out = unary(x, Math.log);
  const d = x.data;
  return record(out, LOG, [x], (g) => [zipWith(g, d, (gi, xi) => gi / xi)]);
}

export function sigmoid(x: Tensor): Tensor {
  const out = unary(x, (v) => 1 / (1 + Math.exp(-v)));
  const y = out.data;
  return record(out, SIGMOID, [x], (g) => [zipWith(g, y, (gi, yi) => gi * yi * (1 - yi))]);
}

/**
 * log σ(x) = min(x, 0) - log1p(exp(-|x|)): the naive log(sigmoid(x)) underflows to -Infinity
 * for x below about -88 in float32, which DPO and Bradley–Terry margins reach when a model is
 * confidently wrong.
 */
export function logSigmoid(x: Tensor): Tensor {
  const out = unary(x, (v) => Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))));
  const d = x.data;
  // d/dx log σ(x) = σ(-x).
  return record(out, LOG_SIGMOID, [x], (g) => [zipWith(g, d, (gi, xi) => gi / (1 + Math.exp(xi)))]);
}

function unary(x: Tensor, f: (v: number) => number): Tensor {
  const out = new Tensor(new Float32Array(x.size), x.shape);
  const o = out.data;
  const d = x.data;
  for (let i = 0; i < o.length; i++) o[i] = f(d[i]);
  return out;
}

function zipWith(a: Float32Array, b: Float32Array, f: (x: number, y: number) => number): Float32Array {
  const r = new Float32Array(a.length);
  for (let i = 0; i < r.length; i++) r[i] = f(a[i], b[i]);
  return r;
}
