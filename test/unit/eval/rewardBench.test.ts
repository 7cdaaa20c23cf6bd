import { describe, expect, it } from "vitest";
import {
  formatEvalTable,
  rewardBenchScores,
  rewardBenchSections,
  summarizeEval,
} from "../../../src/eval/index.js";
import type { Judgment } from "../../../src/judge/types.js";
import { judgmentOf, pairOf } from "./fixtures.js";

describe("RewardBench weights", () => {
  it("match the published EXAMPLE_COUNTS (math-prm upweighted to 984)", () => {
    const totals = rewardBenchSections.map((s) => [
      s.name,
      Object.values(s.counts).reduce((a, b) => a + b, 0),
    ]);
    expect(totals).toEqual([
      ["Chat", 358],
      ["Chat Hard", 456],
      ["Safety", 740],
      ["Reasoning", 1968],
    ]);
    expect(rewardBenchSections[2].counts["xstest-should-refuse"]).toBe(154);
  });

  it("Reasoning is half math, half the mean of code", () => {
    const acc: Record<string, number> = {};
    for (const s of rewardBenchSections) for (const name of Object.keys(s.counts)) acc[name] = 1;
    acc["math-prm"] = 0;
    const scores = rewardBenchScores(acc);
    expect(scores.sections.map((s) => s.score)).toEqual([1, 1, 1, 0.5]);
    expect(scores.overall).toBe(0.875);
    expect(scores.complete).toBe(true);
  });

  it("skips and reports absent subsets and sections", () => {
    const scores = rewardBenchScores({
      "alpacaeval-easy": 0.9,
      "mt-bench-easy": 0.5,
      anthropic_helpful: 0.7,
    });
    // Chat = (0.9·100 + 0.5·28) / 128 = 104 / 128.
    expect(scores.sections[0]).toEqual({
      key: "chat",
      name: "Chat",
      score: 104 / 128,
      subsetsScored: ["alpacaeval-easy", "mt-bench-easy"],
      subsetsMissing: ["alpacaeval-length", "alpacaeval-hard", "mt-bench-med"],
    });
    expect(scores.overall).toBe(104 / 128);
    expect(scores.complete).toBe(false);
    expect(scores.sectionsMissing).toEqual(["Chat Hard", "Safety", "Reasoning"]);
    expect(scores.unknownSubsets).toEqual(["anthropic_helpful"]);
  });
});

describe("summarizeEval on a RewardBench-shaped fixture", () => {
  // 16 pairs, all labelled A (RewardBench puts chosen in A). Per subset:
  //   alpacaeval-easy       4 pairs: A A A B          → 3/4   = 0.75
  //   mt-bench-med          2 pairs: A B              → 1/2   = 0.5
  //   llmbar-natural        2 pairs: A A              → 1
  //   mt-bench-hard         1 pair:  B                → 0
  //   xstest-should-refuse  2 pairs: A tie            → 1.5/2 = 0.75
  //   donotanswer           1 pair:  A                → 1
  //   math-prm              2 pairs: A B              → 0.5
  //   hep-python            1 pair:  A                → 1
  //   hep-go                1 pair:  error            → 0.5 (RewardBench scores errors ½)
  // hep-go is 0.5 here; by hand with the published weights:
  //   Chat      = (0.75·100 + 0.5·40) / (100 + 40)          = 95 / 140        = 0.678571428571
  //   Chat Hard = (1·100 + 0·37) / (100 + 37)               = 100 / 137       = 0.729927007299
  //   Safety    = (0.75·154 + 1·136) / (154 + 136)          = 251.5 / 290     = 0.867241379310
  //   Reasoning = (0.5·984 + 1·164 + 0.5·164) / (984 + 328) = 738 / 1312      = 0.5625
  //   Overall   = (0.678571428571 + 0.729927007299 + 0.867241379310 + 0.5625) / 4 = 0.709559953795
  //   Pair mean = (3 + 1 + 2 + 0 + 1.5 + 1 + 1 + 1 + 0.5) / 16 = 11 / 16 = 0.6875
  const spec: [string, string][] = [
    ["alpacaeval-easy", "AAAB"],
    ["mt-bench-med", "AB"],
    ["llmbar-natural", "AA"],
    ["mt-bench-hard", "B"],
    ["xstest-should-refuse", "At"],
    ["donotanswer", "A"],
    ["math-prm", "AB"],
    ["hep-python", "A"],
    ["hep-go", "e"],
  ];
  const pairs = spec.flatMap(([subset, verdicts]) =>
    [...verdicts].map((_, i) => pairOf(`${subset}-${i}`, "A", subset)),
  );
  const judgments: Judgment[] = spec.flatMap(([subset, verdicts]) =>
    [...verdicts].map((v, i) =>
      judgmentOf(`${subset}-${i}`, v === "t" ? "tie" : v === "e" ? "error" : (v as "A" | "B"), {
        usage: { promptTokens: 100 * (i + 1), completionTokens: 10, wallMs: 50 },
      }),
    ),
  );

  it("computes the section and overall scores by the published weights", () => {
    const summary = summarizeEval(judgments, pairs, { majAtK: false });
    const rb = summary.rewardBench!;
    expect(rb.sections.map((s) => [s.name, s.score])).toEqual([
      ["Chat", 95 / 140],
      ["Chat Hard", 100 / 137],
      ["Safety", 251.5 / 290],
      ["Reasoning", 738 / 1312],
    ]);
    expect(rb.overall).toBeCloseTo(0.709559953795, 11);
    expect(rb.complete).toBe(true);
    expect(summary.accuracy.accuracy).toBe(11 / 16);
    expect(summary.metrics["rewardbench/chat_hard"]).toBe(100 / 137);
    expect(summary.metrics["rewardbench/pair_mean"]).toBe(11 / 16);
    expect(summary.subsets["xstest-should-refuse"]!.accuracy).toBe(0.75);
    expect(summary.verdicts).toEqual({ A: 10, B: 4, tie: 1, error: 1 });
  });

  it("counts errors as wrong when asked", () => {
    const summary = summarizeEval(judgments, pairs, { errorScore: 0, majAtK: false });
    // hep-go drops to 0: Reasoning = (0.5·984 + 164) / 1312 = 0.5; pair mean 10.5 / 16.
    expect(summary.rewardBench!.sections[3]!.score).toBe(0.5);
    expect(summary.accuracy.accuracy).toBe(10.5 / 16);
  });

  it("skips RewardBench scoring for other data unless forced", () => {
    const other = [pairOf("x", "A", "llmbar-natural-ish"), pairOf("y", "B")];
    const js = [judgmentOf("x", "A"), judgmentOf("y", "A")];
    expect(summarizeEval(js, other).rewardBench).toBeNull();
    expect(summarizeEval(js, other, { rewardBench: true }).rewardBench!.unknownSubsets).toEqual([
      "llmbar-natural-ish",
    ]);
  });

  it("formats a terminal table", () => {
    const table = formatEvalTable(summarizeEval(judgments, pairs));
    expect(table).toContain("accuracy   68.8%    [");
    expect(table).toContain("  Chat Hard  73.0%");
    expect(table).toContain("  Overall    71.0%");
    expect(table).toContain("  Pair mean  68.8%");
    expect(table).toMatch(/alpacaeval-easy\s+4\s+75\.0%/);
    expect(table).toContain("verdicts  A 10  B 4  tie 1  error 1");
  });
});
