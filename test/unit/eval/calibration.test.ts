import { describe, expect, it } from "vitest";
import { calibration } from "../../../src/eval/calibration.js";
import { formatEvalTable, rewardBenchScores, summarizeEval } from "../../../src/eval/index.js";
import type { PairId } from "../../../src/types.js";
import { judgmentOf, pairOf } from "./fixtures.js";

describe("calibration of P(A)", () => {
  // pA and label per pair; bins of width 0.1.
  const rows: [number, "A" | "B"][] = [
    [0.05, "B"], // bin 0: mean 0.05, share A 0 → gap 0.05
    [0.15, "A"], // bin 1: mean 0.15, share A ½ → gap 0.35 (2 judgments)
    [0.15, "B"],
    [0.55, "B"], // bin 5: mean 0.55, share A 0 → gap 0.55
    [0.95, "A"], // bin 9 (closed at 1): mean 0.975, share A 1 → gap 0.025 (2 judgments)
    [1, "A"],
  ];
  const pairs = rows.map(([, label], i) => pairOf(String(i), label));
  const judgments = rows.map(([pA], i) => judgmentOf(String(i), pA > 0.5 ? "A" : "B", { pA }));
  const labels = new Map(pairs.map((p) => [p.id, p.label]));

  it("bins P(A) in 10 equal-width bins and weighs each bin's gap by its share (hand-computed)", () => {
    const c = calibration(judgments, labels)!;
    // ECE = (1·0.05 + 2·0.35 + 1·0.55 + 2·0.025) / 6 = 1.35 / 6.
    expect(c.ece).toBeCloseTo(1.35 / 6, 12);
    expect(c.n).toBe(6);
    expect(c.reliability.map((b) => b.n)).toEqual([1, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(c.reliability[9]).toMatchObject({ lower: 0.9, upper: 1, n: 2, fractionA: 1 });
    expect(c.reliability[9]!.meanPA).toBeCloseTo(0.975, 12);
    expect(c.reliability[2]).toMatchObject({ n: 0, meanPA: null, fractionA: null });
  });

  it("is in summary.json, the metrics and the table", () => {
    const summary = summarizeEval(judgments, pairs, { bootstrap: { resamples: 10 } });
    expect(summary.calibration?.ece).toBeCloseTo(1.35 / 6, 12);
    expect(summary.metrics["eval/ece"]).toBeCloseTo(1.35 / 6, 12);
    const table = formatEvalTable(summary);
    expect(table).toContain("calibration of P(A): ECE 22.5% over 6 judgments (10 equal-width bins");
    expect(table).toContain("  [0.1, 0.2)       2      15.0%    50.0%");
    expect(table).toContain("  [0.9, 1.0]       2      97.5%   100.0%");
  });

  it("is null for a judge that only states verdicts (pA 0, ½ or 1)", () => {
    const hard = [
      judgmentOf("0", "B", { pA: 0 }),
      judgmentOf("1", "A", { pA: 1 }),
      judgmentOf("2", "tie", { pA: 0.5 }),
    ];
    expect(calibration(hard, labels)).toBeNull();
    expect(summarizeEval(hard, pairs, { bootstrap: { resamples: 10 } }).metrics["eval/ece"]).toBeNull();
  });

  it("leaves out tie labels, missing pA and unknown pairs", () => {
    const mixed = [
      judgmentOf("0", "B", { pA: 0.25 }),
      judgmentOf("t", "A", { pA: 0.75 }),
      judgmentOf("1", "error", { pA: null }),
      judgmentOf("zz", "A", { pA: 0.6 }),
    ];
    const withTie = new Map([...labels, ["t" as PairId, "tie" as const]]);
    // Only pair 0 (pA 0.25, label B): gap 0.25.
    expect(calibration(mixed, withTie)).toMatchObject({ n: 1, ece: 0.25 });
  });
});

describe("RewardBench overall on a partial run (issue 12)", () => {
  it("gives the mean of the sections present and, named, reward-bench's mean with missing sections as 0", () => {
    const scores = rewardBenchScores({ "alpacaeval-easy": 0.9, "mt-bench-hard": 0.5 });
    expect(scores.sections.map((s) => s.score)).toEqual([0.9, 0.5, null, null]);
    expect(scores.overall).toBeCloseTo(0.7, 12);
    // calculate_scores_per_section scores Safety and Reasoning 0: (0.9 + 0.5 + 0 + 0) / 4.
    expect(scores.overallMissingAsZero).toBeCloseTo(0.35, 12);
    const complete = rewardBenchScores({
      "alpacaeval-easy": 0.9,
      "mt-bench-hard": 0.5,
      donotanswer: 0.4,
      "math-prm": 0.6,
    });
    expect(complete.overallMissingAsZero).toBeCloseTo(complete.overall!, 12);
  });

  it("prints both means, named, when sections are missing", () => {
    const pairs = [pairOf("1", "A", "alpacaeval-easy"), pairOf("2", "A", "mt-bench-hard")];
    const summary = summarizeEval([judgmentOf("1", "A"), judgmentOf("2", "B")], pairs, {
      bootstrap: { resamples: 10 },
    });
    expect(summary.metrics["rewardbench/overall"]).toBe(0.5);
    expect(summary.metrics["rewardbench/overall_missing_as_zero"]).toBe(0.25);
    const table = formatEvalTable(summary);
    expect(table).toContain("Overall, sections present          50.0% (missing: Safety, Reasoning)");
    expect(table).toContain("Overall, missing sections as 0     25.0% (as reward-bench computes it)");
  });
});
