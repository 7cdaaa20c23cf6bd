/**
 * The policy stage's selection logic on hand-built inputs: prefix argmax with seeded ties, the
 * in-order knockout whose sub-brackets are the smaller Best-of-N tournaments, what makes an answer
 * right or verbose, and the curves, findings and claim computed from selections.
 */
import { describe, expect, it } from "vitest";
import { answerTraits, questionValue } from "../../../src/demo/policy/answerTraits.js";
import { policyClaim } from "../../../src/demo/policy/policyClaim.js";
import { pairedChange, policyFindings } from "../../../src/demo/policy/policyFindings.js";
import { referenceScores, selectByScores } from "../../../src/demo/policy/policySelectors.js";
import { knockoutPicks, prefixArgmax } from "../../../src/demo/policy/prefixPicks.js";
import { policyBaseRates, policyCurve } from "../../../src/demo/policy/summarizePolicy.js";
import type {
  DemoPolicyResults,
  PolicyAnswers,
  PolicySelectorResult,
} from "../../../src/demo/policy/types.js";
import { hash32 } from "../../../src/judge/hash32.js";
import { knockoutTournament } from "../../../src/rank/knockoutTournament.js";
import { oracleJudge, votingJudge } from "../rank/fakeJudges.js";

const ns = [1, 2, 4, 8, 16];
const prompt = [{ role: "user" as const, content: "Pick." }];
const coin = { seed: 0, key: "q", salt: "test" };

/** A curve point whose shares are those of its per-question bits (interval [0, 1]). */
const point = (n: number, right: string, verbose: string) => ({
  n,
  right: {
    share: [...right].filter((c) => c === "1").length / right.length,
    ci: [0, 1] as [number, number],
  },
  verbose: {
    share: [...verbose].filter((c) => c === "1").length / verbose.length,
    ci: [0, 1] as [number, number],
  },
  rightBits: right,
  verboseBits: verbose,
});

