/** rationaleStats on real world pairs: worked, shortcut and sound shares of known rationales. */
import { describe, expect, it } from "vitest";
import { rationaleStats } from "../../../src/demo/rationaleStats.js";
import type { JudgeSample, Judgment } from "../../../src/judge/types.js";
import { createWorldRng } from "../../../src/world/createWorldRng.js";
import { generateWorld } from "../../../src/world/generateWorld.js";
import { judgeView } from "../../../src/world/judgeView.js";
import { perfectReasoner, writeRationale } from "../../../src/world/writeRationale.js";

const pairs = generateWorld({ seed: 3, sizes: { train: 0, test: 6, "ood-length": 0, "ood-mixed": 0 } }).splits
  .test;

const sample = (text: string, order: "AB" | "BA", index: number): JudgeSample => ({
  order,
  index,
  seed: index,
  text,
  verdict: "A",
  completionTokens: 10,
  stopReason: "eos",
});
const judgment = (pairId: string, samples: JudgeSample[]) => ({ pairId, samples }) as unknown as Judgment;

describe("rationaleStats", () => {
  it("counts worked, shortcut and sound rationales over every sample", () => {
    const rng = createWorldRng(0, "test");
    const judgments = pairs.map((p, i) => {
      const order = i % 2 === 0 ? "AB" : "BA";
      const perfect = writeRationale(judgeView(p, order), rng, perfectReasoner).text;
      return judgment(p.id, [
        sample(perfect, order, 0),
        sample("B is more detailed. [[B]]", order, 1),
        sample("A comes first. [[A]]", order, 2),
        sample("", order, 3),
        sample("1+1=2. A says 1. B says 3. Neither is right; B is more detailed. [[B]]", order, 4),
      ]);
    });
    const stats = rationaleStats(judgments, pairs);
    expect(stats.samples).toBe(pairs.length * 5);
    expect(stats.worked).toBeCloseTo(0.2, 10);
    expect(stats.fallback).toBeCloseTo(0.2, 10);
    expect(stats.heuristic).toBeCloseTo(0.4, 10);
    // A perfect reasoner is right for the right reason wherever exactly one answer is correct,
    // which the world guarantees.
    expect(stats.sound).toBeCloseTo(0.2, 10);
  });

  it("reads each sample in its own display order", () => {
    const p = pairs[0]!;
    const rng = createWorldRng(1, "test");
    const ab = writeRationale(judgeView(p, "AB"), rng, perfectReasoner).text;
    // The AB rationale shown as BA quotes the answers in the wrong slots: not sound.
    expect(rationaleStats([judgment(p.id, [sample(ab, "BA", 0)])], pairs).sound).toBe(0);
    expect(rationaleStats([judgment(p.id, [sample(ab, "AB", 0)])], pairs).sound).toBe(1);
  });

  it("ignores judgments of other pairs and is 0 without samples", () => {
    expect(rationaleStats([judgment("elsewhere", [sample("x", "AB", 0)])], pairs)).toEqual({
      samples: 0,
      worked: 0,
      fallback: 0,
      heuristic: 0,
      sound: 0,
    });
  });
});
