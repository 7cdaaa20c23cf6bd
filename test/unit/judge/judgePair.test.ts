import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import type {
  Engine,
  GenerateRequest,
  GenerateResult,
  TokenProbabilitiesRequest,
  TokenProbabilitiesResult,
} from "../../../src/engine/types.js";
import { defaultSampling } from "../../../src/engine/types.js";
import { AbortedError, ConfigError, UnsupportedError } from "../../../src/errors.js";
import {
  cotPairV2,
  createLlmJudge,
  directPairV2,
  type JudgeSample,
  judgePair,
  rationalizePair,
  renderJudgePrompt,
  type SampleCache,
  type SampleKey,
  type StoredVerdictProbability,
  sampleSeed,
  samplingKey,
  templateHash,
  type VerdictProbabilityCache,
} from "../../../src/judge/index.js";
import type { ChatMessage, ModelId, PairId } from "../../../src/types.js";
import { withoutKeys } from "../../helpers/withoutKeys.js";

interface Reply {
  text: string;
  stopReason?: "eos" | "maxTokens" | "error";
}

/**
 * The engine is the system boundary of judgePair: this one answers from a script keyed by what it
 * is shown and by seed, and records every call.
 */
class ScriptedEngine implements Engine {
  readonly info;
  readonly generateCalls: GenerateRequest[] = [];
  readonly probabilityCalls: TokenProbabilitiesRequest[] = [];
  constructor(
    private readonly reply: (user: string, seed: number) => Reply,
    private readonly logprobs: (user: string) => Record<string, number> = () => ({}),
    options: { supportsTokenProbabilities?: boolean; failGenerate?: boolean } = {},
  ) {
    this.info = {
      kind: "scripted",
      modelId: "scripted:judge" as ModelId,
      modelName: "scripted",
      supportsTokenProbabilities: options.supportsTokenProbabilities ?? true,
      deterministicSeeds: true,
    };
    this.failGenerate = options.failGenerate ?? false;
  }
  private readonly failGenerate: boolean;

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.generateCalls.push(request);
    if (this.failGenerate) throw new Error("connection refused");
    const user = request.messages.at(-1)!.content;
    return {
      promptTokens: 100,
      samples: request.seeds.map((seed) => {
        const r = this.reply(user, seed);
        return { text: r.text, seed, stopReason: r.stopReason ?? "eos", completionTokens: r.text.length };
      }),
    };
  }
  async tokenProbabilities(request: TokenProbabilitiesRequest): Promise<TokenProbabilitiesResult> {
    this.probabilityCalls.push(request);
    return { logprobs: this.logprobs(request.messages.at(-1)!.content), promptTokens: 90 };
  }
  async dispose(): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {}
}

class MapCache implements SampleCache {
  readonly store = new Map<string, JudgeSample>();
  readonly puts: SampleKey[] = [];
  get(key: SampleKey) {
    return this.store.get(JSON.stringify(key));
  }
  put(key: SampleKey, sample: JudgeSample) {
    this.puts.push(key);
    this.store.set(JSON.stringify(key), sample);
  }
}

const pair: PreferencePair = {
  id: "ocean" as PairId,
  prompt: [{ role: "user", content: "name two animals that live in the ocean" }],
  responseA: "Dolphin and shark.",
  responseB: "Common ocean animals include sharks, whales, and dolphins.",
  label: "A",
};
const seedOf = (order: "AB" | "BA", index: number, seed = 0) => sampleSeed(seed, pair.id, order, index);
/** Which display slot shows the "Dolphin" answer (pair.responseA). */
const slotOfA = (user: string) =>
  user.indexOf("Dolphin and shark.") < user.indexOf("Common ocean") ? "A" : "B";

