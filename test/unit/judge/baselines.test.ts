import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { createLengthJudge, createRandomJudge } from "../../../src/judge/index.js";
import type { PairId } from "../../../src/types.js";

const make = (id: string, responseA: string, responseB: string): PreferencePair => ({
  id: id as PairId,
  prompt: [{ role: "user", content: "q" }],
  responseA,
  responseB,
  label: "A",
});

describe("createLengthJudge", () => {
  it("prefers the longer response and ties on equal length", async () => {
    const judge = createLengthJudge();
    expect(await judge.judge(make("1", "a longer answer", "short"))).toMatchObject({ verdict: "A", pA: 1 });
    expect(await judge.judge(make("2", "short", "a longer answer"))).toMatchObject({ verdict: "B", pA: 0 });
    expect(await judge.judge(make("3", "same", "four"))).toMatchObject({ verdict: "tie", pA: 0.5 });
    // Code points, not UTF-16 units: "🐬🐬" is 2, "abc" is 3.
    expect((await judge.judge(make("4", "🐬🐬", "abc"))).verdict).toBe("B");
  });

  it("counts words when asked", async () => {
    const judge = createLengthJudge({ unit: "words" });
    expect((await judge.judge(make("1", "aaaaaaaaaaaa", "b c"))).verdict).toBe("B");
  });

  it("returns a full Judgment whose provenance names the baseline", async () => {
    const j = await createLengthJudge().judge(make("1", "xx", "x"));
    expect(j).toMatchObject({
      pairId: "1",
      samples: [],
      orders: ["AB"],
      errors: [],
      votes: { A: 0, B: 0, error: 0 },
      usage: { promptTokens: 0, completionTokens: 0, samples: 0, cachedSamples: 0 },
      provenance: { modelId: "baseline:length", templateId: "baseline:length@1", baseline: "length", k: 0 },
    });
    expect(createLengthJudge().info.templateHash).not.toBe(
      createLengthJudge({ unit: "words" }).info.templateHash,
    );
  });
});

describe("createRandomJudge", () => {
  it("flips a coin from sha256(seed, pair id), reproducibly", async () => {
    const judge = createRandomJudge();
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push((await judge.judge(make(`pair-${i}`, "a", "b"))).verdict);
    // Bit 0 of sha256("genrm/random-judge\x1f0\x1fpair-i") (Python hashlib): 1,0,0,1,1,0; 0 → A.
    expect(verdicts).toEqual(["B", "A", "A", "B", "B", "A"]);
    const j = await judge.judge(make("pair-0", "a", "b"));
    expect(j.pA).toBe(0.5);
    expect(j.provenance).toMatchObject({ baseline: "random", seed: 0 });
  });
});
