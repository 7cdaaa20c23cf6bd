import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import type { Order } from "../../../src/judge/types.js";
import type { PairId, Slot } from "../../../src/types.js";
import {
  createWorldRng,
  defaultSlipWeights,
  defaultTeacher,
  generateWorld,
  isWellFormedRationale,
  judgeView,
  misconceptionOf,
  perfectReasoner,
  type ReasonerConfig,
  readWorldMeta,
  scoreRationale,
  simulateReasoner,
  worldSplitNames,
  worldStats,
  writeRationale,
} from "../../../src/world/index.js";
import { binomialTolerance } from "./binomial.js";

const world = generateWorld({
  seed: 11,
  sizes: { train: 1000, test: 1000, "ood-length": 1000, "ood-mixed": 1000, "ood-long": 500 },
});
const teacher: ReasonerConfig = { ...defaultTeacher, slip: defaultSlipWeights };

function pair(question: string, a: string, b: string): PreferencePair {
  return {
    id: "t" as PairId,
    prompt: [{ role: "user", content: question }],
    responseA: a,
    responseB: b,
    label: "A",
  };
}

describe("scoreRationale", () => {
  const view = judgeView(
    pair("What is 3+4+2+5?", "It is 14.", "I checked every number, and the answer is 13."),
  );

  it("accepts a sound rationale", () => {
    const score = scoreRationale("3+4=7. 7+2=9. 9+5=14. A says 14. B says 13. A is right. [[A]]", view);
    expect(score).toMatchObject({
      expectedSteps: 3,
      complete: true,
      arithmeticCorrect: true,
      stepAccuracy: 1,
      finalValue: 14,
      quotesCorrect: true,
      route: "worked",
      verdict: "A",
      impliedVerdict: "A",
      consistent: true,
      ruleVerdict: "A",
      verdictCorrect: true,
      sound: true,
    });
  });

  it("finds a wrong step, and a verdict that follows it", () => {
    const score = scoreRationale("3+4=7. 7+2=8. 8+5=13. A says 14. B says 13. B is right. [[B]]", view);
    expect(score.steps.map((s) => s.correct)).toEqual([true, false, true]);
    expect(score.steps.every((s) => s.onPath)).toBe(true);
    expect(score).toMatchObject({
      arithmeticCorrect: false,
      stepAccuracy: 2 / 3,
      impliedVerdict: "B",
      consistent: true,
      verdictCorrect: false,
      sound: false,
    });
  });

  it("tells skipped, off-path and misquoted work apart", () => {
    const skipped = scoreRationale("3+4=7. 7+5=12. A says 14. B says 13. A is right. [[A]]", view);
    expect(skipped).toMatchObject({
      complete: false,
      arithmeticCorrect: false,
      verdictCorrect: true,
      sound: false,
    });
    expect(skipped.steps[1]!.onPath).toBe(false);
    const misquoted = scoreRationale("3+4=7. 7+2=9. 9+5=14. A says 13. B says 14. B is right. [[B]]", view);
    expect(misquoted).toMatchObject({
      arithmeticCorrect: true,
      quotesCorrect: false,
      impliedVerdict: "A",
      consistent: false,
    });
    const heuristic = scoreRationale("B is more detailed. [[B]]", view);
    expect(heuristic).toMatchObject({
      route: "heuristic",
      steps: [],
      stepAccuracy: null,
      quotesCorrect: null,
    });
    expect(scoreRationale("no idea", view)).toMatchObject({
      route: "none",
      verdict: null,
      verdictCorrect: false,
    });
  });

  it("reads negative running totals of a reasoner that slipped on a mixed problem", () => {
    const mixed = judgeView(pair("What is 1+4-4+5?", "6", "It is 8."));
    const score = scoreRationale(
      "1+4=3. 3-4=-1. -1+5=4. A says 6. B says 8. Neither is right; A comes first. [[A]]",
      mixed,
    );
    expect(score.steps.map((s) => [s.left, s.op, s.right, s.claimed, s.correct])).toEqual([
      [1, "+", 4, 3, false],
      [3, "-", 4, -1, true],
      [-1, "+", 5, 4, true],
    ]);
    expect(score).toMatchObject({
      complete: true,
      route: "fallback",
      ruleVerdict: "A",
      verdictCorrect: true,
      sound: false,
    });
  });
});