describe("judgePair, CoT", () => {
  it("draws k seeded samples, parses, votes (fixed order)", async () => {
    const script = new Map([
      [seedOf("AB", 0), "A is concise. [[A]]"],
      [seedOf("AB", 1), "B has detail. [[B]]"],
      [seedOf("AB", 2), "Format: [[B]]. A follows the instruction. [[A]]"],
    ]);
    const engine = new ScriptedEngine((_, seed) => ({ text: script.get(seed)! }));
    const j = await judgePair(engine, pair, { k: 3, orderMode: "fixed" });

    expect(engine.generateCalls).toHaveLength(1);
    expect(engine.generateCalls[0]!.seeds).toEqual([seedOf("AB", 0), seedOf("AB", 1), seedOf("AB", 2)]);
    expect(engine.generateCalls[0]!.messages).toEqual(renderJudgePrompt(cotPairV2, pair, "AB"));
    expect(engine.generateCalls[0]!.sampling).toEqual(defaultSampling);
    expect(j.verdict).toBe("A");
    expect(j.pA).toBeCloseTo(2 / 3, 12);
    expect(j.votes).toEqual({ A: 2, B: 1, error: 0 });
    expect(j.samples.map((s) => [s.order, s.index, s.verdict])).toEqual([
      ["AB", 0, "A"],
      ["AB", 1, "B"],
      ["AB", 2, "A"],
    ]);
    expect(j.orders).toEqual(["AB"]);
    expect(j.stoppedEarly).toBe(false);
    expect(j.errors).toEqual([]);
    expect(j.usage).toMatchObject({
      promptTokens: 100,
      completionTokens: 19 + 19 + 47,
      samples: 3,
      cachedSamples: 0,
    });
    expect(j.provenance).toEqual({
      modelId: "scripted:judge",
      modelName: "scripted",
      protocol: "cot",
      templateId: "cot-pair-v2@1",
      templateHash: templateHash(cotPairV2),
      seed: 0,
      sampling: defaultSampling,
      orderMode: "fixed",
      k: 3,
      adaptive: false,
    });
  });

  it("undoes the display order: a content-faithful judge agrees with itself in both orders", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user)}]]` }));
    const j = await judgePair(engine, pair, { k: 2 });
    expect(j.orders).toEqual(["AB", "BA"]);
    expect(j.samples.map((s) => s.verdict)).toEqual(["A", "A", "A", "A"]);
    expect(j.samples.map((s) => s.seed)).toEqual([
      seedOf("AB", 0),
      seedOf("AB", 1),
      seedOf("BA", 0),
      seedOf("BA", 1),
    ]);
    expect(j).toMatchObject({ verdict: "A", pA: 1, votes: { A: 4, B: 0, error: 0 } });
  });

  it("a judge that always says [[A]] is cancelled out by both orders", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[A]]" }));
    const both = await judgePair(engine, pair, { k: 2 });
    expect(both).toMatchObject({ verdict: "tie", pA: 0.5, votes: { A: 2, B: 2, error: 0 } });
    expect((await judgePair(engine, pair, { k: 2, tiePolicy: "B" })).verdict).toBe("B");
    // Random order: pair "ocean" with seed 0 is shown BA, so slot A is responseB.
    const random = await judgePair(engine, pair, { k: 1, orderMode: "random" });
    expect(random.orders).toEqual(["BA"]);
    expect(random).toMatchObject({ verdict: "B", pA: 0 });
  });

  it("breaks a tie with the verdict-token read-out under tiePolicy logprob", async () => {
    const engine = new ScriptedEngine(
      () => ({ text: "[[A]]" }),
      (user) =>
        slotOfA(user) === "A"
          ? { A: Math.log(0.9), B: Math.log(0.1) }
          : { A: Math.log(0.3), B: Math.log(0.7) },
    );
    const j = await judgePair(engine, pair, { k: 1, tiePolicy: "logprob" });
    expect(engine.probabilityCalls.map((c) => [c.assistantPrefix, c.candidates])).toEqual([
      ["[[", ["A", "B"]],
      ["[[", ["A", "B"]],
    ]);
    // p_sym over read-outs = (0.9 + 0.7) / 2 = 0.8 → A; pA stays the vote share.
    expect(j.verdict).toBe("A");
    expect(j.pA).toBe(0.5);
    expect(j.probabilities!.map((p) => [p.order, Number(p.pA.toFixed(6))])).toEqual([
      ["AB", 0.9],
      ["BA", 0.7],
    ]);
  });

  it("records parse errors and truncation per sample", async () => {
    const engine = new ScriptedEngine((_, seed) =>
      seed === seedOf("AB", 0)
        ? { text: "[[B]]" }
        : seed === seedOf("AB", 1)
          ? { text: "I think", stopReason: "maxTokens" }
          : { text: "no idea" },
    );
    const j = await judgePair(engine, pair, { k: 3, orderMode: "fixed" });
    expect(j.samples.map((s) => [s.verdict, s.parseError, s.stopReason])).toEqual([
      ["B", undefined, "eos"],
      ["error", "truncated", "maxTokens"],
      ["error", "no verdict", "eos"],
    ]);
    expect(j).toMatchObject({ verdict: "B", pA: 0, votes: { A: 0, B: 1, error: 2 }, errors: [] });
    expect(
      (await judgePair(engine, pair, { k: 3, orderMode: "fixed", errorPolicy: "plurality" })).verdict,
    ).toBe("error");
  });
});

describe("judgePair, sample cache", () => {
  it("puts new samples and serves them on the next run without generating", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user)}]]` }));
    const cache = new MapCache();
    const first = await judgePair(engine, pair, { k: 2, cache });
    expect(cache.puts).toHaveLength(4);
    expect(cache.puts[0]).toEqual({
      modelId: "scripted:judge",
      templateHash: templateHash(cotPairV2),
      pairId: "ocean",
      order: "AB",
      index: 0,
      seed: seedOf("AB", 0),
      samplingKey: samplingKey(defaultSampling),
    });
    expect(first.usage.cachedSamples).toBe(0);

    const again = await judgePair(engine, pair, { k: 2, cache });
    expect(engine.generateCalls).toHaveLength(2);
    expect(again.samples.every((s) => s.cached === true)).toBe(true);
    expect(again.usage).toMatchObject({ samples: 4, cachedSamples: 4, promptTokens: 0 });
    expect(again.verdict).toBe(first.verdict);
    expect(again.samples.map((s) => s.text)).toEqual(first.samples.map((s) => s.text));
  });

  it("generates only the missing indices", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[B]]" }));
    const cache = new MapCache();
    await judgePair(engine, pair, { k: 1, orderMode: "fixed", cache });
    const more = await judgePair(engine, pair, { k: 3, orderMode: "fixed", cache });
    expect(engine.generateCalls[1]!.seeds).toEqual([seedOf("AB", 1), seedOf("AB", 2)]);
    expect(more.samples.map((s) => s.cached ?? false)).toEqual([true, false, false]);
  });
});

