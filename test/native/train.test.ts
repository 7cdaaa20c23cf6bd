/** The toy attention model of test/unit/tensor trains on the native kernels too, to the same losses. */
import { describe, expect, it } from "vitest";
import { loadNativeBackend, referenceBackend, withBackend } from "../../src/tensor/index.js";
import { mean, trainToyModel } from "../unit/tensor/toyModel.js";

describe("training a tiny attention model (native backend)", () => {
  it("loss falls, every parameter moves, and the run tracks the reference run", () => {
    const native = loadNativeBackend().backend;
    expect(native).not.toBeNull();
    const run = withBackend(native!, () => trainToyModel(150));
    const first = mean(run.losses.slice(0, 10));
    expect(first).toBeGreaterThan(1.4);
    expect(mean(run.losses.slice(-10))).toBeLessThan(0.3 * first);
    expect(run.unchanged).toEqual([]);
    // Same seeds, float32 rounding differences only: the first steps must agree closely.
    const ref = withBackend(referenceBackend, () => trainToyModel(5));
    for (let i = 0; i < 5; i++) expect(Math.abs(run.losses[i]! - ref.losses[i]!)).toBeLessThan(1e-3);
  });
});
