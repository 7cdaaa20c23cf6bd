/**
 * Finite-difference gradient check for every registered op on the reference backend. A
 * registered op with no case in gradCases.ts fails the first test.
 */
import { describe, expect, it } from "vitest";
import { listOps, referenceBackend, withBackend } from "../../../src/tensor/index.js";
import { gradCases, gradCheck } from "./gradCases.js";

describe("gradient check (reference backend)", () => {
  it("covers every registered op", () => {
    const missing = listOps().filter((name) => gradCases[name] === undefined);
    expect(missing).toEqual([]);
    expect(listOps().length).toBeGreaterThanOrEqual(20);
  });

  for (const [name, variants] of Object.entries(gradCases)) {
    for (const c of variants) {
      it(`${name}: ${c.label}`, () => {
        withBackend(referenceBackend, () => gradCheck(c, name.length * 7919 + c.label.length));
      });
    }
  }
});