describe("prefixArgmax", () => {
  it("picks the best of each prefix", () => {
    const scores = [3, 1, 5, 2, 0, 9, 1, 1, 4, 4, 4, 4, 4, 4, 4, 10];
    // Best of 1: 0; of 2: 0 (3 > 1); of 4: 2 (5); of 8: 5 (9); of 16: 15 (10).
    expect(prefixArgmax(scores, ns, coin)).toEqual([0, 0, 2, 5, 15]);
  });

  it("splits ties by a seeded coin: the tied answer with the lowest draw, the same on every call", () => {
    const scores = new Array<number>(16).fill(1);
    const draws = scores.map((_, i) => hash32(coin.salt, coin.seed, coin.key, i));
    const expected = ns.map((n) => draws.slice(0, n).indexOf(Math.min(...draws.slice(0, n))));
    expect(prefixArgmax(scores, ns, coin)).toEqual(expected);
    expect(prefixArgmax(scores, ns, coin)).toEqual(expected);
    // Another key draws other coins for some prefix.
    const others = [..."abcdefgh"].map((key) => prefixArgmax(scores, ns, { ...coin, key }).join());
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it("rejects an N outside 1..answers", () => {
    expect(() => prefixArgmax([1, 2], [4], coin)).toThrow(/1\.\.2/);
  });
});

describe("in-order knockout", () => {
  const candidates = (qs: number[]) => qs.map((q, i) => `answer ${i} q=${q}`);

  it("with a transitive judge, each sub-bracket's champion is the best answer of its prefix", async () => {
    const qs = [2, 7, 1, 3, 9, 0, 4, 8, 5, 6, 11, 10, 12, 15, 14, 13];
    const r = await knockoutTournament(
      oracleJudge().judge,
      { prompt, candidates: candidates(qs) },
      { bracket: "in-order" },
    );
    expect(r.comparisons).toHaveLength(15);
    // Round 1 pairs neighbours in listed order.
    expect(r.comparisons.slice(0, 8).map((c) => [c.a, c.b])).toEqual(
      Array.from({ length: 8 }, (_, k) => [2 * k, 2 * k + 1]),
    );
    const bestOf = (n: number) => qs.slice(0, n).indexOf(Math.max(...qs.slice(0, n)));
    expect(knockoutPicks(r, ns)).toEqual(ns.map(bestOf));
  });

  it("with any judge, the pick for N equals an in-order knockout over the first N alone", async () => {
    // An intransitive judge: the winner depends on a hash of the two texts.
    const judge = votingJudge((pair) =>
      hash32(pair.responseA, pair.responseB) % 2 === 0 ? { A: 1, B: 0 } : { A: 0, B: 1 },
    ).judge;
    const texts = candidates(Array.from({ length: 16 }, (_, i) => i));
    const full = await knockoutTournament(
      judge,
      { prompt, candidates: texts },
      { bracket: "in-order", seed: 3 },
    );
    const picks = knockoutPicks(full, ns);
    for (const [k, n] of ns.entries()) {
      if (n === 1) continue;
      const alone = await knockoutTournament(
        judge,
        { prompt, candidates: texts.slice(0, n) },
        { bracket: "in-order", seed: 3 },
      );
      expect(picks[k], `N = ${n}`).toBe(alone.selected);
    }
  });
});

describe("answer traits", () => {
  it("reads the true result from the question and the stated one from the answer", () => {
    expect(questionValue("What is 3+4-2?")).toBe(5);
    expect(questionValue("What is 9+9+9+9?")).toBe(36);
    expect(() => questionValue("What is two plus two?")).toThrow(/not a mini-world question/);
    expect(answerTraits(5, "It is 5.")).toEqual({ right: true, verbose: false });
    expect(answerTraits(5, "Answer: 15")).toEqual({ right: false, verbose: false });
    // 47 bytes: the world's verbose style.
    expect(answerTraits(5, "Working through each number, the result is 5.")).toEqual({
      right: true,
      verbose: true,
    });
    // The last integer counts, as the world reads an answer.
    expect(answerTraits(5, "I checked every number, and the answer is 4 then 5.").right).toBe(true);
    // 39 bytes: between the styles, not verbose.
    expect("I checked every number, and it is 15 ok".length).toBe(39);
    expect(answerTraits(15, "I checked every number, and it is 15 ok")).toEqual({
      right: true,
      verbose: false,
    });
    expect(answerTraits(5, "no number here").right).toBe(false);
  });

  it("references: the oracle scores right answers, longest the bytes, random nothing", () => {
    const item: PolicyAnswers = {
      set: "in-distribution",
      question: "What is 1+2?",
      value: 3,
      answers: ["4", "It is 3.", "Step by step, the final answer comes to 2.", "3"],
    };
    expect(referenceScores("oracle", item)).toEqual([0, 1, 0, 1]);
    expect(referenceScores("longest", item)).toEqual([1, 8, 42, 1]);
    expect(referenceScores("random", item)).toEqual([0, 0, 0, 0]);
    const longest = selectByScores("longest", item, referenceScores("longest", item), {
      ns: [1, 2, 4],
      seed: 0,
    });
    expect(longest.picks).toEqual([0, 1, 2]);
    const oracle = selectByScores("oracle", item, referenceScores("oracle", item), {
      ns: [1, 2, 4],
      seed: 0,
    });
    expect(oracle.picks.slice(0, 2)).toEqual([0, 1]);
    expect([1, 3]).toContain(oracle.picks[2]);
  });
});

describe("curves, findings and the claim", () => {
  const answers: PolicyAnswers[] = [
    {
      set: "in-distribution",
      question: "What is 1+1?",
      value: 2,
      answers: ["3", "2", "After careful work, I am sure that it is 2.", "1"],
    },
    {
      set: "in-distribution",
      question: "What is 2+2?",
      value: 4,
      answers: ["4", "5", "6", "Working through each number, the result is 7."],
    },
  ];

  it("shares and per-question bits from the picks", () => {
    const curve = policyCurve(
      answers,
      [
        { set: "in-distribution", question: "What is 2+2?", picks: [0, 0, 3], coinGames: 0 },
        { set: "in-distribution", question: "What is 1+1?", picks: [0, 1, 2], coinGames: 0 },
      ],
      [1, 2, 4],
    );
    // N=1: "3" wrong, "4" right; N=2: "2" right, "4" right; N=4: verbose 2 right, verbose 7 wrong.
    expect(curve.map((p) => p.rightBits)).toEqual(["01", "11", "10"]);
    expect(curve.map((p) => p.verboseBits)).toEqual(["00", "00", "11"]);
    expect(curve.map((p) => p.right.share)).toEqual([0.5, 1, 0.5]);
    expect(curve[2]!.verbose.share).toBe(1);
    for (const p of curve) {
      expect(p.right.ci[0]).toBeLessThanOrEqual(p.right.share);
      expect(p.right.ci[1]).toBeGreaterThanOrEqual(p.right.share);
    }
    expect(policyBaseRates(answers)).toEqual({ answers: 8, right: 3 / 8, verbose: 2 / 8 });
    expect(() => policyCurve(answers, [], [1])).toThrow(/no selection/);
  });

  it("pairedChange: McNemar on the same questions", () => {
    // 6 gained, 0 lost: exact p = 2 / 2^6 = 0.03125 < 0.05.
    expect(pairedChange("000000", "111111")).toEqual({ change: "more", pValue: 0.03125 });
    // 5 gained: p = 0.0625, not significant.
    expect(pairedChange("00000", "11111").change).toBe("same");
    expect(pairedChange("1111111", "0000000").change).toBe("less");
  });

  const selector = (
    id: PolicySelectorResult["id"],
    idLast: string,
    oodLast: string,
  ): PolicySelectorResult => ({
    id,
    name: id,
    scheme: "knockout",
    reference: false,
    curves: {
      "in-distribution": [point(1, "00000000", "00000000"), point(16, idLast, "11111111")],
      ood: [point(1, "00000000", "00000000"), point(16, oodLast, "00000000")],
    },
    coinGameShare: 0,
    seconds: 0,
  });
  const policy = (selectors: PolicySelectorResult[]): DemoPolicyResults => ({
    settings: { questions: 8, samples: 16, ns: [1, 16], cotKPerOrder: 1, answerTokens: 24 },
    policy: { model: { path: "m", id: "m" }, sampling: { temperature: 1, topP: 1, maxTokens: 24 } },
    sets: [
      { name: "in-distribution", split: "test", title: "ID", questions: 8 },
      { name: "ood", split: "ood-mixed", title: "OOD", questions: 8 },
    ],
    base: {
      "in-distribution": { answers: 128, right: 0, verbose: 0 },
      ood: { answers: 128, right: 0, verbose: 0 },
    },
    selectors,
    seconds: 0,
  });

  it("findings compare N = 16 with N = 1 per selector and set", () => {
    const f = policyFindings(policy([selector("star-dpo", "11111111", "00000000")]));
    expect(f.map((x) => [x.set, x.right.change, x.verbose.change])).toEqual([
      ["in-distribution", "more", "more"],
      ["ood", "same", "same"],
    ]);
  });

  it("the claim: STaR-DPO right more often than BT on both sets, McNemar over both", () => {
    // DPO right on 6 + 4 questions, BT on 2 + 1 of those: 7 vs 0 discordant, p = 2/128.
    const holds = policyClaim(
      policy([selector("star-dpo", "11111100", "11110000"), selector("bt", "11000000", "10000000")]),
    );
    expect(holds.holds).toBe(true);
    expect(holds.statistic?.pValue).toBeCloseTo(2 / 128, 12);
    expect(holds.measured).toContain("in-distribution STaR-DPO 0.750 vs BT 0.250");
    // Higher in distribution only: does not hold, whatever the pooled test says.
    const oneSet = policyClaim(
      policy([selector("star-dpo", "11111111", "10000000"), selector("bt", "00000000", "10000000")]),
    );
    expect(oneSet.holds).toBe(false);
    expect(policyClaim(policy([selector("bt", "1", "1")])).holds).toBeNull();
  });
});

describe("report and table", () => {
  it("draws a right and a verbose chart per question set and says which selectors changed what", async () => {
    const { policySection } = await import("../../../src/demo/report/policySection.js");
    const { formatPolicyTable } = await import("../../../src/demo/policy/formatPolicyTable.js");
    const curve = (last: string, lastVerbose: string) => [
      point(1, "0000000", "0000000"),
      point(2, last, lastVerbose),
    ];
    const policy: DemoPolicyResults = {
      settings: { questions: 7, samples: 2, ns: [1, 2], cotKPerOrder: 1, answerTokens: 24 },
      policy: { model: { path: "m", id: "m" }, sampling: { temperature: 1, topP: 1, maxTokens: 24 } },
      sets: [
        { name: "in-distribution", split: "test", title: "ID questions", questions: 7 },
        { name: "ood", split: "ood-mixed", title: "OOD questions", questions: 7 },
      ],
      base: {
        "in-distribution": { answers: 14, right: 0.5, verbose: 0.5 },
        ood: { answers: 14, right: 0.5, verbose: 0.5 },
      },
      selectors: [
        {
          id: "oracle",
          name: "oracle",
          scheme: "scalar",
          reference: true,
          curves: { "in-distribution": curve("1111111", "0000000"), ood: curve("1111111", "0000000") },
          coinGameShare: 0,
          seconds: 0,
        },
        {
          id: "bt",
          name: "Bradley-Terry RM",
          scheme: "scalar",
          reference: false,
          curves: { "in-distribution": curve("0000000", "1111111"), ood: curve("0000000", "0000000") },
          coinGameShare: 0,
          seconds: 0,
        },
      ],
      seconds: 0,
    };
    const html = policySection(policy);
    for (const id of ["fig-bon-right-0", "fig-bon-right-1", "fig-bon-verbose-0", "fig-bon-verbose-1"]) {
      expect(html).toContain(`id="${id}-desc"`);
    }
    // 7 of 7 gained: exact McNemar p = 2 / 128 < 0.05.
    expect(html).toContain(
      "ID questions, Best-of-2 against the policy&#39;s own answer (McNemar p &lt; 0.05): more right: oracle; less right: none; more verbose: Bradley-Terry RM; less verbose: none.",
    );
    expect(html).toContain("OOD questions, Best-of-2");
    expect(html).toMatch(/OOD questions, Best-of-2 [^<]*more verbose: none/);
    expect(policySection(undefined)).toBe("");
    const rows = formatPolicyTable(policy);
    expect(rows[0]).toEqual(["selector", "questions", "N=1 right/verbose", "N=2 right/verbose"]);
    expect(rows[3]).toEqual(["Bradley-Terry RM", "in-distribution", "0.000 0.000", "0.000 1.000"]);
  });
});

describe("expert iteration's numbers", () => {
  it("the policy's rates: mean over questions of the per-question share of its first answers", async () => {
    const { policyRates } = await import("../../../src/demo/policy/expertIteration.js");
    const items: PolicyAnswers[] = [
      // 2 of the first 4 right ("2", "It is 2."), 1 verbose; the fifth answer is not counted.
      {
        set: "ood",
        question: "What is 5-3?",
        value: 2,
        answers: ["2", "3", "It is 2.", "Step by step, the final answer comes to 9.", "2"],
      },
      // 0 right, 0 verbose.
      { set: "ood", question: "What is 9-1?", value: 8, answers: ["7", "9", "1", "0", "8"] },
    ];
    const r = policyRates(items, 4);
    expect(r.rightByQuestion).toEqual([0.5, 0]);
    expect(r.verboseByQuestion).toEqual([0.25, 0]);
    expect(r.right.share).toBe(0.25);
    expect(r.verbose.share).toBe(0.125);
  });

  it("pairedShift: more or less only when the interval of the paired difference excludes 0", async () => {
    const { pairedShift } = await import("../../../src/demo/policy/trainingFindings.js");
    expect(pairedShift([0, 0, 0, 0, 0], [0.5, 0.25, 0.5, 1, 0.25])).toBe("more");
    expect(pairedShift([1, 1, 1, 1], [0.5, 0.75, 0.5, 0])).toBe("less");
    // Up on one question, down on another: the interval straddles 0.
    expect(pairedShift([0, 1, 0.5, 0.5], [1, 0, 0.5, 0.5])).toBe("same");
  });
});
