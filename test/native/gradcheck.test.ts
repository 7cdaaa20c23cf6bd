/**
 * The finite-difference gradient cases of test/unit/tensor, run again with the native kernels
 * active, so each native backward is checked against numbers, not only against the reference.
 */
import { describe, expect, it } from "vitest";
import { listOps, loadNativeBackend, withBackend } from "../../src/tensor/index.js";
import { gradCases, gradCheck } from "../unit/tensor/gradCases.js";

const native = loadNativeBackend().backend;

describe("gradient check (native backend)", () => {
  it("has the addon and a case for every op", () => {
    expect(native).not.toBeNull();
    expect(listOps().filter((name) => gradCases[name] === undefined)).toEqual([]);
  });

  for (const [name, variants] of Object.entries(gradCases)) {
    for (const c of variants) {
      it(`${name}: ${c.label}`, () => {
        withBackend(native!, () => gradCheck(c, name.length * 7919 + c.label.length));
      });
    }
  }
});
