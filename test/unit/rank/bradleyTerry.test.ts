import { describe, expect, it } from "vitest";
import { type Comparison, copelandScores, fitBradleyTerry } from "../../../src/rank/index.js";
import type { PairId } from "../../../src/types.js";

describe("fitBradleyTerry", () => {
  it("solves the two-player fixed point with the prior's virtual games", () => {
    // A beats B w times. By symmetry π_B = 1/π_A = 1/x, and A's score equation reads
    // w + λ = w·x/(x + 1/x) + 2λ·x/(x + 1).
    const w = 5;
    const prior = 0.1;
    const outcomes = Array.from({ length: w }, () => ({ i: 0, j: 1, winI: 1 }));
    const { theta, converged } = fitBradleyTerry(2, outcomes, { prior });
    expect(converged).toBe(true);
    const x = Math.exp(theta[0]);
    expect(theta[1]).toBeCloseTo(-theta[0], 9);
    const residual = w * (x / (x + 1 / x)) + (2 * prior * x) / (x + 1) - (w + prior);
    expect(Math.abs(residual)).toBeLessThan(1e-8);
  });

  it("keeps a candidate that won every game finite", () => {
    const outcomes = [
      { i: 0, j: 1, winI: 1 },
      { i: 0, j: 2, winI: 1 },
      { i: 1, j: 2, winI: 1 },
    ];
    const { theta, converged } = fitBradleyTerry(3, outcomes);
    expect(converged).toBe(true);
    expect(theta.every(Number.isFinite)).toBe(true);
    expect(theta[0]).toBeGreaterThan(theta[1]);
    expect(theta[1]).toBeGreaterThan(theta[2]);
  });

  it("recovers known strengths from expected win counts", () => {
    const truth = [1.2, 0.4, 0, -0.5, -1.1];
    const outcomes = [];
    for (let i = 0; i < truth.length; i++) {
      for (let j = i + 1; j < truth.length; j++) {
        const p = 1 / (1 + Math.exp(truth[j] - truth[i]));
        // 10,000 games split exactly by the model probability: the MLE is the truth up to the prior.
        outcomes.push({ i, j, winI: p, weight: 10_000 });
      }
    }
    const { theta, converged } = fitBradleyTerry(truth.length, outcomes, { prior: 1e-6 });
    expect(converged).toBe(true);
    const shift = theta[2] - truth[2];
    for (let i = 0; i < truth.length; i++) expect(theta[i] - shift).toBeCloseTo(truth[i], 4);
  });

  it("gives a candidate with no games the prior's θ = 0", () => {
    const { theta } = fitBradleyTerry(3, [{ i: 0, j: 1, winI: 0.75 }]);
    expect(theta[2]).toBeCloseTo(0, 12);
    expect(theta[0]).toBeCloseTo(-theta[1], 9);
  });

  it("refuses games that are not between two candidates", () => {
    expect(() => fitBradleyTerry(2, [{ i: 0, j: 0, winI: 1 }])).toThrow(/not a game/);
    expect(() => fitBradleyTerry(2, [{ i: 0, j: 2, winI: 1 }])).toThrow(/not a game/);
    expect(() => fitBradleyTerry(2, [{ i: 0, j: 1, winI: 2 }])).toThrow(/winI/);
    expect(() => fitBradleyTerry(2, [], { prior: 0 })).toThrow(/prior/);
  });
});

describe("copelandScores", () => {
  const game = (a: number, b: number, pA: number | null): Comparison => ({
    a,
    b,
    pairId: `g${a}${b}` as PairId,
    verdict: pA === null ? "error" : pA > 0.5 ? "A" : pA < 0.5 ? "B" : "tie",
    pA,
    winner: pA === null || pA === 0.5 ? null : pA > 0.5 ? a : b,
    decidedBy: "judge",
    promptTokens: 0,
    completionTokens: 0,
  });

  it("counts wins, losses and ties of a known win matrix", () => {
    // 0 beats 1 and 2, loses to 3; 1 beats 2 and 3; 2 ties 3.
    const games = [game(0, 1, 0.9), game(0, 2, 0.8), game(3, 0, 0.6), game(1, 2, 0.7), game(1, 3, 0.55)];
    games.push(game(2, 3, 0.5));
    const r = copelandScores(4, games);
    expect(r.map((x) => [x.wins, x.losses, x.ties])).toEqual([
      [2, 1, 0],
      [2, 1, 0],
      [0, 2, 1],
      [1, 1, 1],
    ]);
    expect(r.map((x) => x.score)).toEqual([1 / 3, 1 / 3, -2 / 3, 0]);
    expect(r[0].softScore).toBeCloseTo((0.9 + 0.8 + 0.4) / 3, 15);
    expect(r[1].softScore).toBeCloseTo((0.1 + 0.7 + 0.55) / 3, 15);
  });

  it("skips failed games and scores a candidate without games as null", () => {
    const r = copelandScores(3, [game(0, 1, 1), game(0, 2, null)]);
    expect(r[0].games).toBe(1);
    expect(r[2].score).toBeNull();
  });
});
