/** Forward values of the ops on small cases worked out by hand. */
import { describe, expect, it } from "vitest";
import {
  causalAttention,
  crossEntropy,
  crossEntropyMean,
  embedding,
  linear,
  logSigmoid,
  matmul,
  mean,
  narrow,
  randn,
  referenceBackend,
  rmsNorm,
  rope,
  sum,
  swiglu,
  tensor,
  tokenLogProbs,
  transpose,
  withBackend,
} from "../../../src/tensor/index.js";

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(tol);
};

describe("ops (reference backend)", () => {
  const ref = <T>(fn: () => T) => withBackend(referenceBackend, fn);

  it("matmul in NN/NT/TN layouts, and linear with W stored (out, in)", () =>
    ref(() => {
      const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = tensor([1, 0, 0, 1, 1, 1], [3, 2]);
      close(matmul(a, b).data, [4, 5, 10, 11]);
      close(matmul(a, transpose(b), { transB: true }).data, [4, 5, 10, 11]);
      close(matmul(transpose(a), b, { transA: true }).data, [4, 5, 10, 11]);
      const W = tensor([1, 1, 1, 0, 0, 2], [2, 3]);
      const y = linear(a, W, tensor([0.5, -1]));
      expect(y.shape).toEqual([2, 2]);
      close(y.data, [6.5, 5, 15.5, 11]);
      expect(() => matmul(a, a)).toThrow(/inner dimensions differ \(3 vs 2\).*a \(2, 3\), b \(2, 3\)/);
    }));

  it("sum and mean over an axis", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    close(sum(x, { axis: -1 }).data, [6, 15]);
    close(mean(x, { axis: 0 }).data, [2.5, 3.5, 4.5]);
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).item()).toBe(21);
  });

  it("narrow along time", () => {
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]);
    close(narrow(x, 1, 1, 1).data, [2, 3, 6, 7]);
  });

  it("embedding gathers rows and rejects ids out of range", () => {
    const w = tensor([0, 0, 1, 1, 2, 2], [3, 2]);
    const e = embedding(w, Int32Array.from([2, 0]), [1, 2]);
    expect(e.shape).toEqual([1, 2, 2]);
    close(e.data, [2, 2, 0, 0]);
    expect(() => embedding(w, Int32Array.from([3]))).toThrow(/id 3 at position 0 is outside \[0, 3\)/);
  });

  it("rmsNorm divides by the root mean square", () =>
    ref(() => {
      const y = rmsNorm(tensor([3, 4], [1, 2]), tensor([1, 2]), { eps: 0 });
      const rms = Math.sqrt(12.5);
      close(y.data, [3 / rms, 8 / rms]);
    }));

  it("rope: position 0 is the identity; neox and interleaved pair different elements", () =>
    ref(() => {
      const x = tensor([1, 2, 3, 4], [1, 1, 4]);
      close(rope(x, Int32Array.of(0), { headDim: 4 }).data, [1, 2, 3, 4]);
      // With theta 1 every pair turns by the position itself: 90° at position π/2 is not an
      // integer, so use position 1 and check against cos(1), sin(1).
      const c = Math.cos(1);
      const s = Math.sin(1);
      close(rope(x, Int32Array.of(1), { headDim: 4, theta: 1, style: "neox" }).data, [
        1 * c - 3 * s,
        2 * c - 4 * s,
        3 * c + 1 * s,
        4 * c + 2 * s,
      ]);
      close(rope(x, Int32Array.of(1), { headDim: 4, theta: 1, style: "interleaved" }).data, [
        1 * c - 2 * s,
        2 * c + 1 * s,
        3 * c - 4 * s,
        4 * c + 3 * s,
      ]);
    }));

  it("causal attention: the first row copies v, later rows average by softmax; GQA shares kv heads", () =>
    ref(() => {
      // B=1, T=2, H=2, Hkv=1, D=1; q·k scores with scale 1.
      const q = tensor([0, 0, 1, 2], [1, 2, 2]);
      const k = tensor([1, 3], [1, 2, 1]);
      const v = tensor([10, 20], [1, 2, 1]);
      const out = causalAttention(q, k, v, { heads: 2, kvHeads: 1, scale: 1 });
      const avg = (qv: number) => {
        const w0 = Math.exp(qv * 1);
        const w1 = Math.exp(qv * 3);
        return (10 * w0 + 20 * w1) / (w0 + w1);
      };
      close(out.data, [10, 10, avg(1), avg(2)], 1e-4);
      const masked = causalAttention(q, k, v, {
        heads: 2,
        kvHeads: 1,
        scale: 1,
        keyMask: Uint8Array.of(0, 1),
      });
      close(masked.data, [0, 0, 20, 20], 1e-4);
    }));

  it("swiglu is silu(gate) · up", () =>
    ref(() => {
      const y = swiglu(tensor([0, 2, -1]), tensor([5, 1, 2]));
      close(y.data, [0, 2 / (1 + Math.exp(-2)), (2 * -1) / (1 + Math.exp(1))]);
    }));

  it("cross-entropy: log V for uniform logits, 0 at ignored targets, mean over counted tokens", () =>
    ref(() => {
      const logits = tensor(new Array(8).fill(0.3), [2, 4]);
      const targets = Int32Array.from([1, -100]);
      close(crossEntropy(logits, targets).data, [Math.log(4), 0]);
      close(tokenLogProbs(logits, targets).data, [-Math.log(4), 0]);
      expect(crossEntropyMean(logits, targets).item()).toBeCloseTo(Math.log(4), 5);
      const weighted = crossEntropyMean(logits, Int32Array.from([1, 2]), { weights: Float32Array.of(0, 1) });
      expect(weighted.item()).toBeCloseTo(Math.log(4), 5);
      expect(crossEntropyMean(logits, Int32Array.from([-100, -100])).item()).toBe(0);
    }));

  it("logSigmoid stays finite where log(sigmoid(x)) underflows", () => {
    const y = logSigmoid(tensor([-200, 0, 200]));
    close(y.data, [-200, Math.log(0.5), 0]);
  });

  it("randn is reproducible from its seed", () => {
    expect([...randn([4], 1, { seed: 3 }).data]).toEqual([...randn([4], 1, { seed: 3 }).data]);
    expect([...randn([4], 1, { seed: 3 }).data]).not.toEqual([...randn([4], 1, { seed: 4 }).data]);
  });
});
