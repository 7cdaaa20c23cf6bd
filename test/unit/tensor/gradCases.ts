/**
 * Finite-difference gradient cases, one or more per registered op, and the checker. The loss is
 * Σ out · R for a fixed random R, so every output element's gradient path is exercised; it is
 * summed in JS doubles. Used by the reference-backend test here and by test/native.
 */
import { expect } from "vitest";
import {
  add,
  backward,
  causalAttention,
  concat,
  createRng,
  crossEntropy,
  embedding,
  exp,
  log,
  logSigmoid,
  matmul,
  mul,
  narrow,
  noGrad,
  type Rng,
  randn,
  reshape,
  rmsNorm,
  rope,
  scale,
  sigmoid,
  sub,
  sum,
  swiglu,
  type Tensor,
  tensor,
  transpose,
  uniform,
} from "../../../src/tensor/index.js";

export interface GradCase {
  label: string;
  inputs: (rng: Rng) => Tensor[];
  f: (xs: Tensor[]) => Tensor;
}

const r = (shape: number[], rng: Rng) => randn(shape, 1, { rng, requiresGrad: true });
const pos = (shape: number[], rng: Rng) => uniform(shape, 0.5, 2, { rng, requiresGrad: true });

export const gradCases: Record<string, GradCase[]> = {
  add: [
    { label: "bias (3) + (2, 3)", inputs: (g) => [r([2, 3], g), r([3], g)], f: ([a, b]) => add(a!, b!) },
    {
      label: "table (2,1,3) + (2,4,3)",
      inputs: (g) => [r([2, 1, 3], g), r([2, 4, 3], g)],
      f: ([a, b]) => add(a!, b!),
    },
  ],
  sub: [
    { label: "rows (2,3) - (2,1)", inputs: (g) => [r([2, 3], g), r([2, 1], g)], f: ([a, b]) => sub(a!, b!) },
  ],
  mul: [
    { label: "(3,1) * (1,4)", inputs: (g) => [r([3, 1], g), r([1, 4], g)], f: ([a, b]) => mul(a!, b!) },
    { label: "scalar", inputs: (g) => [r([2, 3], g), r([], g)], f: ([a, b]) => mul(a!, b!) },
    { label: "same shape, same tensor twice", inputs: (g) => [r([5], g)], f: ([a]) => mul(a!, a!) },
  ],
  scale: [{ label: "x * -1.5", inputs: (g) => [r([4], g)], f: ([a]) => scale(a!, -1.5) }],
  exp: [{ label: "exp", inputs: (g) => [r([5], g)], f: ([a]) => exp(a!) }],
  log: [{ label: "log of positives", inputs: (g) => [pos([5], g)], f: ([a]) => log(a!) }],
  sigmoid: [{ label: "sigmoid", inputs: (g) => [r([5], g)], f: ([a]) => sigmoid(a!) }],
  logSigmoid: [
    {
      label: "logSigmoid incl. large |x|",
      inputs: () => [tensor([-30, -3, -0.5, 0, 0.7, 4, 25], [7], { requiresGrad: true })],
      f: ([a]) => logSigmoid(a!),
    },
  ],
  sum: [
    { label: "all", inputs: (g) => [r([2, 3], g)], f: ([a]) => sum(a!) },
    {
      label: "axis 1 keepDims",
      inputs: (g) => [r([2, 3, 2], g)],
      f: ([a]) => sum(a!, { axis: 1, keepDims: true }),
    },
  ],
  reshape: [
    {
      label: "(2,3)->(3,-1)",
      inputs: (g) => [r([2, 3], g)],
      f: ([a]) => mul(reshape(a!, [3, -1]), reshape(a!, [3, 2])),
    },
  ],
  transpose: [{ label: "(2,3,4)", inputs: (g) => [r([2, 3, 4], g)], f: ([a]) => transpose(a!) }],
  narrow: [{ label: "axis 1 [1,3)", inputs: (g) => [r([2, 4, 3], g)], f: ([a]) => narrow(a!, 1, 1, 2) }],
  concat: [
    {
      label: "axis 1",
      inputs: (g) => [r([2, 1, 3], g), r([2, 2, 3], g)],
      f: ([a, b]) => concat([a!, b!], 1),
    },
  ],
  matmul: [
    {
      label: "NN with leading dims",
      inputs: (g) => [r([2, 2, 3], g), r([3, 4], g)],
      f: ([a, b]) => matmul(a!, b!),
    },
    {
      label: "NT",
      inputs: (g) => [r([3, 5], g), r([2, 5], g)],
      f: ([a, b]) => matmul(a!, b!, { transB: true }),
    },
    {
      label: "TN",
      inputs: (g) => [r([5, 3], g), r([5, 2], g)],
      f: ([a, b]) => matmul(a!, b!, { transA: true }),
    },
    {
      label: "TT",
      inputs: (g) => [r([4, 3], g), r([2, 4], g)],
      f: ([a, b]) => matmul(a!, b!, { transA: true, transB: true }),
    },
  ],
  embedding: [
    {
      label: "repeated ids",
      inputs: (g) => [r([5, 3], g)],
      f: ([w]) => embedding(w!, Int32Array.from([1, 4, 1, 0]), [2, 2]),
    },
  ],
  rmsNorm: [
    {
      label: "(2,3,4)",
      inputs: (g) => [r([2, 3, 4], g), r([4], g)],
      f: ([x, w]) => rmsNorm(x!, w!, { eps: 1e-5 }),
    },
  ],
  rope: [
    {
      label: "neox, shared positions",
      inputs: (g) => [r([2, 3, 8], g)],
      f: ([x]) => rope(x!, Int32Array.from([0, 1, 5]), { headDim: 4, theta: 100, style: "neox" }),
    },
    {
      label: "interleaved, per-row positions, freqFactors",
      inputs: (g) => [r([2, 2, 2, 4], g)],
      f: ([x]) =>
        rope(x!, Int32Array.from([3, 4, 0, 1]), {
          headDim: 4,
          theta: 500,
          style: "interleaved",
          freqFactors: Float32Array.from([1, 4]),
        }),
    },
  ],
  causalAttention: [
    {
      label: "GQA 4/2, lengths",
      inputs: (g) => [r([2, 4, 4 * 3], g), r([2, 4, 2 * 3], g), r([2, 4, 2 * 3], g)],
      f: ([q, k, v]) =>
        causalAttention(q!, k!, v!, { heads: 4, kvHeads: 2, lengths: Int32Array.from([4, 2]) }),
    },
    {
      label: "MHA, left padding with an empty row",
      inputs: (g) => [r([2, 3, 2 * 2], g), r([2, 3, 2 * 2], g), r([2, 3, 2 * 2], g)],
      f: ([q, k, v]) =>
        causalAttention(q!, k!, v!, { heads: 2, keyMask: Uint8Array.from([0, 1, 1, 1, 1, 1]), scale: 0.7 }),
    },
  ],
  swiglu: [{ label: "(2,5)", inputs: (g) => [r([2, 5], g), r([2, 5], g)], f: ([a, b]) => swiglu(a!, b!) }],
  crossEntropy: [
    {
      label: "with an ignored target",
      inputs: (g) => [r([2, 3, 5], g)],
      f: ([l]) => crossEntropy(l!, Int32Array.from([0, 4, -100, 2, 2, 1])),
    },
  ],
};

