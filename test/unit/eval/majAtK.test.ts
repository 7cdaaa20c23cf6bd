import { describe, expect, it } from "vitest";
import type { Label } from "../../../src/data/types.js";
import { majAtK } from "../../../src/eval/index.js";
import type { PairId } from "../../../src/types.js";
import { judgmentOf, samplesOf } from "./fixtures.js";

const labels = new Map<PairId, Label>([
  ["p" as PairId, "A"],
  ["q" as PairId, "B"],
  ["r" as PairId, "A"],
  ["d" as PairId, "A"],
]);
// p (label A), one order, in index order B, error, A, A, A.
const p = judgmentOf("p", "A", { samples: samplesOf("AB:BxAAA") });
// q (label B), AB: B, A; BA: B, B.
const q = judgmentOf("q", "B", { samples: samplesOf("AB:BA|BA:BB") });
// A direct judgment has no samples and is left out.
const d = judgmentOf("d", "A", { pA: 0.9 });

const curve = (points: { k: number; accuracy: number }[]) =>
  points.map((x) => [x.k, Number(x.accuracy.toFixed(10))]);

describe("majAtK", () => {
  it("first: votes with the first k samples of each order", () => {
    // p: k1 B → 0; k2 B,x → 0; k3 B,x,A → tie ½; k4, k5 → 1.
    // q: k1 B + B → 1; k ≥ 2 uses all 4 (3 right, 1 wrong) → 1.
    expect(curve(majAtK([p, q, d], labels))).toEqual([
      [1, 0.5],
      [2, 0.5],
      [3, 0.75],
      [4, 1],
      [5, 1],
    ]);
    expect(majAtK([p, q, d], labels)[0]!.n).toBe(2);
  });

  it("expected: the exact mean over all k-subsets", () => {
    // p has A×3, B, x. k1: 3/5·1 + 1/5·0 + 1/5·½ (error) = 0.7.
    // k2 (10 subsets): AA 3 → 1, AB 3 → ½, Ax 3 → 1, Bx 1 → 0: 7.5/10 = 0.75.
    // k3 (10): AAA 1, AAB 3, AAx 3 → 1; ABx 3 → ½: 8.5/10 = 0.85. k4, k5 → 1.
    // q: k1: AB order gives right or wrong with ½ each, BA right: sum 2 or 0 → ½·1 + ½·½ = 0.75; k ≥ 2 → 1.
    expect(curve(majAtK([p, q, d], labels, { mode: "expected" }))).toEqual([
      [1, 0.725],
      [2, 0.875],
      [3, 0.925],
      [4, 1],
      [5, 1],
    ]);
  });

  it("scores subsets with no parsed vote as errors, and failed judgments with the error score", () => {
    // r: x, x, A. k1: 1/3 right, 2/3 nothing parsed.
    const r = judgmentOf("r", "A", { samples: samplesOf("AB:xxA") });
    expect(curve(majAtK([r], labels, { mode: "expected", maxK: 1 }))).toEqual([
      [1, Number((1 / 3 + 2 / 3 / 2).toFixed(10))],
    ]);
    expect(curve(majAtK([r], labels, { mode: "expected", maxK: 1, errorScore: 0 }))).toEqual([
      [1, Number((1 / 3).toFixed(10))],
    ]);
    const failed = judgmentOf("r", "error", { samples: samplesOf("AB:A"), errors: ["AB: timeout"] });
    expect(curve(majAtK([failed], labels, { errorScore: 0 }))).toEqual([[1, 0]]);
  });

  it("is empty without sampled judgments", () => {
    expect(majAtK([d], labels)).toEqual([]);
  });
});
