/**
 * The rating and 4-way ranking judges: RewardBench 2's parsers, the votes, and the official scores
 * on rows in the real schema, with a model-free engine that rates an answer by its length and
 * names the longest of four answers.
 */
import { describe, expect, it } from "vitest";
import { expandItem, itemsFromPairs } from "../../../src/data/adapters/expandItem.js";
import { rewardbench2 } from "../../../src/data/adapters/rewardbench2.js";
import { listwiseBenchmarkScores, rankingScore, ratingScore } from "../../../src/eval/listwiseOutcomes.js";
import { createListwiseJudge, shownOrder } from "../../../src/judge/createListwiseJudge.js";
import { parseRanking, parseRating } from "../../../src/judge/parseListwise.js";
import { rankingTemplate, ratingTemplate } from "../../../src/judge/templates/listwiseTemplates.js";
import { lengthRatingEngine } from "../../helpers/lengthRatingEngine.js";
import { rewardBench2Expected, rewardBench2Rows } from "../eval/benchmarkFixtures.js";

const lengthEngine = () => lengthRatingEngine();

const at = { file: "rb2.jsonl", line: 1, unit: "line" as const };
const items = itemsFromPairs(rewardBench2Rows.flatMap((row) => rewardbench2.toPairs(row, at)));

describe("parsers (generative_v2.py)", () => {
  it("a rating is the integer 1–10 that ends the text", () => {
    expect(parseRating("Clear and correct.\n\n9")).toBe(9);
    expect(parseRating("Rating: 10  \n")).toBe(10);
    expect(parseRating("I give it 11")).toBeNull();
    expect(parseRating("0")).toBeNull();
    expect(parseRating("9 out of ten")).toBeNull();
  });

  it("a ranking is the first letter found in A, B, C, D order, not text order", () => {
    expect(parseRanking("first [[C]], on reflection [[A]]")).toBe("A");
    expect(parseRanking("[[D]]")).toBe("D");
    expect(parseRanking("[[E]] or [A]")).toBeNull();
  });
});

describe("votes and row scores (run_generative_v2.py)", () => {
  it("ratings: the chosen answer shares the top with the others rated as high; none valid scores 0.25", () => {
    expect(ratingScore([8, 3, 5, 7])).toBe(1);
    expect(ratingScore([7, 7, -1, 3])).toBe(1 / 2);
    expect(ratingScore([-1, 2, 3, 1])).toBe(0);
    expect(ratingScore([-1, -1, -1, -1])).toBe(0.25);
  });

  it("ranking: 1 for the chosen slot, 0 for another, 0.25 for nothing, 1/t when t slots share the most votes", () => {
    expect(rankingScore({ shown: [3, 1, 0, 2], top: ["C"] })).toBe(1);
    expect(rankingScore({ shown: [3, 1, 0, 2], top: ["A"] })).toBe(0);
    expect(rankingScore({ shown: [3, 1, 0, 2], top: [] })).toBe(0.25);
    expect(rankingScore({ shown: [3, 1, 0, 2], top: ["A", "C"] })).toBe(1 / 2);
  });

  it("the chosen answer trades places with the answer at the seeded position", () => {
    const row = items.find((i) => i.id === "101")!;
    expect(shownOrder(row, 0)).toEqual([0, 1, 2, 3]);
    expect(shownOrder(row, 2)).toEqual([2, 1, 0, 3]);
  });
});

describe("rating judge on RewardBench 2 rows", () => {
  it("rates every answer (Ties with the Ties prompt) and scores the six subsets as the reference", async () => {
    const engine = lengthEngine();
    const judge = createListwiseJudge(engine, "rating", { k: 2 });
    const judgments = await Promise.all(items.map((i) => judge.judgeItem(i)));
    expect(judgments.find((j) => j.itemId === "tied:1")!.ratings).toEqual([6, 5, 2, 5]);
    expect(judgments.find((j) => j.itemId === "tied:1")!.provenance.templateId).toBe("rating-rb2-ties@1");
    expect(judgments.find((j) => j.itemId === "101")!.provenance.templateId).toBe(ratingTemplate.id);
    expect(
      judgments.every((j) => j.samples.length === 2 * items.find((i) => i.id === j.itemId)!.responses.length),
    ).toBe(true);
    const rb2 = listwiseBenchmarkScores(judgments, items).rewardBench2!;
    const got = Object.fromEntries(rb2.subsets.map((s) => [s.name, s.score]));
    // Ratings are the lengths, so outside Ties the rows score as the length games did.
    for (const name of ["Factuality", "Precise IF", "Math", "Safety", "Focus"] as const)
      expect(got[name], name).toBeCloseTo(rewardBench2Expected[name], 12);
    // Ties on ratings: ref:1 margin 2; tied:1 [6,5|2,5] margin 0, spread 1; ref:2 margin 8;
    // tied:2 [9,8|1,1] margin 7, spread 1 → preferred ½, hard ½, margins tanh(−1), tanh(6).
    const ties = 0.3 * 0.5 + 0.3 * 1 + 0.2 * 0.5 + 0.2 * 0.5 + (0.01 * (Math.tanh(-1) + Math.tanh(6))) / 2;
    expect(got.Ties).toBeCloseTo(ties, 12);
    expect(rb2.score).toBeCloseTo((0.75 + 0.25 + 1 / 6 + 1 + 0 + ties) / 6, 12);
  });
});

describe("ranking judge on RewardBench 2 rows", () => {
  it("shows four answers in the RewardBench 2 layout, names the best, and rates Ties rows", async () => {
    const engine = lengthEngine();
    const judge = createListwiseJudge(engine, "ranking", { seed: 3 });
    const pick = (id: string) => items.find((i) => i.id === id)!;
    // Rows whose longest answer is unique: the chosen wins f1 and s1, a rejected one m1 and fo1.
    const rows = ["101", "201", "401", "501", "ref:1", "tied:1"].map(pick);
    const judgments = await Promise.all(rows.map((i) => judge.judgeItem(i)));
    const f1 = judgments[0]!;
    expect(f1.protocol).toBe("ranking");
    expect(f1.shown!.slice().sort()).toEqual([0, 1, 2, 3]);
    expect(f1.top).toEqual(["ABCD"[f1.shown!.indexOf(0)]]);
    expect(judgments[4]!.protocol).toBe("rating");
    expect(
      engine.prompts.some((p) =>
        p.startsWith("[User Question]\nprompt 101\n\n[The Start of Assistant A's Answer]"),
      ),
    ).toBe(true);
    expect(rankingTemplate.system).toContain('"[[D]]" if assistant D is best');
    const got = Object.fromEntries(
      listwiseBenchmarkScores(judgments, rows).rewardBench2!.subsets.map((s) => [s.name, s.score]),
    );
    expect(got).toMatchObject({ Factuality: 1, Math: 0, Safety: 1, Focus: 0 });
  });

  it("refuses a row with fewer than four answers", () => {
    const [row] = itemsFromPairs(
      expandItem({
        benchmark: "rewardbench2",
        sourceId: "9",
        prompt: [{ role: "user", content: "q" }],
        chosen: ["a"],
        rejected: ["b", "c"],
        comparisons: [
          [0, 1],
          [0, 2],
        ],
      }),
    );
    expect(() => shownOrder(row!, 1)).toThrow(/fewer than three rejected/);
  });
});
