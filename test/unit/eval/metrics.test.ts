import { describe, expect, it } from "vitest";
import {
  bootstrapCI,
  compareJudgments,
  describeDistribution,
  mcnemarTest,
  positionConsistency,
  quantileSorted,
  scorePair,
} from "../../../src/eval/index.js";
import { judgmentOf, pairOf, samplesOf } from "./fixtures.js";

describe("scorePair", () => {
  it("scores 1 / 0 and the configured tie and error scores; tie labels are not scored", () => {
    expect(scorePair("A", "A")).toBe(1);
    expect(scorePair("B", "A")).toBe(0);
    expect(scorePair("tie", "B")).toBe(0.5);
    expect(scorePair("error", "B")).toBe(0.5);
    expect(scorePair("error", "B", { errorScore: 0 })).toBe(0);
    expect(scorePair("tie", "A", { tieScore: 0 })).toBe(0);
    expect(scorePair("A", "tie")).toBeNull();
  });
});

describe("quantiles", () => {
  it("interpolates linearly between ranks (numpy default)", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    // position (4 − 1) · 0.95 = 2.85 → 3 + 0.85 · (4 − 3).
    expect(quantileSorted([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(describeDistribution([40, 10, 1000, 30, 20])).toMatchObject({ n: 5, mean: 220, p50: 30 });
    // position 4 · 0.95 = 3.8 → 40 + 0.8 · (1000 − 40).
    expect(describeDistribution([40, 10, 1000, 30, 20]).p95).toBeCloseTo(808, 10);
    expect(describeDistribution([])).toEqual({ n: 0, mean: null, p50: null, p95: null });
  });
});

describe("bootstrapCI", () => {
  it("reads the interval off the resampled means", () => {
    // n = 4 with one 1: a resample mean is Binomial(4, ¼)/4, P(≤ 0.5) = 0.949, P(≤ 0.75) = 0.996,
    // P(0) = 0.316, so with 10,000 resamples the 2.5% quantile is 0 and the 97.5% one is 0.75.
    expect(bootstrapCI([0, 0, 0, 1], { resamples: 10_000 })).toEqual({
      estimate: 0.25,
      lower: 0,
      upper: 0.75,
      level: 0.95,
    });
    // Two values: means 0, ½, 1 with probability ¼, ½, ¼: the 95% interval spans everything.
    expect(bootstrapCI([0, 1], { resamples: 10_000 })).toMatchObject({ lower: 0, upper: 1 });
  });

  it("is degenerate for constant scores, null for none, and reproducible by seed", () => {
    expect(bootstrapCI([0.5, 0.5, 0.5])).toEqual({ estimate: 0.5, lower: 0.5, upper: 0.5, level: 0.95 });
    expect(bootstrapCI([])).toBeNull();
    const values = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    expect(bootstrapCI(values, { seed: 3 })).toEqual(bootstrapCI(values, { seed: 3 }));
    const ci = bootstrapCI(values, { level: 0.9 })!;
    expect(ci.lower).toBeLessThan(ci.estimate);
    expect(ci.upper).toBeGreaterThan(ci.estimate);
  });
});

describe("positionConsistency", () => {
  it("counts same-winner pairs across orders and the first-slot preference", () => {
    const judgments = [
      // AB picks A, BA picks A: consistent. Slot A chosen in AB only.
      judgmentOf("1", "A", { samples: samplesOf("AB:AA|BA:A") }),
      // AB picks A, BA picks B: always the first-shown slot.
      judgmentOf("2", "tie", { samples: samplesOf("AB:A|BA:B") }),
      // AB tied: not decided in both orders. BA picks B, shown first.
      judgmentOf("3", "B", { samples: samplesOf("AB:AB|BA:B") }),
      // Direct read-out: A in both orders (0.8, 0.6).
      judgmentOf("4", "A", {
        orders: ["AB", "BA"],
        probabilities: [
          { order: "AB", pA: 0.8, logprobA: -0.2, logprobB: -1.6 },
          { order: "BA", pA: 0.6, logprobA: -0.5, logprobB: -0.9 },
        ],
      }),
      // Single order: counts for the slot rate only (A shown second).
      judgmentOf("5", "A", { samples: samplesOf("BA:A") }),
    ];
    expect(positionConsistency(judgments)).toEqual({
      bothOrderJudgments: 4,
      decidedPairs: 3,
      consistentPairs: 2,
      rate: 2 / 3,
      decidedOrders: 8,
      aSlotRate: 5 / 8,
    });
  });
});

describe("mcnemarTest", () => {
  it("uses the exact binomial test for few discordant pairs", () => {
    // n = 7: P(X ≤ 1) = (1 + 7) / 128, doubled.
    expect(mcnemarTest(1, 6)).toEqual({ b: 1, c: 6, n: 7, statistic: null, pValue: 0.125, method: "exact" });
    expect(mcnemarTest(0, 5).pValue).toBeCloseTo(2 / 32, 14);
    // n = 6, b = c = 3: 2 · 42/64 > 1, capped.
    expect(mcnemarTest(3, 3).pValue).toBe(1);
    expect(mcnemarTest(0, 0).pValue).toBe(1);
  });

  it("uses χ² with continuity correction from 25 discordant pairs", () => {
    // (|10 − 30| − 1)² / 40 = 9.025; P(χ²₁ > 9.025) = erfc(√4.5125) = 0.0026631193 (Python math.erfc).
    const r = mcnemarTest(10, 30);
    expect(r.method).toBe("chi2");
    expect(r.statistic).toBeCloseTo(9.025, 12);
    expect(r.pValue).toBeCloseTo(0.0026631193, 8);
  });

  it("pairs two judges' judgments by pair id", () => {
    const pairs = ["1", "2", "3", "4", "5"].map((id) => pairOf(id, "A"));
    pairs.push(pairOf("6", "tie"));
    const first = [
      judgmentOf("1", "A"),
      judgmentOf("2", "A"),
      judgmentOf("3", "B"),
      judgmentOf("4", "tie"),
      judgmentOf("6", "A"),
    ];
    const second = [
      judgmentOf("1", "A"),
      judgmentOf("2", "B"),
      judgmentOf("3", "A"),
      judgmentOf("4", "A"),
      judgmentOf("5", "A"),
    ];
    // Paired: 1 (both right), 2 (first only), 3 (second only), 4 (tie counts as not right: second only).
    expect(compareJudgments(first, second, pairs)).toEqual({
      b: 1,
      c: 2,
      n: 3,
      statistic: null,
      pValue: 1,
      method: "exact",
      pairs: 4,
      accuracyFirst: 0.5,
      accuracySecond: 0.75,
    });
  });
});
