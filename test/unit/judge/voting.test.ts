import { describe, expect, it } from "vitest";
import {
  combineOrders,
  majorityVote,
  normalQuantile,
  shouldStop,
  type Vote,
  wilsonInterval,
} from "../../../src/judge/index.js";

const votes = (s: string): Vote[] => [...s].map((c) => (c === "A" ? "A" : c === "B" ? "B" : "error"));

describe("majorityVote", () => {
  it("takes the majority and pA = #A / #valid", () => {
    expect(majorityVote(votes("AABAB"))).toEqual({ verdict: "A", pA: 0.6, counts: { A: 3, B: 2, error: 0 } });
    expect(majorityVote(votes("BBxA"))).toEqual({
      verdict: "B",
      pA: 1 / 3,
      counts: { A: 1, B: 2, error: 1 },
    });
  });

  it("applies the tie policy to an even split", () => {
    const tie = votes("ABAB");
    expect(majorityVote(tie).verdict).toBe("tie");
    expect(majorityVote(tie).pA).toBe(0.5);
    expect(majorityVote(tie, { tiePolicy: "A" }).verdict).toBe("A");
    expect(majorityVote(tie, { tiePolicy: "B" }).verdict).toBe("B");
    expect(majorityVote(tie, { tiePolicy: "error" }).verdict).toBe("error");
    expect(majorityVote(tie, { tiePolicy: "logprob", tieBreakPA: 0.3 }).verdict).toBe("B");
    expect(majorityVote(tie, { tiePolicy: "logprob", tieBreakPA: 0.7 }).verdict).toBe("A");
    expect(majorityVote(tie, { tiePolicy: "logprob" }).verdict).toBe("tie");
  });

  it("errors only when nothing parsed, or by policy", () => {
    expect(majorityVote(votes("xx"))).toEqual({
      verdict: "error",
      pA: null,
      counts: { A: 0, B: 0, error: 2 },
    });
    expect(majorityVote([])).toEqual({ verdict: "error", pA: null, counts: { A: 0, B: 0, error: 0 } });
    expect(majorityVote(votes("AAx"), { errorPolicy: "strict" }).verdict).toBe("error");
    // plurality: 3 errors outnumber 2 A and 1 B; 2 errors do not outnumber 2 A.
    expect(majorityVote(votes("AABxxx"), { errorPolicy: "plurality" }).verdict).toBe("error");
    expect(majorityVote(votes("AABxx"), { errorPolicy: "plurality" }).verdict).toBe("A");
  });

  it("Laplace smoothing gives (#A + 1/2) / (#valid + 1)", () => {
    expect(majorityVote(votes("AAAA"), { smoothing: "laplace" }).pA).toBe(4.5 / 5);
    expect(majorityVote(votes("BBBx"), { smoothing: "laplace" }).pA).toBe(0.5 / 4);
  });
});

describe("combineOrders", () => {
  it("averages the per-order pA (p_sym) and decides on it", () => {
    expect(
      combineOrders([
        { verdict: "A", pA: 1 },
        { verdict: "B", pA: 0.25 },
      ]),
    ).toEqual({ verdict: "A", pA: 0.625 });
    expect(
      combineOrders([
        { verdict: "A", pA: 0.75 },
        { verdict: "B", pA: 0.25 },
      ]),
    ).toEqual({ verdict: "tie", pA: 0.5 });
    expect(
      combineOrders(
        [
          { verdict: "A", pA: 0.75 },
          { verdict: "B", pA: 0.25 },
        ],
        { tiePolicy: "B" },
      ).verdict,
    ).toBe("B");
  });

  it("leaves out an order with no valid vote unless errors are strict", () => {
    const orders = [
      { verdict: "error" as const, pA: null },
      { verdict: "B" as const, pA: 0 },
    ];
    expect(combineOrders(orders)).toEqual({ verdict: "B", pA: 0 });
    expect(combineOrders(orders, { errorPolicy: "strict" })).toEqual({ verdict: "error", pA: 0 });
    expect(combineOrders([{ verdict: "error", pA: null }])).toEqual({ verdict: "error", pA: null });
  });
});

describe("shouldStop", () => {
  it("decided: stops once the lead exceeds the samples left", () => {
    // k = 8: 5 A, 0 B, 3 left: lead 5 > 3.
    expect(shouldStop({ A: 5, B: 0, error: 0 }, 8, { mode: "decided" })).toBe(true);
    // lead 4 vs 4 left: B could still tie.
    expect(shouldStop({ A: 4, B: 0, error: 0 }, 8, { mode: "decided" })).toBe(false);
    // errors use budget: 3 A + 2 errors, 3 left, lead 3 is not > 3.
    expect(shouldStop({ A: 3, B: 0, error: 2 }, 8, { mode: "decided" })).toBe(false);
    expect(shouldStop({ A: 4, B: 0, error: 2 }, 8, { mode: "decided" })).toBe(true);
    expect(shouldStop({ A: 4, B: 4, error: 0 }, 8, { mode: "decided" })).toBe(true);
    expect(shouldStop({ A: 0, B: 0, error: 0 }, 1, { mode: "decided" })).toBe(false);
  });

  it("confidence: unanimous votes stop at n >= z^2 (Wilson lower bound n / (n + z^2))", () => {
    // 95%: z^2 = 3.8415, so 3 unanimous votes continue (3/6.84 = 0.44) and 4 stop (4/7.84 = 0.51).
    expect(shouldStop({ A: 3, B: 0, error: 0 }, 32, { mode: "confidence" })).toBe(false);
    expect(shouldStop({ A: 4, B: 0, error: 0 }, 32, { mode: "confidence" })).toBe(true);
    expect(shouldStop({ A: 0, B: 4, error: 1 }, 32, { mode: "confidence" })).toBe(true);
    // 99%: z^2 = 6.635: 6 continue, 7 stop.
    expect(shouldStop({ A: 6, B: 0, error: 0 }, 32, { mode: "confidence", confidence: 0.99 })).toBe(false);
    expect(shouldStop({ A: 7, B: 0, error: 0 }, 32, { mode: "confidence", confidence: 0.99 })).toBe(true);
    // 10 vs 5: p = 2/3, n = 15, Wilson 95% = [0.417, 0.848] contains 0.5.
    expect(shouldStop({ A: 10, B: 5, error: 0 }, 32, { mode: "confidence" })).toBe(false);
  });
});

describe("normalQuantile / wilsonInterval", () => {
  it("matches standard normal quantiles", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829304, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
  });

  it("computes the Wilson interval", () => {
    // p = 2/3, n = 15, z = 1.96: center = (2/3 + 3.8416/30) / (1 + 3.8416/15) = 0.63270,
    // half = 1.96 * sqrt(2/9/15 + 3.8416/900) / 1.25611 = 0.21576.
    const { lower, upper } = wilsonInterval(10, 15, 1.96);
    expect(lower).toBeCloseTo(0.41714, 4);
    expect(upper).toBeCloseTo(0.84826, 4);
  });
});