describe("writeRationale", () => {
  it("as a perfect reasoner, is sound on every pair of every split and scores 1 − noise", () => {
    const rng = createWorldRng(0, "test");
    for (const name of worldSplitNames) {
      const pairs = world.splits[name];
      let agree = 0;
      const unsound: string[] = [];
      for (const [i, p] of pairs.entries()) {
        const order: Order = i % 2 === 0 ? "AB" : "BA";
        const view = judgeView(p, order);
        const written = writeRationale(view, rng, perfectReasoner);
        const score = scoreRationale(written.text, view);
        if (!score.sound || written.route !== "worked") unsound.push(`${p.id}: ${written.text}`);
        const verdict: Slot = order === "AB" ? written.verdict : written.verdict === "A" ? "B" : "A";
        if (verdict === p.label) agree++;
      }
      expect(unsound).toEqual([]);
      const accuracy = agree / pairs.length;
      expect(accuracy).toBe(worldStats(pairs).ruleAgreement);
      expect(Math.abs(accuracy - 0.95)).toBeLessThan(binomialTolerance(0.95, pairs.length));
    }
  });

  it("slips steps at the configured rate, and its verdict follows its own result", () => {
    const rng = createWorldRng(1, "test");
    const slippy: ReasonerConfig = { ...perfectReasoner, stepErrorRate: 0.2, fallback: { random: 1 } };
    let steps = 0;
    let wrong = 0;
    const inconsistent: string[] = [];
    for (const p of world.splits.train) {
      const view = judgeView(p);
      const written = writeRationale(view, rng, slippy);
      const score = scoreRationale(written.text, view);
      steps += score.steps.length;
      wrong += score.steps.filter((s) => !s.correct).length;
      expect(score.steps.length).toBe(written.steps);
      if (score.consistent === false) inconsistent.push(written.text);
    }
    expect(inconsistent).toEqual([]);
    expect(Math.abs(wrong / steps - 0.2)).toBeLessThan(binomialTolerance(0.2, steps));
  });

  it("repeats the same misconception on the same fact, every time", () => {
    const believed = new Map<string, number>();
    let misconceived = 0;
    let facts = 0;
    for (let left = 0; left <= 40; left++) {
      for (let right = 1; right <= 9; right++) {
        facts++;
        const b = misconceptionOf(left, "+", right, 0.15, defaultSlipWeights);
        expect(misconceptionOf(left, "+", right, 0.15, defaultSlipWeights)).toBe(b);
        if (b !== null) {
          misconceived++;
          expect(b).not.toBe(left + right);
          believed.set(`${left}+${right}`, b);
        }
      }
    }
    expect(Math.abs(misconceived / facts - 0.15)).toBeLessThan(binomialTolerance(0.15, facts));
    // A reasoner that always uses its beliefs writes them whenever the fact comes up.
    const rng = createWorldRng(2, "test");
    const stubborn: ReasonerConfig = { ...perfectReasoner, misconceptionShare: 0.15, misconceptionRate: 1 };
    for (const p of world.splits.train.slice(0, 300)) {
      const score = scoreRationale(writeRationale(judgeView(p), rng, stubborn).text, judgeView(p));
      for (const s of score.steps) {
        const b = believed.get(`${s.left}+${s.right}`);
        if (s.left >= 0 && s.left <= 40) expect(s.claimed).toBe(b ?? s.left + s.right);
      }
    }
  });

  it("with a hint, always concludes for the hint, fudging a step when its work disagrees", () => {
    const rng = createWorldRng(3, "test");
    let fudged = 0;
    for (const p of world.splits.test.slice(0, 400)) {
      const meta = readWorldMeta(p);
      const wrongHint: Slot = meta.ruleWinner === "A" ? "B" : "A";
      for (const hint of [meta.ruleWinner, wrongHint]) {
        const view = judgeView(p);
        const written = writeRationale(view, rng, teacher, { hint });
        const score = scoreRationale(written.text, view);
        expect(written.verdict).toBe(hint);
        expect(score.verdict).toBe(hint);
        expect(score.consistent).toBe(true);
        if (hint === wrongHint) expect(score.arithmeticCorrect).toBe(false);
        if (!score.arithmeticCorrect && hint === meta.ruleWinner) fudged++;
      }
    }
    expect(fudged).toBeGreaterThan(0);
  });
});

