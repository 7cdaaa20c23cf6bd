/**
 * A replayed adaptive rule must be what a live run with that rule gives: the same verdicts, the
 * same samples drawn, the same accuracy, from the samples of one full run.
 */
import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import type { Engine, GenerateRequest, GenerateResult } from "../../../src/engine/types.js";
import { defaultSampling } from "../../../src/engine/types.js";
import { replayAdaptiveVoting } from "../../../src/eval/replayAdaptiveVoting.js";
import { scorePair } from "../../../src/eval/scorePair.js";
import { type AdaptiveOptions, cotPairV2, judgePair } from "../../../src/judge/index.js";
import type { ModelId, PairId } from "../../../src/types.js";

/** Votes for the response whose text starts with "right" with probability set by the seed. */
class SeededVoter implements Engine {
  readonly info = {
    kind: "seeded",
    modelId: "seeded:voter" as ModelId,
    modelName: "seeded",
    supportsTokenProbabilities: false,
    deterministicSeeds: true,
  };
  generated = 0;
  constructor(private readonly share: Map<string, number>) {}
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const user = request.messages.at(-1)!.content;
    const question = /right-(\d+)/.exec(user)![0];
    const slotOfRight = user.indexOf(`${question} `) < user.lastIndexOf("wrong") ? "A" : "B";
    const other = slotOfRight === "A" ? "B" : "A";
    this.generated += request.seeds.length;
    return {
      promptTokens: 10,
      samples: request.seeds.map((seed) => {
        const text = (seed % 1000) / 1000 < this.share.get(question)! ? `[[${slotOfRight}]]` : `[[${other}]]`;
        return { text, seed, stopReason: "eos" as const, completionTokens: 3 };
      }),
    };
  }
  async tokenProbabilities(): Promise<never> {
    throw new Error("not used");
  }
  async dispose() {}
  async [Symbol.asyncDispose]() {}
}

const shares = [0.95, 0.9, 0.7, 0.55, 0.5, 0.4, 0.2, 0.8, 0.65, 0.6];
const pairs: PreferencePair[] = shares.map((_, i) => ({
  id: `p${i}` as PairId,
  prompt: [{ role: "user", content: `question ${i}` }],
  responseA: i % 2 === 0 ? `right-${i} answer` : `wrong answer ${i}`,
  responseB: i % 2 === 0 ? `wrong answer ${i}` : `right-${i} answer`,
  label: i % 2 === 0 ? "A" : "B",
}));
const shareMap = new Map(shares.map((s, i) => [`right-${i}`, s]));

describe("replayAdaptiveVoting", () => {
  it("gives what a live adaptive run gives, for each rule, on the full run's samples", async () => {
    const base = { template: cotPairV2, seed: 3, sampling: defaultSampling, orderMode: "both" as const };
    const k = 16;
    const full = await Promise.all(pairs.map((p) => judgePair(new SeededVoter(shareMap), p, { ...base, k })));
    const rules: { adaptive: false | AdaptiveOptions; k: number; chunkSize?: number }[] = [
      { adaptive: false, k: 5 },
      { adaptive: { mode: "decided" }, k },
      { adaptive: { mode: "confidence", confidence: 0.9 }, k, chunkSize: 2 },
      { adaptive: { mode: "posterior" }, k, chunkSize: 3 },
    ];
    const points = await replayAdaptiveVoting(
      full,
      pairs,
      { ...base, k, modelId: "seeded:voter" as ModelId },
      rules.map((r, i) => ({ name: `rule ${i}`, ...r })),
    );
    for (const [i, rule] of rules.entries()) {
      const engine = new SeededVoter(shareMap);
      const live = await Promise.all(
        pairs.map((p) =>
          judgePair(engine, p, {
            ...base,
            k: rule.k,
            adaptive: rule.adaptive,
            chunkSize: rule.chunkSize ?? 4,
          }),
        ),
      );
      const accuracy = live.reduce((s, j, n) => s + scorePair(j.verdict, pairs[n]!.label)!, 0) / pairs.length;
      expect(points[i]).toEqual({
        name: `rule ${i}`,
        accuracy,
        meanSamples: engine.generated / pairs.length,
        sampleRatio: engine.generated / (pairs.length * k * 2),
        stoppedEarly: live.filter((j) => j.stoppedEarly).length,
        n: pairs.length,
      });
    }
    // The rules differ: the fixed budget draws 5 per order, adaptive ones stop somewhere else.
    expect(points[0]!.meanSamples).toBe(10);
    expect(new Set(points.map((p) => p.meanSamples)).size).toBe(points.length);
  });

  it("refuses a run whose judgments stopped early", async () => {
    const j = await judgePair(new SeededVoter(shareMap), pairs[0]!, {
      template: cotPairV2,
      k: 16,
      adaptive: true,
    });
    await expect(
      replayAdaptiveVoting(
        [j],
        pairs,
        { template: cotPairV2, k: 16, modelId: "seeded:voter" as ModelId },
        [],
      ),
    ).rejects.toThrow(/full run/);
  });
});
