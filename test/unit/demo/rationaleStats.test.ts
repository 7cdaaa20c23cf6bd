/** `rationaleStats` on real world pairs and rationales written by the world's own writer. */
import { describe, expect, it } from "vitest";
import { rationaleStats } from "../../../src/demo/rationaleStats.js";
import type { Judgment } from "../../../src/judge/types.js";
import {
  createWorldRng,
  generateWorld,
  judgeView,
  perfectReasoner,
  scoreRationale,
  writeRationale,
} from "../../../src/world/index.js";

const pairs = generateWorld({
  seed: 5,
  sizes: { train: 0, test: 40, "ood-length": 0, "ood-mixed": 0, "ood-long": 0 },
}).splits.test;

/** A judgment holding one sample per text, in the AB order. */
function judgment(pairId: string, texts: string[]): Judgment {
  return {
    pairId,
    samples: texts.map((text, index) => ({ text, order: "AB", index, verdict: "error" })),
  } as unknown as Judgment;
}

describe("rationaleStats: does the verdict follow the work", () => {
  it("counts, among samples whose result matches exactly one answer, those whose verdict names it", () => {
    const rng = createWorldRng(0, "rationale-stats");
    const faithful: Judgment[] = [];
    const flipped: Judgment[] = [];
    let matched = 0;
    for (const p of pairs) {
      const view = judgeView(p, "AB");
      const written = writeRationale(view, rng, perfectReasoner);
      if (scoreRationale(written.text, view).impliedVerdict !== null) matched++;
      // The same work with the other verdict: the conclusion no longer follows it.
      const other = written.verdict === "A" ? "B" : "A";
      const swapped = written.text
        .replace(`${written.verdict} is right.`, `${other} is right.`)
        .replace(`[[${written.verdict}]]`, `[[${other}]]`);
      faithful.push(judgment(p.id, [written.text]));
      flipped.push(judgment(p.id, [swapped]));
    }
    expect(matched).toBeGreaterThan(0);
    expect(rationaleStats(faithful, pairs).followsWork).toBe(1);
    expect(rationaleStats(flipped, pairs).followsWork).toBe(0);
    const half = faithful.map((j, i) => (i % 2 === 0 ? j : flipped[i]!));
    const expected =
      half.filter(
        (j, i) =>
          i % 2 === 0 &&
          scoreRationale(j.samples[0]!.text, judgeView(pairs[i]!, "AB")).impliedVerdict !== null,
      ).length / matched;
    expect(rationaleStats(half, pairs).followsWork).toBeCloseTo(expected, 12);
  });

  it("is null when no sample's result matches exactly one answer", () => {
    const p = pairs[0]!;
    expect(rationaleStats([judgment(p.id, ["A comes first. [[A]]"])], pairs).followsWork).toBeNull();
  });
});
