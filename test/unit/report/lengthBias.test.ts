import { describe, expect, it } from "vitest";
import { lengthBias, lengthBinOf } from "../../../src/report/runReport/lengthBias.js";
import { judgment, pair } from "./runFixtures.js";

describe("lengthBinOf", () => {
  it("puts each boundary in the bin further from zero", () => {
    expect([-1, -0.5, -0.4999, -0.1, -0.0999, 0, 0.0999, 0.1, 0.4999, 0.5, 0.99].map(lengthBinOf)).toEqual([
      "much-shorter",
      "much-shorter",
      "shorter",
      "shorter",
      "similar",
      "similar",
      "similar",
      "longer",
      "longer",
      "much-longer",
      "much-longer",
    ]);
  });
});

describe("lengthBias", () => {
  // Hand-computed: d = (len(preferred) − len(other)) / max, lengths in code points.
  const pairs = new Map(
    [
      pair("p1", "aaaaaaaaaa", "bbbbb", "A"), // d = 5/10 = 0.5 → much-longer
      pair("p2", "aaaa", "bbbbbbbbbb", "A"), // d = −6/10 → much-shorter
      pair("p3", "aaaaaaaaa", "bbbbbbbbbb", "B"), // preferred B: d = 1/10 → longer
      pair("p4", "aaaaa", "bbbbb", "A"), // d = 0 → similar
      pair("p5", "aaa", "bbbbbbb", "tie"), // not scored
      // Three emoji are 3 code points (6 UTF-16 units): preferred B (4) vs 3 → d = 0.25 → longer.
      pair("p6", "😀😀😀", "abcd", "B"),
    ].map((p) => [p.id as string, p]),
  );
  const judgments = [
    judgment("p1", "A"), // right, picks the longer
    judgment("p2", "A"), // right, picks the shorter
    judgment("p3", "tie"), // 0.5
    judgment("p4", "error"), // 0.5 (RewardBench's error score)
    judgment("p5", "A"),
    judgment("p6", "B"), // right, picks the longer
    judgment("not-in-data", "A"),
  ];

  it("bins scores by relative length difference, with hand-computed means", () => {
    const r = lengthBias(judgments, pairs, { bootstrap: { resamples: 50 } });
    expect(r.bins.map((b) => [b.id, b.result.n, b.result.accuracy])).toEqual([
      ["much-shorter", 1, 1],
      ["shorter", 0, null],
      ["similar", 1, 0.5],
      ["longer", 2, 0.75],
      ["much-longer", 1, 1],
    ]);
    expect(r.scored).toBe(5);
    // Pairs of unequal length: p1 (A longer, A preferred), p2 (B longer, A preferred),
    // p3 (B longer, B preferred), p6 (B longer, B preferred) → 3 / 4.
    expect(r.longerPreferredRate).toBe(0.75);
    // Verdicts naming A or B on those: p1 A (longer), p2 A (shorter), p6 B (longer) → 2 / 3.
    expect(r.longerPickRate).toBeCloseTo(2 / 3, 12);
  });

  it("scores errors and ties as the run did", () => {
    const r = lengthBias(judgments, pairs, { errorScore: 0, tieScore: 0, bootstrap: { resamples: 50 } });
    expect(r.bins.find((b) => b.id === "similar")!.result.accuracy).toBe(0);
    expect(r.bins.find((b) => b.id === "longer")!.result.accuracy).toBe(0.5);
  });
});
