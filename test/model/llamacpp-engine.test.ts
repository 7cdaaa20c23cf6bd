/**
 * The embedded engine on tiny random-weight GGUFs through the real node-llama-cpp 3.21.1.
 *
 * That a sample decoded beside others equals the same seed decoded alone, token for token, is
 * asserted in engine-concurrency.test.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLlamaCppEngine } from "../../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../../src/engine/llamacpp/types.js";
import type { SamplingConfig } from "../../src/engine/types.js";
import { AbortedError, ConfigError, DisposedError, NotFoundError } from "../../src/errors.js";
import { type LoraTarget, loadModel, writeLoraAdapter } from "../../src/model/index.js";
import { loadTokenizer } from "../../src/model/tokenizer/index.js";
import { noGrad } from "../../src/tensor/index.js";
import type { ChatMessage } from "../../src/types.js";
import { type TinyModelResult, tinyModelOnce } from "../helpers/tinyModel.js";

const judgeMessages: ChatMessage[] = [
  { role: "system", content: "Please act as an impartial judge and compare the two answers. ".repeat(4) },
  { role: "user", content: "[Question] Name a prime number.\n[Answer A] 7\n[Answer B] 8\nWhich is better?" },
];
const otherMessages: ChatMessage[] = [
  { role: "user", content: "Write a short poem about the sea and the wind." },
];
const sampling: SamplingConfig = { temperature: 1, topP: 0.95, maxTokens: 24 };

let tiny: TinyModelResult;
let engine: LlamaCppEngine;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), "genrm-llamacpp-test-"));
  tiny = await tinyModelOnce({ hidden: 64, layers: 2, vocabSize: 512, seed: 3 });
  engine = await openLlamaCppEngine({ modelPath: tiny.path, contextSize: 512, parallelSequences: 4 });
});
afterAll(async () => {
  await engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const texts = (r: { samples: { text: string }[] }) => r.samples.map((s) => s.text);

describe("openLlamaCppEngine", () => {
  it("resolves its settings: real core count, the GGUF's chat template, a content-hash model id", async () => {
    expect(engine.config.threads).toBe(os.availableParallelism());
    expect(engine.config.chatFormat).toBe("jinja");
    expect(engine.config.parallelSequences).toBe(4);
    expect(engine.info.kind).toBe("llamacpp");
    expect(engine.info.modelId).toMatch(/^gguf:.+@sha256:[0-9a-f]{16}$/);
    expect(engine.info.supportsTokenProbabilities).toBe(true);
    // ChatML: <|im_start|>system ... <|im_end|> ... <|im_start|>assistant\n, then the prefix's own tokens.
    const plain = await engine.formatPrompt(judgeMessages);
    const withPrefix = await engine.formatPrompt(judgeMessages, "[[");
    const { imStart, imEnd } = tiny.config.tokens;
    expect(plain[0]).toBe(imStart);
    expect(plain.filter((t) => t === imEnd)).toHaveLength(2);
    expect(withPrefix.slice(0, plain.length)).toEqual(plain);
    expect(withPrefix.length).toBeGreaterThan(plain.length);
  });

  it("names what is missing or wrong", async () => {
    const missing = join(dir, "nope.gguf");
    await expect(openLlamaCppEngine({ modelPath: missing })).rejects.toThrow(NotFoundError);
    await expect(openLlamaCppEngine({ modelPath: missing })).rejects.toThrow(missing);
    await expect(
      openLlamaCppEngine({ modelPath: tiny.path, lora: [{ path: join(dir, "adapter.gguf") }] }),
    ).rejects.toThrow(/LoRA adapter file not found/);
    await expect(
      openLlamaCppEngine({ modelPath: tiny.path, threads: 0, parallelSequences: 1.5 }),
    ).rejects.toThrow(ConfigError);
    await expect(engine.generate({ messages: judgeMessages, seeds: [-1], sampling })).rejects.toThrow(
      /seeds\[0\]/,
    );
    // Refused by its length, before the 20 MB text is tokenized (which would hold the event loop).
    const huge: ChatMessage[] = [{ role: "user", content: "lorem ipsum ".repeat(1_700_000) }];
    const tooLong = /prompt does not fit the context.*at most 8192 characters.*got 20400000 characters/;
    await expect(engine.generate({ messages: huge, seeds: [1], sampling })).rejects.toThrow(tooLong);
    await expect(engine.tokenProbabilities({ messages: huge, candidates: ["A"] })).rejects.toThrow(tooLong);
    expect(engine.info.contextSize).toBe(512);
  });

  it("decodes k samples in parallel; the same workload reproduces them; seeds differ", async () => {
    const seeds = [11, 12, 13, 14, 15, 16];
    const first = await engine.generate({ messages: judgeMessages, seeds, sampling });
    expect(first.samples.map((s) => s.seed)).toEqual(seeds);
    expect(new Set(texts(first)).size).toBeGreaterThanOrEqual(5);
    for (const s of first.samples) {
      expect(s.completionTokens).toBeGreaterThan(0);
      expect(s.completionTokens).toBeLessThanOrEqual(sampling.maxTokens);
      expect(["eos", "maxTokens"]).toContain(s.stopReason);
      if (s.stopReason === "maxTokens") expect(s.completionTokens).toBe(sampling.maxTokens);
    }
    // Rerun on the same engine (its sequences now hold the prompt) and on a fresh one.
    expect(texts(await engine.generate({ messages: judgeMessages, seeds, sampling }))).toEqual(texts(first));
    const fresh = await openLlamaCppEngine({ modelPath: tiny.path, contextSize: 512, parallelSequences: 4 });
    try {
      expect(texts(await fresh.generate({ messages: judgeMessages, seeds, sampling }))).toEqual(texts(first));
    } finally {
      await fresh.dispose();
    }
  });

  it("serves concurrent requests from one pool of sequences", async () => {
    const [a, b, c] = await Promise.all([
      engine.generate({ messages: judgeMessages, seeds: [1, 2, 3], sampling }),
      engine.generate({ messages: otherMessages, seeds: [4, 5], sampling }),
      engine.tokenProbabilities({ messages: judgeMessages, assistantPrefix: "[[", candidates: ["A", "B"] }),
    ]);
    expect(a.samples.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(b.samples.map((s) => s.seed)).toEqual([4, 5]);
    expect(Number.isFinite(c.logprobs.A)).toBe(true);
    for (const s of [...a.samples, ...b.samples]) expect(s.completionTokens).toBeGreaterThan(0);
  });

  it("evaluates a request's prompt once and copies it to the other samples' sequences", async () => {
    const e = await openLlamaCppEngine({ modelPath: tiny.path, contextSize: 512, parallelSequences: 4 });
    try {
      const prompt = await e.formatPrompt(judgeMessages);
      const r = await e.generate({ messages: judgeMessages, seeds: [1, 2, 3, 4], sampling });
      expect(r.promptTokens).toBe(prompt.length);
      expect(r.cachedPromptTokens).toBe(0);
      const s = e.stats();
      // Leader: the prompt minus its last token; each sample then evaluates the last token.
      expect(s.promptTokensEvaluated).toBe(prompt.length - 1 + 4);
      expect(s.snapshotsSaved).toBe(1);
      expect(s.snapshotsLoaded).toBe(3);
      expect(s.promptTokensCopied).toBe(3 * (prompt.length - 1));
      // The same prompt again: every sequence still holds it.
      const again = await e.generate({ messages: judgeMessages, seeds: [5, 6], sampling });
      expect(again.cachedPromptTokens).toBe(prompt.length - 1);
      expect(e.stats().promptTokensEvaluated).toBe(prompt.length - 1 + 4 + 2);
      expect(e.stats().generatedTokens).toBe(
        [...r.samples, ...again.samples].reduce((n, x) => n + x.completionTokens, 0),
      );
    } finally {
      await e.dispose();
    }
  });

  it("stops at stop strings and at max tokens", async () => {
    const long = { ...sampling, maxTokens: 40 };
    const [free] = (await engine.generate({ messages: otherMessages, seeds: [7], sampling: long })).samples;
    expect(free!.text.length).toBeGreaterThan(6);
    const stop = free!.text.slice(4, 6);
    const [stopped] = (
      await engine.generate({ messages: otherMessages, seeds: [7], sampling: long, stop: [stop] })
    ).samples;
    expect(stopped!.stopReason).toBe("stop");
    expect(stopped!.text).toBe(free!.text.slice(0, free!.text.indexOf(stop)));
    expect(stopped!.completionTokens).toBeLessThan(free!.completionTokens + 1);

    const [short] = (
      await engine.generate({ messages: otherMessages, seeds: [7], sampling: { ...long, maxTokens: 3 } })
    ).samples;
    expect(short!.completionTokens).toBeLessThanOrEqual(3);
    if (short!.stopReason === "maxTokens") expect(short!.completionTokens).toBe(3);
    // Greedy decoding ignores the seed.
    const greedy = await engine.generate({
      messages: otherMessages,
      seeds: [1, 2],
      sampling: { temperature: 0, topP: 1, maxTokens: 12 },
    });
    expect(greedy.samples[0]!.text).toBe(greedy.samples[1]!.text);
  });

  it("reads verdict-token probabilities that match an independent forward pass", async () => {
    const r = await engine.tokenProbabilities({
      messages: judgeMessages,
      assistantPrefix: "[[",
      candidates: ["A", "B"],
    });
    const { A, B } = r.logprobs as { A: number; B: number };
    expect(A).toBeLessThan(0);
    expect(B).toBeLessThan(0);
    const pA = Math.exp(A) / (Math.exp(A) + Math.exp(B));
    expect(pA + Math.exp(B) / (Math.exp(A) + Math.exp(B))).toBeCloseTo(1, 12);

    // Our own TypeScript decoder (src/model) computes the full softmax from the GGUF's weights.
    const tokens = await engine.formatPrompt(judgeMessages, "[[");
    expect(r.promptTokens).toBe(tokens.length);
    const model = await loadModel(tiny.path, { trainable: false });
    const logits = noGrad(() => model.forward(Int32Array.from(tokens), { batch: 1, seqLen: tokens.length }));
    const V = logits.shape[1]!;
    const last = Array.from(logits.data.subarray((tokens.length - 1) * V, tokens.length * V));
    const max = Math.max(...last);
    const lse = max + Math.log(last.reduce((s, x) => s + Math.exp(x - max), 0));
    const tokenizer = await loadTokenizer(tiny.path);
    const [idA] = tokenizer.tokenize("A");
    const [idB] = tokenizer.tokenize("B");
    await tokenizer.dispose();
    const refA = last[idA!]! - lse;
    const refB = last[idB!]! - lse;
    // llama.cpp keeps the KV cache in F16; our forward is float32 throughout.
    expect(Math.abs(A - refA)).toBeLessThan(0.02);
    expect(Math.abs(B - refB)).toBeLessThan(0.02);
    expect(Math.abs(pA - 1 / (1 + Math.exp(refB - refA)))).toBeLessThan(0.005);

    // The same question through generate() and tokenProbabilities() concurrently changes nothing.
    const [again] = await Promise.all([
      engine.tokenProbabilities({ messages: judgeMessages, assistantPrefix: "[[", candidates: ["A", "B"] }),
      engine.generate({ messages: otherMessages, seeds: [1, 2], sampling }),
    ]);
    expect(again.logprobs.A).toBeCloseTo(A, 6);
  });

  it("applies LoRA adapters: outputs and model id change", async () => {
    const { hidden: C, layers } = tiny.config;
    const r = 4;
    const rand = (n: number, seed: number) =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 997 + i * 13.37) * 0.5);
    const targets: LoraTarget[] = Array.from({ length: layers }, (_, l) => ({
      target: `blk.${l}.attn_q.weight`,
      inFeatures: C,
      outFeatures: C,
      rank: r,
      a: rand(r * C, l + 1),
      b: rand(C * r, l + 7),
    }));
    const adapter = join(dir, "adapter.gguf");
    await writeLoraAdapter(adapter, { architecture: tiny.config.ggufArchitecture, targets, alpha: 8 });
    const withLora = await openLlamaCppEngine({
      modelPath: tiny.path,
      contextSize: 512,
      parallelSequences: 2,
      lora: [{ path: adapter, scale: 2 }],
    });
    try {
      expect(withLora.info.modelId).not.toBe(engine.info.modelId);
      expect(withLora.info.modelId.startsWith(engine.info.modelId)).toBe(true);
      expect(withLora.info.modelId).toMatch(/\+lora:.+\*2$/);
      const base = await engine.tokenProbabilities({
        messages: judgeMessages,
        assistantPrefix: "[[",
        candidates: ["A"],
      });
      const adapted = await withLora.tokenProbabilities({
        messages: judgeMessages,
        assistantPrefix: "[[",
        candidates: ["A"],
      });
      expect(Math.abs(adapted.logprobs.A! - base.logprobs.A!)).toBeGreaterThan(1e-3);
      const g = { messages: judgeMessages, seeds: [1, 2, 3], sampling };
      expect(texts(await withLora.generate(g))).not.toEqual(texts(await engine.generate(g)));
    } finally {
      await withLora.dispose();
    }
  });

  it("honours AbortSignal", async () => {
    await expect(
      engine.generate({ messages: judgeMessages, seeds: [1], sampling, signal: AbortSignal.abort() }),
    ).rejects.toThrow(AbortedError);
    const controller = new AbortController();
    const running = engine.generate({
      messages: otherMessages,
      seeds: [1, 2, 3, 4, 5, 6],
      sampling: { ...sampling, maxTokens: 400 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("user cancelled")), 50);
    await expect(running).rejects.toThrow(AbortedError);
    // The engine keeps working afterwards.
    expect((await engine.generate({ messages: judgeMessages, seeds: [1], sampling })).samples).toHaveLength(
      1,
    );
  });

  it("disposes idempotently; use after dispose is a DisposedError", async () => {
    const e = await openLlamaCppEngine({ modelPath: tiny.path, contextSize: 256, parallelSequences: 2 });
    const running = e.generate({
      messages: otherMessages,
      seeds: [1, 2, 3],
      sampling: { ...sampling, maxTokens: 400 },
    });
    const settled = running.then(
      () => "resolved",
      (err) => err,
    );
    await Promise.all([e.dispose(), e[Symbol.asyncDispose]()]);
    const outcome = await settled;
    if (outcome !== "resolved") expect(outcome).toBeInstanceOf(DisposedError);
    await expect(e.generate({ messages: judgeMessages, seeds: [1], sampling })).rejects.toThrow(
      DisposedError,
    );
    await expect(e.tokenProbabilities({ messages: judgeMessages, candidates: ["A"] })).rejects.toThrow(
      DisposedError,
    );
    await e.dispose();
  });
});
