import { describe, expect, it } from "vitest";
import {
  combineOrders,
  leaderHoldsProbability,
  majorityVote,
  normalQuantile,
  shouldStop,
  shouldStopOrders,
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

describe("shouldStopOrders (both orders: the combined vote)", () => {
  it("decided: bounds the mean of the orders' final shares, not each order's own lead", () => {
    // k = 16, AB 12A/0B and BA 3A/9B: final mean share ∈ [½(12/16 + 3/16), ½(1 + 7/16)] ∋ ½.
    const split = [
      { A: 12, B: 0, error: 0 },
      { A: 3, B: 9, error: 0 },
    ];
    expect(split.map((c) => shouldStop(c, 16, { mode: "decided" }))).toEqual([true, true]);
    expect(shouldStopOrders(split, 16, { mode: "decided" })).toBe(false);
    // 12A each: the mean share is at least 12/16.
    const agreed = [
      { A: 12, B: 0, error: 0 },
      { A: 12, B: 0, error: 0 },
    ];
    expect(shouldStopOrders(agreed, 16, { mode: "decided" })).toBe(true);
    // AB 8A/0B with 2 left ([0.8, 1]) and BA 3A/5B with 2 left ([0.3, 0.5]): mean ≥ 0.55 → decided.
    const leaning = [
      { A: 8, B: 0, error: 0 },
      { A: 3, B: 5, error: 0 },
    ];
    expect(shouldStopOrders(leaning, 10, { mode: "decided" })).toBe(true);
    // BA with no valid vote yet could still end anywhere.
    const silent = [
      { A: 10, B: 0, error: 0 },
      { A: 0, B: 0, error: 2 },
    ];
    expect(shouldStopOrders(silent, 12, { mode: "decided" })).toBe(false);
    // An order whose budget went entirely to parse errors is left out, as combineOrders leaves it.
    expect(
      shouldStopOrders(
        [
          { A: 9, B: 0, error: 0 },
          { A: 0, B: 0, error: 12 },
        ],
        12,
        { mode: "decided" },
      ),
    ).toBe(true);
  });

  it("an exact ½ of the combined share is never a lead (integer comparison)", () => {
    // k = 5: AB 3A/1B with 1 left → low 3/5; BA 2A/2B with 1 left → low 2/5: mean low exactly ½.
    const even = [
      { A: 3, B: 1, error: 0 },
      { A: 2, B: 2, error: 0 },
    ];
    expect(shouldStopOrders(even, 5, { mode: "decided" })).toBe(false);
  });

  it("confidence and posterior test the pooled counts of both orders", () => {
    const twoEach = [
      { A: 2, B: 0, error: 0 },
      { A: 2, B: 0, error: 0 },
    ];
    // Pooled 4A/0B: Wilson at 95% excludes ½ (as one order with 4 votes does).
    expect(shouldStopOrders(twoEach, 32, { mode: "confidence" })).toBe(true);
    expect(shouldStopOrders(twoEach.slice(0, 1), 32, { mode: "confidence" })).toBe(false);
  });
});

describe("posterior stopping (Beta-Binomial)", () => {
  it("computes P(leader still ahead after the rest of the budget), hand-checked", () => {
    // Beta(1+1, 1+0) posterior, 2 votes left; the leader holds unless both go the other way:
    // E[(1−p)²] = 2·B(2, 3) = 1/6.
    expect(leaderHoldsProbability(1, 0, 2, 1)).toBeCloseTo(5 / 6, 12);
    expect(leaderHoldsProbability(0, 1, 2, 1)).toBeCloseTo(5 / 6, 12);
    // Beta(2.5, 1.5), 3 left, holds iff ≥ 2 of them go to the leader:
    // E[p³] = 2.5·3.5·4.5/(4·5·6) = 0.328125; 3·(E[p²] − E[p³]) = 3·(0.4375 − 0.328125) = 0.328125.
    expect(leaderHoldsProbability(2, 1, 3, 0.5)).toBeCloseTo(0.65625, 12);
    // Out of reach: certain; no leader: 0; a tie at the end is not holding.
    expect(leaderHoldsProbability(5, 0, 4, 0.5)).toBe(1);
    expect(leaderHoldsProbability(2, 2, 4, 0.5)).toBe(0);
    expect(leaderHoldsProbability(1, 0, 1, 1)).toBeCloseTo(2 / 3, 12);
    // A long budget stays finite and a probability.
    const p = leaderHoldsProbability(3, 0, 1021, 0.5);
    expect(p).toBeGreaterThan(0.9);
    expect(p).toBeLessThan(1);
  });

  it("stops a clear vote early and runs a split one on", () => {
    const posterior = { mode: "posterior" as const, confidence: 0.95, prior: 0.5 };
    const unanimous = (n: number) => shouldStop({ A: n, B: 0, error: 0 }, 32, posterior);
    const first = [1, 2, 3, 4, 5].find(unanimous);
    expect(first).toBeDefined();
    expect(first!).toBeLessThanOrEqual(4);
    expect(shouldStop({ A: 8, B: 7, error: 0 }, 32, posterior)).toBe(false);
    // Nothing parsed yet: never stops before the budget.
    expect(shouldStop({ A: 0, B: 0, error: 3 }, 32, posterior)).toBe(false);
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
