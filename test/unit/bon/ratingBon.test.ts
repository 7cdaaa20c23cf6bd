/**
 * Best-of-N with the rating judge (`genrm bon --listwise rating`): each candidate rated 1–10 by a
 * model-free engine that rates by length, the best rated selected, and a tie at the top worth a
 * uniform pick among the tied candidates, as RewardBench 2's rating script credits it
 * (`(0 in winners) / len(winners)`, 0.25 when no rating parsed). Expected values by hand.
 */
import { describe, expect, it } from "vitest";
import { runBon } from "../../../src/bon/runBon.js";
import type { BonItem } from "../../../src/bon/types.js";
import { runBonCommand } from "../../../src/cli/commands/bon.js";
import { ratingScore } from "../../../src/eval/listwiseOutcomes.js";
import { createRatingJudge, failedRating } from "../../../src/judge/createRatingJudge.js";
import { SampleStore } from "../../../src/store/index.js";
import { lengthRatingEngine, lengthReply } from "../../helpers/lengthRatingEngine.js";

const x = (n: number) => "x".repeat(n);
const item = (id: string, texts: string[], human: number[]): BonItem => ({
  id,
  source: "jsonl",
  prompt: [{ role: "user", content: `question ${id}` }],
  candidates: texts.map((text, i) => ({ text, humanScore: human[i]! })),
});

/** A rating for every answer but those starting "??", which get a text without a trailing number. */
const reply = (user: string) => (user.includes("[Response]\n??") ? "I cannot rate this." : lengthReply(user));

// Ratings are the lengths capped at 10:
// - one: [3, 7, 10, 5] → candidate 2 alone on top; human best is 1 → hit 0, human rank 3.
// - two: [10, 10, 4] → 0 and 1 tie; human best is 0 → hit ½, human rank mean(1, 2.5) = 1.75.
// - three: nothing parses → all four tie (the reference's 0.25); human best is 0 → hit ¼, rank
//   mean(1, 3, 3, 3) = 2.5.
const items = [
  item("one", [x(3), x(7), x(12), x(5)], [0, 1, 0, 0]),
  item("two", [x(10), x(15), x(4)], [1, 0, 0]),
  item("three", ["??a", "??bb", "??ccc", "??dddd"], [1, 0, 0, 0]),
];

describe("bon with the rating judge", () => {
  it("selects the best rated and scores a tie at the top as RewardBench 2 scores ratings", async () => {
    const engine = lengthRatingEngine({ reply });
    const scorer = createRatingJudge(engine, { k: 2 });
    const { results, summary } = await runBon(items, { scheme: "scalar", scorer });
    expect(results.map((r) => r.scores)).toEqual([
      [3, 7, 10, 5],
      [10, 10, 4],
      [failedRating, failedRating, failedRating, failedRating],
    ]);
    expect(results.map((r) => r.selected)).toEqual([2, 0, 0]);
    expect(results.map((r) => r.tiedTop)).toEqual([
      { candidates: [2], hit: 0, humanRank: 3 },
      { candidates: [0, 1], hit: 0.5, humanRank: 1.75 },
      { candidates: [0, 1, 2, 3], hit: 0.25, humanRank: 2.5 },
    ]);
    // The same rule as the listwise eval's row score, with the human-best answer first.
    expect(results[1]!.tiedTop!.hit).toBe(ratingScore([10, 10, 4]));
    expect(results[2]!.tiedTop!.hit).toBe(ratingScore([-1, -1, -1, -1]));
    expect(summary.selection.hitRate!.estimate).toBeCloseTo((0 + 0.5 + 0.25) / 3, 12);
    expect(summary.selection.meanHumanRank).toBeCloseTo((3 + 1.75 + 2.5) / 3, 12);
    // k samples per candidate, one engine call each; the tokens are the judge's.
    expect(engine.calls).toHaveLength(11);
    expect(results.map((r) => r.promptTokens)).toEqual([40, 30, 40]);
    expect(results.map((r) => r.completionTokens)).toEqual([24, 18, 24]);
    expect(results.every((r) => r.comparisons === 0)).toBe(true);
  });

  it("a rerun with the sample store generates nothing", async () => {
    const store = SampleStore.open(":memory:");
    const first = lengthRatingEngine({ reply });
    const a = await runBon(items, {
      scheme: "scalar",
      scorer: createRatingJudge(first, { k: 2, cache: store.sampleCache() }),
    });
    const again = lengthRatingEngine({ reply });
    const b = await runBon(items, {
      scheme: "scalar",
      scorer: createRatingJudge(again, { k: 2, cache: store.sampleCache() }),
    });
    expect(first.generated()).toBe(22);
    expect(again.generated()).toBe(0);
    expect(b.results.map((r) => r.scores)).toEqual(a.results.map((r) => r.scores));
    store.close();
  });

  it("genrm bon --listwise rating refuses what a rating judge cannot do", async () => {
    await expect(
      runBonCommand({ data: "unused.jsonl", listwise: "rating", scheme: "copeland", model: "m.gguf" }),
    ).rejects.toThrow(/selects the best-rated candidate \(scheme scalar\); --scheme copeland/);
    await expect(
      runBonCommand({ data: "unused.jsonl", listwise: "rating", baseline: "length" }),
    ).rejects.toThrow(/--baseline does not apply[\s\S]*needs a judge model/);
  });
});