describe("judgePair, adaptive", () => {
  it("decided: stops when the leader cannot be overtaken, in chunks", async () => {
    const byIndex = new Map(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [seedOf("AB", i), i === 1 ? "[[B]]" : "[[A]]"]),
    );
    const engine = new ScriptedEngine((_, seed) => ({ text: byIndex.get(seed)! }));
    const j = await judgePair(engine, pair, {
      k: 8,
      orderMode: "fixed",
      adaptive: { mode: "decided" },
      chunkSize: 2,
    });
    // No check can stop before 5 samples (5–0 with 3 left), so the first call draws 5; then 4–1
    // with 3 left; after 7: 6–1 with 1 left → stop.
    expect(engine.generateCalls.map((c) => c.seeds.length)).toEqual([5, 2]);
    expect(engine.generateCalls[1]!.seeds).toEqual([seedOf("AB", 5), seedOf("AB", 6)]);
    expect(j).toMatchObject({ verdict: "A", pA: 6 / 7, stoppedEarly: true });
    expect(j.usage.samples).toBe(7);
    expect(j.provenance).toMatchObject({ k: 8, adaptive: true });
  });

  it("confidence: a unanimous vote stops after 4 samples at 95%", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[B]]" }));
    const j = await judgePair(engine, pair, {
      k: 32,
      orderMode: "fixed",
      adaptive: { mode: "confidence" },
      chunkSize: 1,
    });
    expect(j.usage.samples).toBe(4);
    expect(j.verdict).toBe("B");
  });

  it("a split vote uses the whole budget", async () => {
    const byIndex = new Map([0, 1, 2, 3, 4].map((i) => [seedOf("AB", i), i % 2 === 0 ? "[[A]]" : "[[B]]"]));
    const engine = new ScriptedEngine((_, seed) => ({ text: byIndex.get(seed)! }));
    const j = await judgePair(engine, pair, {
      k: 5,
      orderMode: "fixed",
      adaptive: { mode: "decided" },
      chunkSize: 2,
    });
    // First check after 3 (the fewest a 3–0 could stop on): 2–1 with 2 left, not decided.
    expect(engine.generateCalls.map((c) => c.seeds.length)).toEqual([3, 2]);
    expect(j).toMatchObject({ verdict: "A", pA: 0.6, stoppedEarly: false });
  });
});

