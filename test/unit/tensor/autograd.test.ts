/** Tiny exact cases that pin the autograd semantics (tinygrad's test_gradient, micrograd). */
import { describe, expect, it } from "vitest";
import {
  add,
  backward,
  isGradEnabled,
  mul,
  noGrad,
  parameter,
  reshape,
  ShapeError,
  scale,
  sum,
  tensor,
} from "../../../src/tensor/index.js";

const p = (values: number[], shape?: number[]) => parameter(tensor(values, shape));

describe("autograd", () => {
  it("sums a broadcast bias's gradient over rows", () => {
    const x = p([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = p([10, 20, 30]);
    backward(sum(mul(add(x, b), tensor([1, 2, 3, 4, 5, 6], [2, 3]))));
    expect([...b.grad!.data]).toEqual([5, 7, 9]);
    expect([...x.grad!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.grad!.shape).toEqual([3]);
  });

  it("sums a per-row scale's gradient over columns", () => {
    const x = p([1, 2, 3, 4], [2, 2]);
    const s = p([2, 3], [2, 1]);
    backward(sum(mul(x, s)));
    expect([...s.grad!.data]).toEqual([3, 7]);
    expect([...x.grad!.data]).toEqual([2, 2, 3, 3]);
  });

  it("accumulates a tensor used twice", () => {
    const x = p([3, -2]);
    backward(sum(add(mul(x, x), x)));
    expect([...x.grad!.data]).toEqual([7, -3]);
  });

  it("accumulates through a reshape view used twice without corrupting either path", () => {
    const x = p([1, 2, 3, 4]);
    const v = reshape(x, [2, 2]);
    // add's backward hands the same array to both inputs, and reshape passes it through: an
    // in-place accumulation would double-count.
    backward(sum(add(add(v, v), reshape(scale(x, 3), [2, 2]))));
    expect([...x.grad!.data]).toEqual([5, 5, 5, 5]);
  });

  it("leaves null grad on an unused parameter and on constants", () => {
    const used = p([1, 2]);
    const unused = p([5]);
    const constant = tensor([3, 4]);
    backward(sum(mul(used, constant)));
    expect(unused.grad).toBeNull();
    expect(constant.grad).toBeNull();
    expect([...used.grad!.data]).toEqual([3, 4]);
  });

  it("adds into .grad across backward calls until zeroGrad", () => {
    const x = p([1, 2]);
    backward(sum(scale(x, 2)));
    backward(sum(scale(x, 3)));
    expect([...x.grad!.data]).toEqual([5, 5]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("frees the graph after backward", () => {
    const x = p([1, 2]);
    const y = mul(x, x);
    const loss = sum(y);
    expect(loss.node).not.toBeNull();
    backward(loss);
    expect(loss.node).toBeNull();
    expect(y.node).toBeNull();
  });

  it("records nothing under noGrad and restores the mode after a throw", () => {
    const x = p([1, 2]);
    const y = noGrad(() => mul(x, x));
    expect(y.node).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    expect(mul(x, x).node).not.toBeNull();
  });

  it("records nothing when no input requires grad", () => {
    const y = mul(tensor([1, 2]), tensor([3, 4]));
    expect(y.node).toBeNull();
    expect(() => backward(sum(y))).toThrow(/does not require grad/);
  });

  it("needs an explicit seed for a non-scalar root, checked against its size", () => {
    const x = p([1, 2, 3]);
    const y = scale(x, 2);
    expect(() => backward(y)).toThrow(ShapeError);
    expect(() => backward(y, { grad: Float32Array.of(1, 1) })).toThrow(/grad has 2 elements/);
    backward(y, { grad: Float32Array.of(1, 0, -1) });
    expect([...x.grad!.data]).toEqual([2, 0, -2]);
  });

  it("names both shapes when they do not broadcast", () => {
    expect(() => add(tensor([1, 2, 3], [3]), tensor([1, 2], [2]))).toThrow(/add: .*a \(3\), b \(2\)/);
  });
});
