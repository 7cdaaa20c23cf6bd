import { describe, expect, it } from "vitest";
import { buildJudgment } from "../../../src/judge/buildJudgment.js";
import type { Judgment } from "../../../src/judge/types.js";
import {
  defaultEpsilon,
  groupRewards,
  groupRewardsFromMatrix,
  preferenceLogit,
  preferenceProbability,
  rewardVsReference,
} from "../../../src/rank/index.js";
import type { PairId } from "../../../src/types.js";
import { oracleJudge, probabilityJudge, quality, votingJudge } from "./fakeJudges.js";

const prompt = [{ role: "user" as const, content: "Say something good." }];

function judgmentWithVotes(A: number, B: number): Judgment {
  const { judge } = votingJudge(() => ({ A, B }));
  return judge.judge({ id: "x" as PairId, prompt, responseA: "a", responseB: "b", label: "A" }) as never;
}

describe("preferenceLogit (Eq. 6)", () => {
  it("is log(p / (1 − p)) inside the clip", () => {
    expect(preferenceLogit(0.5)).toBe(0);
    expect(preferenceLogit(0.7)).toBeCloseTo(Math.log(7 / 3), 14);
    expect(preferenceLogit(0.2)).toBeCloseTo(-Math.log(4), 14);
  });

  it("clips to [ε, 1 − ε] so certainty stays finite", () => {
    expect(defaultEpsilon).toBe(1e-3);
    expect(preferenceLogit(1)).toBeCloseTo(Math.log(999), 10);
    expect(preferenceLogit(0)).toBeCloseTo(-Math.log(999), 10);
    expect(preferenceLogit(1, 0.01)).toBeCloseTo(Math.log(99), 10);
  });

  it("refuses values that are not probabilities", () => {
    expect(() => preferenceLogit(1.2)).toThrow(/probability/);
    expect(() => preferenceLogit(Number.NaN)).toThrow(/probability/);
    expect(() => preferenceLogit(0.5, 0.5)).toThrow(/epsilon/);
  });
});

describe("preferenceProbability", () => {
  it("is the Laplace-smoothed vote share (k + ½) / (N + 1) over both orders", async () => {
    const j = await judgmentWithVotes(3, 1);
    expect(preferenceProbability(j)).toBeCloseTo(3.5 / 5, 15);
    expect(preferenceProbability(j, { smoothing: "none" })).toBe(0.75);
    expect(preferenceProbability(await judgmentWithVotes(4, 0))).toBeCloseTo(4.5 / 5, 15);
  });

  it("uses the judge's pA when there are no sampled verdicts (direct protocol)", async () => {
    const j = await probabilityJudge(() => 0.83).judge({
      id: "x" as PairId,
      prompt,
      responseA: "a",
      responseB: "b",
      label: "A",
    });
    expect(preferenceProbability(j)).toBe(0.83);
  });

  it("is null for a failed judgment", () => {
    const j = buildJudgment({
      pairId: "x" as PairId,
      verdict: "A",
      pA: 1,
      orders: ["AB"],
      samples: [],
      stoppedEarly: false,
      promptTokens: 0,
      errors: ["engine down"],
      provenance: {} as never,
      startedAt: 0,
    });
    expect(preferenceProbability(j)).toBeNull();
  });
});

