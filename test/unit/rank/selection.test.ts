import { describe, expect, it } from "vitest";
import {
  createLengthScorer,
  knockoutTournament,
  roundRobin,
  roundRobinSchedule,
  type ScalarScorer,
  type SelectionScheme,
  selectBest,
} from "../../../src/rank/index.js";
import { oracleJudge, probabilityJudge, quality, votingJudge } from "./fakeJudges.js";

const gradedOracle = () =>
  probabilityJudge((pair) => 1 / (1 + Math.exp(quality(pair.responseB) - quality(pair.responseA))));

const prompt = [{ role: "user" as const, content: "Pick the best." }];
const qualityScorer: ScalarScorer = { name: "quality", score: async (_p, r) => quality(r) };

function candidateSet(qualities: number[]) {
  return {
    prompt,
    candidates: qualities.map((q, i) => `candidate ${i} q=${q}`),
    reference: "reference q=4.5",
  };
}

describe("selection with a transitive oracle judge", () => {
  const schemes: SelectionScheme[] = ["knockout", "copeland", "bradley-terry", "reference", "scalar"];
  const sets = [[7], [2, 8], [5, 1, 9], [3, 6, 1, 8, 2], [4, 11, 0, 7, 3, 9, 5, 1], [9, 2, 5, 3, 6, 8, 1]];

  // A hard oracle says only who is better, so against a fixed reference every candidate above it
  // looks the same; the graded oracle (p̂ = σ(q_a − q_b)) is transitive with margins.
  const judgesFor = (scheme: SelectionScheme) =>
    scheme === "reference" ? [gradedOracle()] : [oracleJudge().judge, gradedOracle()];

  for (const scheme of schemes) {
    it(`${scheme}: selects the true best for every N and seed`, async () => {
      for (const qs of sets) {
        for (const [seed, judge] of [0, 1, 2].flatMap((s) => judgesFor(scheme).map((j) => [s, j] as const))) {
          const r = await selectBest(candidateSet(qs), { scheme, judge, scorer: qualityScorer, seed });
          expect(quality(candidateSet(qs).candidates[r.selected])).toBe(Math.max(...qs));
          expect(r.ranking[0]).toBe(r.selected);
          expect([...r.ranking].sort((a, b) => a - b)).toEqual(qs.map((_, i) => i));
        }
      }
    });
  }

  it("round robin ranks the whole set in true order under Copeland and Bradley–Terry", async () => {
    const qs = [4, 11, 0, 7, 3, 9, 5, 1];
    const trueOrder = qs.map((_, i) => i).sort((x, y) => qs[y] - qs[x]);
    for (const aggregation of ["copeland", "bradley-terry"] as const) {
      const r = await roundRobin(oracleJudge().judge, candidateSet(qs), { aggregation });
      expect(r.ranking).toEqual(trueOrder);
      expect(r.usage.comparisons).toBe(28);
    }
  });

  it("knockout plays N − 1 games and ranks champion then finalist", async () => {
    const qs = [3, 6, 1, 8, 2];
    const { judge, stats } = oracleJudge();
    const r = await knockoutTournament(judge, candidateSet(qs));
    expect(stats.calls).toBe(4);
    expect(r.usage.comparisons).toBe(4);
    expect(r.selected).toBe(3);
    expect(r.scores[3]).toBeGreaterThanOrEqual(2);
    expect(r.scores.reduce((s, x) => s! + x!, 0)).toBe(4);
    // The finalist is the last candidate the champion beat.
    const final = r.comparisons.at(-1)!;
    expect(r.ranking[1]).toBe(final.a === 3 ? final.b : final.a);
    expect(r.comparisons.every((c) => c.decidedBy === "judge")).toBe(true);
  });

  it("reference with a hard oracle: everything above the reference ties at the top", async () => {
    const r = await selectBest(candidateSet([5, 1, 9]), { scheme: "reference", judge: oracleJudge().judge });
    expect(r.scores[0]).toBe(r.scores[2]);
    expect([0, 2]).toContain(r.selected);
  });

  it("reference: the score is Eq. 6 against the reference", async () => {
    const r = await selectBest(candidateSet([2, 8]), { scheme: "reference", judge: oracleJudge().judge });
    // 4 of 4 votes → p̂ = 4.5 / 5 = 0.9.
    expect(r.scores[1]).toBeCloseTo(Math.log(9), 12);
    expect(r.scores[0]).toBeCloseTo(-Math.log(9), 12);
    expect(r.comparisons.every((c) => c.b === -1)).toBe(true);
  });

  it("is reproducible for a seed and shuffles the bracket across seeds", async () => {
    const qs = [4, 11, 0, 7, 3, 9, 5, 1];
    const run = async (seed: number) => {
      const { judge, stats } = oracleJudge();
      await knockoutTournament(judge, candidateSet(qs), { seed });
      return stats.pairs.map((p) => p.id).join(",");
    };
    expect(await run(1)).toBe(await run(1));
    expect(await run(1)).not.toBe(await run(2));
  });
});