const EPS = 5e-3;
const ATOL = 2e-3;
const RTOL = 2e-2;

function lossOf(out: Tensor, weights: Float64Array): number {
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i]! * weights[i]!;
  return s;
}

export function gradCheck(c: GradCase, seed: number): void {
  const rng = createRng(seed);
  const xs = c.inputs(rng);
  const out = c.f(xs);
  const weights = Float64Array.from({ length: out.size }, () => rng.normal());
  backward(out, { grad: Float32Array.from(weights) });

  for (const [xi, x] of xs.entries()) {
    const numeric = new Float64Array(x.size);
    noGrad(() => {
      for (let i = 0; i < x.size; i++) {
        const keep = x.data[i]!;
        x.data[i] = keep + EPS;
        const plus = lossOf(c.f(xs), weights);
        x.data[i] = keep - EPS;
        const minus = lossOf(c.f(xs), weights);
        x.data[i] = keep;
        numeric[i] = (plus - minus) / (2 * EPS);
      }
    });
    let worst = 0;
    for (let i = 0; i < x.size; i++) {
      const analytic = x.grad === null ? 0 : x.grad.data[i]!;
      const err = Math.abs(analytic - numeric[i]!) - RTOL * Math.abs(numeric[i]!);
      worst = Math.max(worst, err);
      if (err > ATOL) {
        throw new Error(`${c.label}: input ${xi}[${i}] analytic ${analytic} vs numeric ${numeric[i]}`);
      }
    }
    expect(worst).toBeLessThanOrEqual(ATOL);
  }
}