describe("rewardVsReference", () => {
  it("is logit of the smoothed vote share, response shown as A", async () => {
    const { judge, stats } = votingJudge((pair) =>
      pair.responseA === "mine" ? { A: 3, B: 1 } : { A: 2, B: 2 },
    );
    const r = await rewardVsReference(judge, { prompt, response: "mine", reference: "ref" });
    expect(stats.calls).toBe(1);
    expect(r.p).toBeCloseTo(0.7, 15);
    expect(r.reward).toBeCloseTo(Math.log(7 / 3), 14);
    expect(r.promptTokens).toBe(100);
    expect(r.completionTokens).toBe(40);
    expect(r.judgments).toHaveLength(1);
  });

  it("with swap, averages p̂(y ≻ ref) and 1 − p̂(ref ≻ y)", async () => {
    // Shown first, the response gets 3 of 4 votes; shown second it gets 2 of 4 (p̂ = ½ either way round).
    const { judge, stats } = votingJudge((pair) =>
      pair.responseA === "mine" ? { A: 3, B: 1 } : { A: 2, B: 2 },
    );
    const r = await rewardVsReference(judge, { prompt, response: "mine", reference: "ref" }, { swap: true });
    expect(stats.calls).toBe(2);
    expect(r.p).toBeCloseTo((0.7 + 0.5) / 2, 15);
    expect(r.reward).toBeCloseTo(Math.log(0.6 / 0.4), 14);
  });

  it("is null, not 0, when the judge produced nothing", async () => {
    const { judge } = votingJudge(() => ({ A: 0, B: 0 }));
    const r = await rewardVsReference(judge, { prompt, response: "mine", reference: "ref" });
    expect(r.reward).toBeNull();
    expect(r.p).toBeNull();
  });
});

describe("groupRewardsFromMatrix", () => {
  const P = [
    [null, 0.8, 0.6],
    [0.2, null, 0.5],
    [0.4, 0.5, null],
  ];

  it("win-rate: mean of each row", () => {
    const r = groupRewardsFromMatrix(P, { aggregate: "win-rate" });
    expect(r[0]).toBeCloseTo(0.7, 15);
    expect(r[1]).toBeCloseTo(0.35, 15);
    expect(r[2]).toBeCloseTo(0.45, 15);
  });

  it("mean-logit: mean of Eq. 6 against every other rollout", () => {
    const r = groupRewardsFromMatrix(P);
    expect(r[0]).toBeCloseTo((Math.log(4) + Math.log(1.5)) / 2, 14);
    expect(r[1]).toBeCloseTo(-Math.log(4) / 2, 14);
    expect(r[2]).toBeCloseTo(Math.log(2 / 3) / 2, 14);
  });

  it("grpo: (r − mean) / (unbiased std + 1e-4)", () => {
    const r = groupRewardsFromMatrix(P, { aggregate: "win-rate", normalize: "grpo" });
    const std = Math.sqrt((0.2 ** 2 + 0.15 ** 2 + 0.05 ** 2) / 2);
    expect(r[0]).toBeCloseTo(0.2 / (std + 1e-4), 12);
    expect(r[1]).toBeCloseTo(-0.15 / (std + 1e-4), 12);
    expect(r[2]).toBeCloseTo(-0.05 / (std + 1e-4), 12);
    const equal = groupRewardsFromMatrix(
      [
        [null, 0.5],
        [0.5, null],
      ],
      { normalize: "grpo" },
    );
    expect(equal).toEqual([0, 0]);
  });

  it("leaves unplayed entries out, and a rollout with none gets null", () => {
    const r = groupRewardsFromMatrix(
      [
        [null, 0.9, null],
        [0.1, null, null],
        [null, null, null],
      ],
      { aggregate: "win-rate" },
    );
    expect(r).toEqual([0.9, 0.1, null]);
  });
});

describe("groupRewards", () => {
  it("orders the rollouts of a transitive oracle by quality, one game per pair", async () => {
    const { judge, stats } = oracleJudge();
    const candidates = [3, 9, 1, 5].map((q) => `answer q=${q}`);
    const r = await groupRewards(judge, { prompt, candidates }, { aggregate: "win-rate" });
    expect(stats.calls).toBe(6);
    // 4 of 4 votes → (4.5 / 5) = 0.9 for the winner of each game.
    expect(r.rewards[1]).toBeCloseTo(0.9, 15);
    expect(r.rewards[2]).toBeCloseTo(0.1, 15);
    expect(r.rewards[3]).toBeCloseTo((0.9 + 0.9 + 0.1) / 3, 15);
    const byReward = [0, 1, 2, 3].sort((x, y) => r.rewards[y]! - r.rewards[x]!);
    expect(byReward.map((i) => quality(candidates[i]))).toEqual([9, 5, 3, 1]);
    expect(r.usage.comparisons).toBe(6);
  });
});