describe("comparison budget", () => {
  const qs = [4, 11, 0, 7, 3, 9, 5, 1];

  it("knockout stops judging when maxComparisons is spent and reports the unplayed games", async () => {
    const { judge, stats } = oracleJudge();
    const r = await knockoutTournament(judge, candidateSet(qs), { budget: { maxComparisons: 3 } });
    expect(stats.calls).toBe(3);
    expect(r.usage.comparisons).toBe(3);
    expect(r.budget).toEqual({ maxComparisons: 3, maxTokens: null, exhausted: true, unplayed: 4 });
    expect(r.comparisons.filter((c) => c.decidedBy === "budget")).toHaveLength(4);
    expect(r.comparisons).toHaveLength(7);
  });

  it("round robin plays a balanced subsample within maxComparisons", async () => {
    const { judge, stats } = oracleJudge();
    const r = await roundRobin(judge, candidateSet(qs), { budget: { maxComparisons: 10 } });
    expect(stats.calls).toBe(10);
    expect(r.budget.unplayed).toBe(18);
    const games = new Array(qs.length).fill(0);
    for (const c of r.comparisons) {
      games[c.a]++;
      games[c.b]++;
    }
    expect(Math.min(...games)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...games)).toBeLessThanOrEqual(3);
  });

  it("stops starting games once maxTokens is spent", async () => {
    // 100 prompt + 4 × 10 completion tokens per game: after 4 games 560 ≥ 500.
    const { judge, stats } = oracleJudge();
    const r = await roundRobin(judge, candidateSet(qs), { budget: { maxTokens: 500 }, concurrency: 1 });
    expect(stats.calls).toBe(4);
    expect(r.usage.promptTokens + r.usage.completionTokens).toBe(560);
    expect(r.budget.exhausted).toBe(true);
  });

  it("a zero budget still selects, by seeded coin, and says so", async () => {
    const { judge, stats } = oracleJudge();
    const r = await knockoutTournament(judge, candidateSet(qs), { budget: { maxComparisons: 0 }, seed: 3 });
    const again = await knockoutTournament(judge, candidateSet(qs), {
      budget: { maxComparisons: 0 },
      seed: 3,
    });
    expect(stats.calls).toBe(0);
    expect(r.selected).toBe(again.selected);
    expect(r.comparisons.every((c) => c.decidedBy === "budget")).toBe(true);
  });

  it("refuses a negative or fractional budget", async () => {
    await expect(
      knockoutTournament(oracleJudge().judge, candidateSet(qs), { budget: { maxComparisons: -1 } }),
    ).rejects.toThrow(/maxComparisons/);
  });
});

describe("ties, identical candidates and concurrency", () => {
  it("an even judge still produces a winner in knockout, marked tiebreak", async () => {
    const r = await knockoutTournament(
      probabilityJudge(() => 0.5),
      candidateSet([1, 2, 3, 4]),
    );
    expect(r.comparisons.every((c) => c.decidedBy === "tiebreak" && c.winner !== null)).toBe(true);
    expect(r.selected).toBeGreaterThanOrEqual(0);
  });

  it("identical candidates are not judged", async () => {
    const { judge, stats } = oracleJudge();
    const r = await roundRobin(judge, { prompt, candidates: ["same q=1", "same q=1", "other q=2"] });
    expect(stats.calls).toBe(2);
    expect(r.comparisons.filter((c) => c.decidedBy === "identical")).toHaveLength(1);
    expect(r.selected).toBe(2);
  });

  it("keeps at most `concurrency` judgments in flight", async () => {
    const { judge, stats } = oracleJudge({ delayMs: 5 });
    await roundRobin(judge, candidateSet([1, 2, 3, 4, 5, 6]), { concurrency: 3 });
    expect(stats.maxInFlight).toBe(3);
  });

  it("uses soft p̂ for Bradley–Terry: a narrow win counts less than a sweep", async () => {
    // 0 beats 1 narrowly, 1 sweeps 2, 2 narrowly beats 0: a cycle that only the margins decide.
    const margins: Record<string, [number, number]> = {
      "0,1": [3, 2],
      "1,2": [5, 0],
      "2,0": [3, 2],
    };
    const { judge } = votingJudge((pair) => {
      const a = Number(pair.responseA.at(-1));
      const b = Number(pair.responseB.at(-1));
      const m = margins[`${a},${b}`];
      if (m) return { A: m[0], B: m[1] };
      const r = margins[`${b},${a}`]!;
      return { A: r[1], B: r[0] };
    });
    const r = await selectBest(
      { prompt, candidates: ["c0", "c1", "c2"] },
      { scheme: "bradley-terry", judge },
    );
    expect(r.selected).toBe(1);
    const copeland = await selectBest(
      { prompt, candidates: ["c0", "c1", "c2"] },
      { scheme: "copeland", judge },
    );
    expect(copeland.scores).toEqual([0, 0, 0]);
  });
});

describe("scalar scorers", () => {
  it("length scorer picks the longest response with no judge calls", async () => {
    const r = await selectBest(
      { prompt, candidates: ["short", "the longest one here", "medium one"] },
      { scheme: "scalar", scorer: createLengthScorer() },
    );
    expect(r.selected).toBe(1);
    expect(r.ranking).toEqual([1, 2, 0]);
    expect(r.usage).toMatchObject({ comparisons: 0, scorerCalls: 3 });
  });

  it("schemes without their model are a configuration error", async () => {
    await expect(selectBest({ prompt, candidates: ["a"] }, { scheme: "scalar" })).rejects.toThrow(/scorer/);
    await expect(selectBest({ prompt, candidates: ["a"] }, { scheme: "knockout" })).rejects.toThrow(/judge/);
  });
});

describe("roundRobinSchedule", () => {
  it("lists every pair exactly once, with balanced prefixes", () => {
    for (let n = 1; n <= 10; n++) {
      const games = roundRobinSchedule(n, 7);
      expect(games).toHaveLength((n * (n - 1)) / 2);
      const keys = new Set(games.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)));
      expect(keys.size).toBe(games.length);
      if (n >= 3) {
        const count = new Array(n).fill(0);
        for (const [a, b] of games.slice(0, n)) {
          count[a]++;
          count[b]++;
        }
        expect(count.every((c) => c === 2)).toBe(true);
      }
    }
  });
});