describe("simulateReasoner", () => {
  it("puts the corpus teacher clearly above chance, far from perfect, and hurt by the reversed cue", () => {
    const report: Record<string, string> = {};
    const results = Object.fromEntries(
      worldSplitNames.map((name) => {
        const r = simulateReasoner(world.splits[name], teacher, { k: 8, seed: 5 });
        report[name] =
          `maj@1 ${r.maj1.toFixed(3)}  maj@8 ${r.majK.toFixed(3)}  fallback ${r.routes.fallback.toFixed(2)}`;
        return [name, r];
      }),
    );
    console.log("corpus teacher as a judge", report);
    const perfect = simulateReasoner(world.splits.test, perfectReasoner, { k: 1 });
    expect(perfect.maj1).toBe(worldStats(world.splits.test).ruleAgreement);
    expect(results.test!.maj1).toBeGreaterThan(0.6);
    expect(results.test!.maj1).toBeLessThan(0.8);
    expect(results.test!.majK).toBeGreaterThanOrEqual(results.test!.maj1);
    expect(results["ood-length"]!.maj1).toBeLessThan(results.test!.maj1 - 0.05);
    expect(results["ood-mixed"]!.maj1).toBeGreaterThan(0.55);
  });
});

describe("isWellFormedRationale", () => {
  it("accepts every rationale the writer produces, worked, fallback, shortcut and hinted", () => {
    const rng = createWorldRng(5, "well-formed");
    let n = 0;
    for (const p of world.splits.test.slice(0, 300)) {
      for (const order of ["AB", "BA"] as const) {
        const view = judgeView(p, order);
        const free = writeRationale(view, rng, { ...teacher, heuristicRate: 0.3 });
        const hinted = writeRationale(view, rng, teacher, { hint: "B" });
        for (const r of [free, hinted]) {
          expect(isWellFormedRationale(r.text), r.text).toBe(true);
          n++;
        }
      }
    }
    expect(n).toBe(1200);
  });

  it("rejects what broken samples look like", () => {
    const good = "3+4=7. 7+2=9. 9+5=14. A says 14, yes. B says 13, no. A is right. [[A]]";
    expect(isWellFormedRationale(good)).toBe(true);
    // The grammar before quotes carried their check.
    expect(isWellFormedRationale("3+4=7. 7+2=9. A says 9. B says 8. A is right. [[A]]")).toBe(true);
    for (const bad of [
      "3+4=7. A says 7+2=9. B says 13. A is right. [[A]]", // a step spliced into a quote
      "9+5=14. A says 14. B says 9. B is right. [[5+3=23. A says 25. B is right. [[B]]", // text from elsewhere
      "3+4=7. 7+2=9. 9+5=14. A says 14, yes. B says 13, no. A is right. [[B]]", // verdict against its conclusion
      " more detailed. [[B]]", // starts mid-sentence
      "3+4=7. 7+2=9. 9+5=14. A says 14, yes. B says 13, no. A is right.", // no verdict
    ]) {
      expect(isWellFormedRationale(bad), bad).toBe(false);
    }
  });
});