describe("judgePair, adaptive with both orders", () => {
  // Issue 12's case, k = 16: the full run has AB 12A/4B (samples 12–15 say B) and BA 3A/13B
  // (samples 0–2 say A), so p_sym = ½(12/16 + 3/16) < ½ → B. Each order stopping on its own vote
  // (AB after 12A/0B, BA after 3A/9B) and averaging gave ½(1 + 3/12) > ½ → A.
  const votesFor = (order: "AB" | "BA", index: number) =>
    order === "AB" ? (index < 12 ? "A" : "B") : index < 3 ? "A" : "B";
  const bySeed = new Map(
    (["AB", "BA"] as const).flatMap((order) =>
      Array.from({ length: 16 }, (_, i) => [seedOf(order, i), { order, vote: votesFor(order, i) }] as const),
    ),
  );
  /** Answers `[[slot]]` for the slot that shows the response the script votes for. */
  const engineFor = () =>
    new ScriptedEngine((user, seed) => {
      const { vote } = bySeed.get(seed)!;
      const slot = slotOfA(user) === "A" ? vote : vote === "A" ? "B" : "A";
      return { text: `[[${slot}]]` };
    });

  it("decided: stops on the combined vote, so it never flips the full run's verdict", async () => {
    const full = await judgePair(engineFor(), pair, { k: 16 });
    expect(full).toMatchObject({ verdict: "B", votes: { A: 15, B: 17, error: 0 } });
    expect(full.pA).toBeCloseTo((12 / 16 + 3 / 16) / 2, 12);

    const engine = engineFor();
    const adaptive = await judgePair(engine, pair, { k: 16, adaptive: { mode: "decided" }, chunkSize: 2 });
    expect(adaptive.verdict).toBe("B");
    expect(adaptive.pA).toBeCloseTo(full.pA!, 12);
    // First round: 9 per order (9–0 in both could stop). After 9: AB 9A/0B, BA 3A/6B, mean share in
    // [½(9/16 + 3/16), ½(1 + 10/16)] ∋ ½; after 11 and 13 likewise (after 13: AB 12A/1B ⊂ [12/16, 15/16],
    // BA 3A/10B ⊂ [3/16, 6/16], mean low 15/32); the orders alternate round by round.
    expect(engine.generateCalls.map((c) => [slotOfA(c.messages.at(-1)!.content), c.seeds.length])).toEqual([
      ["A", 9],
      ["B", 9],
      ["A", 2],
      ["B", 2],
      ["A", 2],
      ["B", 2],
      ["A", 2],
      ["B", 2],
      ["A", 1],
      ["B", 1],
    ]);
    expect(adaptive.stoppedEarly).toBe(false);
  });

  it("decided: stops once the combined vote is out of reach, with the orders drawn equally", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user)}]]` }));
    const j = await judgePair(engine, pair, { k: 16, adaptive: { mode: "decided" }, chunkSize: 4 });
    // 9A each with 7 left per order: the mean share is at least 9/16 > ½, so one round of 9 each.
    expect(j).toMatchObject({ verdict: "A", pA: 1, stoppedEarly: true, votes: { A: 18, B: 0, error: 0 } });
    expect(engine.generateCalls.map((c) => c.seeds.length)).toEqual([9, 9]);
  });

  it("adaptive: true is the posterior rule: a unanimous vote stops after 2 per order (4 pooled) at k = 16", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user)}]]` }));
    const j = await judgePair(engine, pair, { k: 16, adaptive: true });
    expect(j).toMatchObject({ verdict: "A", pA: 1, stoppedEarly: true, votes: { A: 4, B: 0, error: 0 } });
  });

  it("gives the same judgments, byte for byte, whatever the concurrency and timing", async () => {
    const pairs = Array.from({ length: 6 }, (_, i) => ({ ...pair, id: `ocean-${i}` as PairId }));
    const replyOf = (user: string, seed: number) => ({
      text: seed % 3 === 0 ? "[[B]]" : `[[${slotOfA(user)}]]`,
    });
    class SlowEngine extends ScriptedEngine {
      override async generate(request: GenerateRequest): Promise<GenerateResult> {
        await new Promise((resolve) => setTimeout(resolve, request.seeds[0]! % 7));
        return super.generate(request);
      }
    }
    const options = { k: 12, adaptive: { mode: "posterior" as const }, chunkSize: 2 };
    const strip = (j: unknown) => JSON.stringify(withoutKeys(j, (key) => key === "wallMs"));
    const sequential: string[] = [];
    const one = new SlowEngine(replyOf);
    for (const p of pairs) sequential.push(strip(await judgePair(one, p, options)));
    const all = new SlowEngine(replyOf);
    const concurrent = await Promise.all(pairs.map((p) => judgePair(all, p, options)));
    expect(concurrent.map(strip)).toEqual(sequential);
  });
});

