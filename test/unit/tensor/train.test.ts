/** The toy attention model's loss falls on the reference backend (see toyModel.ts). */
import { describe, expect, it } from "vitest";
import { referenceBackend, withBackend } from "../../../src/tensor/index.js";
import { mean, trainToyModel } from "./toyModel.js";

describe("training a tiny attention model (reference backend)", () => {
  it("loss falls and every parameter moves", () => {
    const { losses, unchanged } = withBackend(referenceBackend, () => trainToyModel(150));
    const first = mean(losses.slice(0, 10));
    expect(first).toBeGreaterThan(1.4);
    expect(mean(losses.slice(-10))).toBeLessThan(0.3 * first);
    expect(unchanged).toEqual([]);
  });
});
