import { describe, expect, it } from "vitest";
import { summarizeEval } from "../../../src/eval/summarizeEval.js";
import type { EvalSummaryRecord } from "../../../src/report/runReport/readRunDir.js";
import {
  calibrationOf,
  officialScoreBlocks,
  sampleCurves,
} from "../../../src/report/runReport/summaryBlocks.js";
import { curveFamilies, familySeries } from "../../../src/report/runReport/trainCurves.js";
import type { MetricsEntry } from "../../../src/run/metricsLog.js";
import { judgment, pair } from "./runFixtures.js";

const summary = (fields: Record<string, unknown>) => fields as unknown as EvalSummaryRecord;

describe("officialScoreBlocks", () => {
  it("groups every non-generic metric namespace, keys in first-seen order across runs", () => {
    const a = summary({
      metrics: {
        "eval/accuracy": 0.7,
        "rewardbench/chat": 0.9,
        "rewardbench/overall": 0.8,
        "judge/tie_rate": 0,
      },
    });
    const b = summary({
      metrics: {
        "rewardbench2/focus": 0.4,
        "rewardbench/chat": 0.5,
        "rewardbench/safety": 0.6,
        "usage/tokens_mean": 9,
      },
    });
    expect(officialScoreBlocks([a, b])).toEqual([
      { name: "rewardbench", keys: ["chat", "overall", "safety"] },
      { name: "rewardbench2", keys: ["focus"] },
    ]);
    expect(officialScoreBlocks([summary({ metrics: { "eval/accuracy": 1 } })])).toEqual([]);
  });
});

describe("sampleCurves", () => {
  it("finds maj@k and any other accuracy-against-samples array", () => {
    const s = summary({
      majAtK: [
        { k: 1, accuracy: 0.6, n: 10 },
        { k: 2, accuracy: 0.7, n: 10 },
      ],
      majAtKBySamples: [{ samples: 2, accuracy: 0.6, n: 10 }],
      provenance: [{ modelId: "m", k: 4 }],
      subsets: {},
    });
    expect(sampleCurves(s)).toEqual([
      {
        key: "majAtK",
        xField: "k",
        points: [
          { x: 1, accuracy: 0.6 },
          { x: 2, accuracy: 0.7 },
        ],
      },
      { key: "majAtKBySamples", xField: "samples", points: [{ x: 2, accuracy: 0.6 }] },
    ]);
  });
});

describe("calibrationOf", () => {
  it("reads reliability bins as the brief's shape, and under the usual synonyms", () => {
    const direct = summary({
      calibration: {
        bins: [
          { lo: 0, hi: 0.5, count: 4, meanConfidence: 0.3, accuracy: 0.25 },
          { lo: 0.5, hi: 1, count: 6, meanConfidence: 0.8, accuracy: 0.9 },
        ],
        ece: 0.07,
      },
    });
    expect(calibrationOf(direct)).toEqual({
      key: "calibration",
      ece: 0.07,
      bins: [
        { lo: 0, hi: 0.5, count: 4, confidence: 0.3, accuracy: 0.25 },
        { lo: 0.5, hi: 1, count: 6, confidence: 0.8, accuracy: 0.9 },
      ],
    });
    const nested = summary({
      calibration: {
        ece: 0.1,
        reliability: { bins: [{ lo: 0.9, hi: 1, n: 3, meanPredicted: 0.95, observed: 1 }] },
      },
    });
    expect(calibrationOf(nested)).toEqual({
      key: "calibration",
      ece: 0.1,
      bins: [{ lo: 0.9, hi: 1, count: 3, confidence: 0.95, accuracy: 1 }],
    });
    expect(calibrationOf(summary({ brier: 0.2 }))).toBeNull();
    expect(calibrationOf(summary({ calibration: null }))).toBeNull();
    expect(calibrationOf(summary({ calibration: { bins: [{ lo: 0 }] } }))).toBeNull();
  });
});

describe("calibrationOf on genrm's own summary", () => {
  it("reads the reliability table summarizeEval writes, empty bins left out", () => {
    // Vote shares 3/4 (label A), 1/4 (label A), 3/4 (label B): bins [0.2, 0.3) and [0.7, 0.8).
    const pairs = [pair("a", "x", "y", "A"), pair("b", "x", "y", "A"), pair("c", "x", "y", "B")];
    const judgments = [
      judgment("a", "A", [], { pA: 0.75 }),
      judgment("b", "B", [], { pA: 0.25 }),
      judgment("c", "A", [], { pA: 0.75 }),
    ];
    const s = summarizeEval(judgments, pairs) as EvalSummaryRecord;
    expect(s.calibration).not.toBeNull();
    expect(calibrationOf(s)).toEqual({
      key: "calibration",
      ece: s.calibration!.ece,
      bins: [
        { lo: 0.2, hi: 0.3, count: 1, confidence: 0.25, accuracy: 1 },
        { lo: 0.7, hi: 0.8, count: 2, confidence: 0.75, accuracy: 0.5 },
      ],
    });
    // ECE by hand: (1/3)·|0.25 − 1| + (2/3)·|0.75 − 0.5| = 0.25 + 1/6.
    expect(s.calibration!.ece).toBeCloseTo(0.25 + 1 / 6, 12);
  });
});

describe("training curve families", () => {
  const dpo: MetricsEntry[] = [
    {
      step: 1,
      epoch: 0.5,
      loss: 0.69,
      learning_rate: 1e-3,
      grad_norm: 3,
      num_tokens: 10,
      "rewards/chosen": 0,
      "rewards/rejected": 0,
      "rewards/margins": 0,
      "rewards/accuracies": 0,
    },
    {
      step: 2,
      epoch: 1,
      loss: 0.5,
      learning_rate: 5e-4,
      grad_norm: 2,
      num_tokens: 20,
      "rewards/chosen": 0.2,
      "rewards/rejected": -0.2,
      "rewards/margins": 0.4,
      "rewards/accuracies": 1,
    },
    {
      step: 2,
      "eval/loss": 0.55,
      "eval/rewards/chosen": 0.1,
      "eval/rewards/rejected": -0.1,
      "eval/rewards/margins": 0.2,
    },
  ];
  const sft: MetricsEntry[] = [
    { step: 1, loss: 2, mean_token_accuracy: 0.1, nll: 2, tokens_per_second: 100 },
  ];

  it("draws the known families first, then every other logged metric, never the counters", () => {
    expect(curveFamilies([dpo, sft]).map((f) => [f.id, f.keys])).toEqual([
      ["loss", ["loss"]],
      ["rewards", ["rewards/chosen", "rewards/rejected"]],
      ["margins", ["rewards/margins"]],
      ["accuracies", ["rewards/accuracies"]],
      ["token-accuracy", ["mean_token_accuracy"]],
      ["lr", ["learning_rate"]],
      ["grad-norm", ["grad_norm"]],
      ["nll", ["nll"]],
    ]);
  });

  it("gives each key's train and eval points", () => {
    const rewards = curveFamilies([dpo]).find((f) => f.id === "rewards")!;
    expect(familySeries(dpo, rewards)).toEqual([
      {
        key: "rewards/chosen",
        split: "train",
        points: [
          { step: 1, value: 0 },
          { step: 2, value: 0.2 },
        ],
      },
      { key: "rewards/chosen", split: "eval", points: [{ step: 2, value: 0.1 }] },
      {
        key: "rewards/rejected",
        split: "train",
        points: [
          { step: 1, value: 0 },
          { step: 2, value: -0.2 },
        ],
      },
      { key: "rewards/rejected", split: "eval", points: [{ step: 2, value: -0.1 }] },
    ]);
  });
});