describe("judgePair, failures", () => {
  it("an engine error becomes an error verdict with the message, not a throw", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[A]]" }), undefined, { failGenerate: true });
    const j = await judgePair(engine, pair, { k: 2 });
    expect(j).toMatchObject({ verdict: "error", pA: null, errors: ["AB: connection refused"], samples: [] });
    expect(engine.generateCalls).toHaveLength(1);
  });

  it("a sample the engine stopped with an error fails the judgment and is not cached", async () => {
    const engine = new ScriptedEngine((_, seed) =>
      seed === seedOf("AB", 1) ? { text: "", stopReason: "error" } : { text: "[[A]]" },
    );
    const cache = new MapCache();
    const j = await judgePair(engine, pair, { k: 2, orderMode: "fixed", cache });
    expect(j.verdict).toBe("error");
    expect(j.errors).toEqual(['AB#1: engine stopped the sample with "error"']);
    expect(cache.puts.map((k) => k.index)).toEqual([0]);
  });

  it("an aborted signal rejects with AbortedError", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[A]]" }));
    const controller = new AbortController();
    controller.abort(new Error("user pressed ctrl-c"));
    await expect(judgePair(engine, pair, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(engine.generateCalls).toHaveLength(0);
  });

  it("invalid options are a ConfigError listing every issue", () => {
    expect(() => createLlmJudge(new ScriptedEngine(() => ({ text: "" })), { k: 0, chunkSize: 1.5 })).toThrow(
      new ConfigError([
        "k: must be a positive integer, got 0",
        "chunkSize: must be a positive integer, got 1.5",
      ]),
    );
  });
});

describe("judgePair, direct", () => {
  it("renormalises the verdict-token probabilities per order and averages the orders", async () => {
    const engine = new ScriptedEngine(
      () => ({ text: "" }),
      (user) =>
        slotOfA(user) === "A"
          ? { A: Math.log(0.6), B: Math.log(0.2) }
          : { A: Math.log(0.1), B: Math.log(0.3) },
    );
    const j = await judgePair(engine, pair, { protocol: "direct" });
    // AB: 0.6 / 0.8 = 0.75. BA: responseA is slot B, 0.3 / 0.4 = 0.75. p_sym = 0.75.
    expect(j.verdict).toBe("A");
    expect(j.pA).toBeCloseTo(0.75, 12);
    expect(j.probabilities!.map((p) => [p.order, p.pA.toFixed(6), p.logprobA.toFixed(6)])).toEqual([
      ["AB", "0.750000", Math.log(0.6).toFixed(6)],
      ["BA", "0.750000", Math.log(0.3).toFixed(6)],
    ]);
    expect(j.votes).toEqual({ A: 2, B: 0, error: 0 });
    expect(j.samples).toEqual([]);
    expect(j.usage.promptTokens).toBe(180);
    expect(engine.probabilityCalls[0]!.assistantPrefix).toBe("[[");
    expect(engine.probabilityCalls[0]!.messages[0]!.content).toContain("Omit any other output.");
  });

  it("an order where neither letter is possible is a missing vote", async () => {
    const engine = new ScriptedEngine(
      () => ({ text: "" }),
      (user): Record<string, number> => (slotOfA(user) === "A" ? {} : { A: Math.log(0.2), B: Math.log(0.2) }),
    );
    const j = await judgePair(engine, pair, { protocol: "direct" });
    expect(j).toMatchObject({ verdict: "tie", pA: 0.5, votes: { A: 0, B: 0, error: 1 } });
  });

  it("serves read-outs from the probability cache", async () => {
    const engine = new ScriptedEngine(
      () => ({ text: "" }),
      (user) =>
        slotOfA(user) === "A"
          ? { A: Math.log(0.6), B: Math.log(0.2) }
          : { A: Math.log(0.1), B: Math.log(0.3) },
    );
    const stored = new Map<string, StoredVerdictProbability>();
    const probabilityCache: VerdictProbabilityCache = {
      get: (key) => stored.get(JSON.stringify(key)),
      put: (key, value) => void stored.set(JSON.stringify(key), value),
    };
    const first = await judgePair(engine, pair, { protocol: "direct", probabilityCache });
    // Stored as displayed: in order BA the letter "A" names responseB.
    expect(
      stored.get(
        JSON.stringify({
          modelId: "scripted:judge",
          templateHash: templateHash(directPairV2),
          pairId: "ocean",
          order: "BA",
        }),
      ),
    ).toEqual({
      logprobA: Math.log(0.1),
      logprobB: Math.log(0.3),
      promptTokens: 90,
    });
    const again = await judgePair(engine, pair, { protocol: "direct", probabilityCache });
    expect(engine.probabilityCalls).toHaveLength(2);
    expect(again.pA).toBe(first.pA);
    expect(again.usage.promptTokens).toBe(0);
  });

  it("refuses an engine without token probabilities", async () => {
    const engine = new ScriptedEngine(() => ({ text: "" }), undefined, { supportsTokenProbabilities: false });
    await expect(judgePair(engine, pair, { protocol: "direct" })).rejects.toBeInstanceOf(UnsupportedError);
    expect(() => createLlmJudge(engine, { protocol: "direct" })).toThrow(UnsupportedError);
  });
});

