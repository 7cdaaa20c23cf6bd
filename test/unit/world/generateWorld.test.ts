import { describe, expect, it } from "vitest";
import { preferencePairSchema } from "../../../src/data/types.js";
import { pairToJsonLine } from "../../../src/data/writePairsJsonl.js";
import { ConfigError } from "../../../src/errors.js";
import {
  generateWorld,
  judgeView,
  questionPartition,
  readWorldMeta,
  resolveWorldConfig,
  statedValue,
  worldSplitNames,
  worldStats,
} from "../../../src/world/index.js";
import { binomialTolerance } from "./binomial.js";

const sizes = { train: 4000, test: 2000, "ood-length": 2000, "ood-mixed": 2000, "ood-long": 1000 };
const world = generateWorld({ seed: 7, sizes });

describe("generateWorld", () => {
  it("is a pure function of its options", () => {
    const again = generateWorld({ seed: 7, sizes });
    expect(JSON.stringify(again.splits)).toBe(JSON.stringify(world.splits));
    const other = generateWorld({ seed: 8, sizes });
    expect(other.splits.test.map((p) => p.prompt[0]!.content)).not.toEqual(
      world.splits.test.map((p) => p.prompt[0]!.content),
    );
  });

  it("draws each split from its own stream, so resizing one leaves the others alone", () => {
    const resized = generateWorld({ seed: 7, sizes: { ...sizes, train: 10, "ood-long": 0 } });
    expect(resized.splits.train).toEqual(world.splits.train.slice(0, 10));
    expect(resized.splits.test).toEqual(world.splits.test);
    expect(resized.splits["ood-length"]).toEqual(world.splits["ood-length"]);
    expect(resized.splits["ood-long"]).toEqual([]);
  });

  it("has the requested sizes, unique ids, subsets, and valid pairs that survive JSONL", () => {
    const ids = new Set<string>();
    for (const name of worldSplitNames) {
      const pairs = world.splits[name];
      expect(pairs).toHaveLength(sizes[name]);
      for (const pair of pairs) ids.add(pair.id);
      expect(new Set(pairs.map((p) => p.subset))).toEqual(new Set([world.config.splits[name].subset]));
    }
    expect(ids.size).toBe(Object.values(sizes).reduce((a, b) => a + b, 0));
    expect(world.splits.test[0]!.subset).toBe("world-id");
    expect(world.splits["ood-length"][0]!.subset).toBe("world-ood-length");
    const pair = world.splits["ood-mixed"][3]!;
    const back = preferencePairSchema.parse(JSON.parse(pairToJsonLine(pair)));
    expect(back).toEqual(pair);
    expect(readWorldMeta(back as typeof pair)).toEqual(pair.meta);
  });

  it("keeps meta consistent with the texts: the rule winner states the true result", () => {
    const wrong: string[] = [];
    for (const name of worldSplitNames) {
      for (const pair of world.splits[name]) {
        const meta = readWorldMeta(pair);
        const view = judgeView(pair);
        const longer = pair.responseA.length > pair.responseB.length ? "A" : "B";
        const checks = {
          value: view.problem.value === meta.answer,
          expression: view.expression === meta.expression,
          answerA: statedValue(pair.responseA) === meta.answerA,
          answerB: statedValue(pair.responseB) === meta.answerB,
          distinct: meta.answerA !== meta.answerB,
          winnerIsRight: (meta.ruleWinner === "A" ? meta.answerA : meta.answerB) === meta.answer,
          flipped: (pair.label === meta.ruleWinner) === !meta.flipped,
          cueSlot: meta.cueSlot === longer,
          cueOnWinner: meta.cueOnWinner === (longer === meta.ruleWinner),
        };
        for (const [check, ok] of Object.entries(checks)) if (!ok) wrong.push(`${pair.id}: ${check}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("agrees with the hidden rule at 1 − noise on every split", () => {
    for (const name of worldSplitNames) {
      const { ruleAgreement, size } = worldStats(world.splits[name]);
      expect(Math.abs(ruleAgreement - 0.95)).toBeLessThan(binomialTolerance(0.95, size));
    }
    const noisy = generateWorld({ seed: 1, noise: 0.2, sizes: { train: 3000 } });
    const agreement = worldStats(noisy.splits.train).ruleAgreement;
    expect(Math.abs(agreement - 0.8)).toBeLessThan(binomialTolerance(0.8, 3000));
    const clean = generateWorld({ seed: 1, noise: 0, sizes: { train: 500 } });
    expect(worldStats(clean.splits.train).ruleAgreement).toBe(1);
  });

  it("makes length predict the label in distribution, and fail or reverse out of it", () => {
    const expected = (cueRate: number) => cueRate * 0.95 + (1 - cueRate) * 0.05;
    const report: Record<string, number> = {};
    for (const name of worldSplitNames) {
      const stats = worldStats(world.splits[name]);
      const cueRate = world.config.splits[name].cueRate;
      report[name] = stats.lengthJudgeAccuracy;
      expect(Math.abs(stats.cueOnWinner - cueRate)).toBeLessThan(binomialTolerance(cueRate, stats.size));
      expect(Math.abs(stats.lengthJudgeAccuracy - expected(cueRate))).toBeLessThan(
        binomialTolerance(expected(cueRate), stats.size),
      );
      // Position carries nothing.
      expect(Math.abs(stats.labelA - 0.5)).toBeLessThan(binomialTolerance(0.5, stats.size));
    }
    console.log("length-judge accuracy by split", report);
    expect(report.train).toBeGreaterThan(0.75);
    expect(report.test).toBeGreaterThan(0.75);
    expect(report["ood-length"]).toBeLessThan(0.25);
    expect(Math.abs(report["ood-mixed"]! - 0.5)).toBeLessThan(0.06);
  });

  it("keeps test and OOD questions out of training, and gives OOD splits their shape", () => {
    const share = world.config.evalQuestionShare;
    const trainQuestions = new Set(world.splits.train.map((p) => p.prompt[0]!.content));
    const leaks: string[] = [];
    for (const pair of world.splits.train) {
      if (questionPartition(readWorldMeta(pair).expression, share) !== "train") leaks.push(pair.id);
    }
    for (const name of ["test", "ood-length", "ood-mixed", "ood-long"] as const) {
      for (const pair of world.splits[name]) {
        if (questionPartition(readWorldMeta(pair).expression, share) !== "eval") leaks.push(pair.id);
        if (trainQuestions.has(pair.prompt[0]!.content)) leaks.push(pair.id);
      }
    }
    expect(leaks).toEqual([]);
    expect(world.splits.train.every((p) => !readWorldMeta(p).ops.includes("-"))).toBe(true);
    expect(world.splits["ood-mixed"].every((p) => readWorldMeta(p).ops.includes("-"))).toBe(true);
    expect(world.splits["ood-long"].every((p) => readWorldMeta(p).terms.length >= 5)).toBe(true);
    expect(world.splits.test.every((p) => [3, 4].includes(readWorldMeta(p).terms.length))).toBe(true);
  });

  it("is fast: thousands of pairs well under a second", () => {
    const started = performance.now();
    generateWorld({ seed: 99, sizes: { train: 5000 } });
    const ms = performance.now() - started;
    console.log(`generateWorld: ${Math.round(ms)} ms for 6200 pairs`);
    expect(ms).toBeLessThan(1000);
  });

  it("reports every configuration issue at once", () => {
    let error: unknown;
    try {
      resolveWorldConfig({
        noise: 1.5,
        sizes: { train: -1, bogus: 3 } as never,
        splits: { test: { terms: [4, 2], cueRate: 2 } },
        maxTerm: 0,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join("\n");
    for (const path of [
      "noise",
      "sizes.train",
      "sizes.bogus",
      "splits.test.terms",
      "splits.test.cueRate",
      "maxTerm",
    ]) {
      expect(issues).toContain(`${path}:`);
    }
  });
});
