import { describe, expect, it } from "vitest";
import { formatEvalTable, summarizeEval } from "../../../src/eval/index.js";
import { judgmentOf, pairOf, samplesOf } from "./fixtures.js";

describe("summarizeEval", () => {
  const pairs = [pairOf("1", "A"), pairOf("2", "B"), pairOf("3", "A"), pairOf("4", "tie"), pairOf("5", "A")];
  const truncated = samplesOf("BA:x");
  truncated[0]!.parseError = "truncated";
  const judgments = [
    // Right in both orders, consistent. 8 samples in all: 4 + 2 + 1 + 1.
    judgmentOf("1", "A", {
      samples: samplesOf("AB:AA|BA:AA"),
      usage: { promptTokens: 200, completionTokens: 40, wallMs: 100, cachedSamples: 2 },
    }),
    // Position-biased: AB says A, BA says B → tie (wrong label B gets ½).
    judgmentOf("2", "tie", {
      samples: samplesOf("AB:A|BA:B"),
      usage: { promptTokens: 200, completionTokens: 20, wallMs: 300 },
    }),
    // Engine failed after a truncated sample.
    judgmentOf("3", "error", {
      samples: truncated,
      errors: ["AB: timeout"],
      usage: { promptTokens: 0, completionTokens: 10, wallMs: 500 },
    }),
    // Tie label: judged, not scored.
    judgmentOf("4", "A", {
      samples: samplesOf("AB:A"),
      stoppedEarly: true,
      usage: { promptTokens: 100, completionTokens: 10, wallMs: 100 },
    }),
    // Unknown pair.
    judgmentOf("9", "A"),
  ];
  const summary = summarizeEval(judgments, pairs, { bootstrap: { resamples: 200 } });

  it("counts pairs, judgments and what could not be matched or scored", () => {
    expect(summary.counts).toEqual({
      pairs: 5,
      judgments: 5,
      missing: 1,
      unmatched: 1,
      tieLabels: 1,
      scored: 3,
    });
    expect(summary.verdicts).toEqual({ A: 2, B: 0, tie: 1, error: 1 });
    // Scores 1, ½ (tie), ½ (error).
    expect(summary.accuracy.accuracy).toBe(2 / 3);
    expect(summary.accuracy.n).toBe(3);
    expect(summary.subsets).toEqual({ "(none)": summary.accuracy });
    expect(summary.rewardBench).toBeNull();
  });

  it("reports parsing, errors, position bias, early stops and calibration", () => {
    expect(summary.parse).toEqual({
      samples: 8,
      parseErrors: 1,
      truncated: 1,
      parseErrorRate: 1 / 8,
      truncationRate: 1 / 8,
    });
    expect(summary.errors).toEqual({
      errorVerdicts: 1,
      engineErrors: 1,
      errorRate: 1 / 4,
      engineErrorRate: 1 / 4,
    });
    expect(summary.positionConsistency).toMatchObject({
      bothOrderJudgments: 2,
      decidedPairs: 2,
      consistentPairs: 1,
      rate: 0.5,
    });
    // Decided per-order verdicts: 1/AB A (first slot), 1/BA A (second), 2/AB A (first), 2/BA B (first), 4/AB A (first).
    expect(summary.positionConsistency.aSlotRate).toBe(4 / 5);
    expect(summary.adaptive).toEqual({ stoppedEarly: 1, stoppedEarlyRate: 1 / 4 });
    // pA: 1 vs A → 0; 0.5 vs B → 0.25; error has no pA; tie label is skipped.
    expect(summary.brier).toBe(0.125);
  });

  it("describes cost per judgment", () => {
    // Totals 240, 220, 10, 110 → sorted 10, 110, 220, 240: median 165, p95 at position 2.85 → 237.
    expect(summary.usage.totalTokens.mean).toBe(145);
    expect(summary.usage.totalTokens.p50).toBe(165);
    expect(summary.usage.totalTokens.p95).toBeCloseTo(237, 10);
    expect(summary.usage.wallMs).toMatchObject({ mean: 250, p50: 200 });
    expect(summary.usage.cachedSampleRate).toBe(2 / 8);
  });

  it("includes the maj@k curve over sampled judgments with labels A/B", () => {
    // 1: always right → 1. 2: AB A (wrong), BA B (right) → tie ½. 3: failed → error ½. Only k = 1, 2 exist.
    expect(summary.majAtK).toEqual([
      { k: 1, accuracy: 2 / 3, n: 3 },
      { k: 2, accuracy: 2 / 3, n: 3 },
    ]);
  });

  it("keeps one provenance per distinct setting and is plain JSON", () => {
    expect(summary.provenance).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.options).toEqual({
      tieScore: 0.5,
      errorScore: 0.5,
      bootstrap: { resamples: 200, level: 0.95, seed: 0 },
      majAtK: { maxK: null, mode: "first" },
      rewardBench: "auto",
    });
  });

  it("reports maj@k by samples spent beside the per-order curve (issue 12)", () => {
    // Per order, maj@1 spends 2 samples with both orders; by samples spent, maj@1 is AB's first
    // sample alone: pair 1 right (1), pair 2 AB says A against label B (0), pair 3 failed (½).
    // maj@2..4 take ⌈k/2⌉ from AB and ⌊k/2⌋ from BA: 1, ½ (A vs B), ½ → 2/3.
    expect(summary.majAtKTotal.map((p) => [p.k, p.accuracy])).toEqual([
      [1, 0.5],
      [2, 2 / 3],
      [3, 2 / 3],
      [4, 2 / 3],
    ]);
    expect(summary.majAtK.map((p) => p.accuracy)).toEqual([2 / 3, 2 / 3]);
    expect(summary.metrics["eval/maj_at_1_samples"]).toBe(0.5);
    expect(summary.metrics["eval/maj_at_1"]).toBe(2 / 3);
  });

  it("flattens every number under namespaced metric keys", () => {
    expect(summary.metrics).toMatchObject({
      "eval/accuracy": 2 / 3,
      "eval/subset/(none)/accuracy": 2 / 3,
      "eval/maj_at_1": 2 / 3,
      "judge/parse_error_rate": 1 / 8,
      "judge/position_consistency": 0.5,
      "judge/a_slot_rate": 0.8,
      "judge/error_rate": 0.25,
      "judge/engine_error_rate": 0.25,
      "judge/tie_rate": 0.25,
      "usage/tokens_mean": 145,
      "usage/samples_mean": 2,
    });
    for (const key of Object.keys(summary.metrics)) expect(key).toMatch(/^(eval|judge|usage|rewardbench)\//);
  });

  it("formats position bias, parsing and cost lines", () => {
    const table = formatEvalTable(summary);
    expect(table).toContain(
      "judge     test cot cot-pair-v2@1 (0123456789abcdef), k=2, orders=both, seed=0, T=1 top-p=0.95",
    );
    expect(table).toContain("pairs     5 (judged 4, missing 1, tie labels 1, unmatched judgments 1)");
    expect(table).toContain("position  consistency 50.0% (1/2 pairs)  slot-A rate 80.0%");
    expect(table).toContain("parsing   1/8 samples unparseable (12.5%), 1 truncated");
    expect(table).toContain("errors    1 judgments hit engine errors");
    expect(table).toContain("maj@k     per order (2k samples) 1: 66.7%  2: 66.7%");
    expect(table).toContain("maj@k     by samples spent 1: 50.0%  2: 66.7%  3: 66.7%  4: 66.7%");
  });

  it("shows a direct judge without sampling settings, and says so when no verdict parsed", () => {
    const direct = judgmentOf("1", "A");
    direct.provenance = { ...direct.provenance, protocol: "direct", templateId: "direct-pair-v2@1" };
    const header = formatEvalTable(summarizeEval([direct], [pairOf("1", "A")]));
    expect(header).toContain(
      "judge     test direct direct-pair-v2@1 (0123456789abcdef), orders=both, seed=0\n",
    );
    expect(header).not.toMatch(/k=|T=|top-p/);

    const unparsed = ["1", "2", "3"].map((id) => judgmentOf(id, "error", { samples: samplesOf("AB:x") }));
    const table = formatEvalTable(
      summarizeEval(unparsed, [pairOf("1", "A"), pairOf("2", "B"), pairOf("3", "A")]),
    );
    expect(table).toContain(
      "accuracy  — no verdict parsed: all 3 judgments are errors (each would score 0.5)",
    );
    expect(table).not.toContain("50.0% [50.0%, 50.0%]");
  });
});