describe("rationalizePair", () => {
  const labelledB: PreferencePair = { ...pair, label: "B" };

  it("hints the gold winner and stores the prompt without the hint", async () => {
    const seen: string[] = [];
    const engine = new ScriptedEngine((user, seed) => {
      seen.push(user);
      return { text: seed === sampleSeed(0, pair.id, "AB", 1) ? "Hmm. [[A]]" : "B lists three. [[B]]" };
    });
    const { judgment, examples } = await rationalizePair(engine, labelledB, { k: 2, orderMode: "fixed" });
    expect(seen[0]).toContain("Explain why Assistant B's response is better than Assistant A's response.");
    const plain: ChatMessage[] = renderJudgePrompt(cotPairV2, labelledB, "AB");
    expect(examples).toEqual([
      {
        pairId: "ocean",
        order: "AB",
        index: 0,
        seed: seedOf("AB", 0),
        prompt: plain,
        completion: "B lists three. [[B]]",
        winner: "B",
        consistent: true,
      },
      {
        pairId: "ocean",
        order: "AB",
        index: 1,
        seed: seedOf("AB", 1),
        prompt: plain,
        completion: "Hmm. [[A]]",
        winner: "B",
        consistent: false,
      },
    ]);
    expect(judgment).toMatchObject({ verdict: "tie", votes: { A: 1, B: 1, error: 0 } });
    expect(judgment.provenance.protocol).toBe("rationalizer");
  });

  it("maps the hinted slot through the display order", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[A]]" }));
    const { examples } = await rationalizePair(engine, labelledB, {
      k: 1,
      orderMode: "fixed",
      fixedOrder: "BA",
    });
    expect(engine.generateCalls[0]!.messages.at(-1)!.content).toContain("Explain why Assistant A's response");
    expect(examples[0]).toMatchObject({ winner: "A", consistent: true });
  });

  it("a tie label yields an error judgment and no examples", async () => {
    const engine = new ScriptedEngine(() => ({ text: "[[A]]" }));
    const r = await rationalizePair(engine, { ...pair, label: "tie" }, { k: 1 });
    expect(r.examples).toEqual([]);
    expect(r.judgment.verdict).toBe("error");
    expect(r.judgment.errors[0]).toMatch(/needs a gold winner/);
    expect(engine.generateCalls).toHaveLength(0);
  });

  it("judgePair with protocol rationalizer returns the hinted vote", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user) === "A" ? "B" : "A"}]]` }));
    const j = await judgePair(engine, labelledB, { protocol: "rationalizer", k: 1 });
    expect(j).toMatchObject({ verdict: "B", pA: 0 });
  });
});

describe("createLlmJudge", () => {
  it("describes itself and judges with its resolved options", async () => {
    const engine = new ScriptedEngine((user) => ({ text: `[[${slotOfA(user)}]]` }));
    const judge = createLlmJudge(engine, { k: 1, orderMode: "fixed" });
    expect(judge.info).toEqual({
      name: "scripted cot cot-pair-v2@1",
      modelId: "scripted:judge",
      modelName: "scripted",
      protocol: "cot",
      templateId: "cot-pair-v2@1",
      templateHash: templateHash(cotPairV2),
    });
    expect((await judge.judge(pair)).verdict).toBe("A");
  });
});
