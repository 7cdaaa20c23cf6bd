import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DisposedError, GenrmError } from "../../../src/errors.js";
import { promptHash } from "../../../src/judge/promptHash.js";
import type { JudgeSample } from "../../../src/judge/types.js";
import { type ProbabilityKey, type SampleKey, SampleStore } from "../../../src/store/index.js";
import type { ModelId, PairId, TemplateHash } from "../../../src/types.js";

const key = (index: number, over: Partial<SampleKey> = {}): SampleKey => ({
  modelId: "gguf:tiny@sha256:abc" as ModelId,
  templateHash: "0123456789abcdef" as TemplateHash,
  pairId: "p1" as PairId,
  order: "AB",
  index,
  seed: 1000 + index,
  samplingKey: "t=1|p=0.95|n=64",
  ...over,
});

const probabilityKey = (order: ProbabilityKey["order"]): ProbabilityKey => ({
  modelId: "m" as ModelId,
  templateHash: "h" as TemplateHash,
  pairId: "p" as PairId,
  order,
});

const sample = (index: number, text: string): JudgeSample => ({
  order: "AB",
  index,
  seed: 1000 + index,
  text,
  verdict: text.includes("[[A]]") ? "A" : "error",
  ...(text.includes("[[A]]") ? {} : { parseError: "no verdict" }),
  completionTokens: text.length,
  stopReason: "eos",
});

describe("SampleStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-store-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("returns exactly what was put, marked cached, and nothing for other keys", () => {
    const store = SampleStore.open(path.join(dir, "s.db"));
    store.putSample(key(0), sample(0, "because... [[A]]"));
    store.putSample(key(1), sample(1, "rambling"));
    expect(store.getSample(key(0))).toEqual({ ...sample(0, "because... [[A]]"), cached: true });
    expect(store.getSample(key(1))).toMatchObject({
      verdict: "error",
      parseError: "no verdict",
      cached: true,
    });
    expect(store.getSample(key(2))).toBeUndefined();
    expect(store.getSample(key(0, { samplingKey: "t=0.7|p=0.95|n=64" }))).toBeUndefined();
    expect(store.getSample(key(0, { order: "BA" }))).toBeUndefined();
    store.close();
  });

  it("never duplicates or overwrites a sample and persists across reopen", () => {
    const file = path.join(dir, "s.db");
    const a = SampleStore.open(file);
    a.putSample(key(0), sample(0, "first [[A]]"));
    a.putSample(key(0), sample(0, "second [[A]]"));
    a.close();
    const b = SampleStore.open(file);
    expect(b.countSamples()).toBe(1);
    expect(b.getSample(key(0))?.text).toBe("first [[A]]");
    expect(b.countSamples({ pairId: "p1" as PairId })).toBe(1);
    expect(b.countSamples({ pairId: "p2" as PairId })).toBe(0);
    b.close();
  });

  it("stores verdict probabilities", () => {
    const store = SampleStore.open(":memory:");
    const k = probabilityKey("BA");
    store.putProbability(k, { logprobA: -0.1, logprobB: -2.5, promptTokens: 40 });
    expect(store.getProbability(k)).toEqual({ logprobA: -0.1, logprobB: -2.5, promptTokens: 40 });
    expect(store.getProbability({ ...k, order: "AB" })).toBeUndefined();
    store.close();
  });

  it("serves as a judge's sample and probability caches", () => {
    const store = SampleStore.open(":memory:");
    const cache = store.sampleCache();
    const k0 = key(0);
    cache.put(k0, sample(0, "via cache [[A]]"));
    expect(store.getSample(key(0))?.text).toBe("via cache [[A]]");
    expect(cache.get(k0)).toEqual(store.getSample(key(0)));
    const probabilities = store.probabilityCache();
    const k = probabilityKey("AB");
    probabilities.put(k, { logprobA: -1, logprobB: -0.5, promptTokens: 7 });
    expect(probabilities.get(k)).toEqual(store.getProbability(k));
    expect(store.getProbability(k)).toEqual({ logprobA: -1, logprobB: -0.5, promptTokens: 7 });
    store.close();
  });

  it("keeps a run ledger", () => {
    const store = SampleStore.open(":memory:");
    store.recordRunStart({
      runId: "r1",
      command: "eval",
      startedAt: "2026-01-01T00:00:00Z",
      config: { k: 8 },
    });
    expect(store.listRuns()[0]).toMatchObject({ runId: "r1", status: "running", config: { k: 8 } });
    store.recordRunEnd("r1", "finished", { accuracy: 0.5 });
    expect(store.listRuns()[0]).toMatchObject({ status: "finished", summary: { accuracy: 0.5 } });
    expect(store.stats()).toEqual({ samples: 0, probabilities: 0, runs: 1 });
    store.close();
  });

  it("refuses a store written with another schema version, naming both", () => {
    const file = path.join(dir, "old.db");
    SampleStore.open(file).close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => SampleStore.open(file)).toThrow(GenrmError);
    expect(() => SampleStore.open(file)).toThrow(/schema version 99.*version 3/);
  });

  it("keeps token ids, keeps the first sample of a key, and overwrites only when asked to", () => {
    const store = SampleStore.open(path.join(dir, "t.db"));
    store.putSample(key(0), { ...sample(0, "first [[A]]"), tokens: [5, 6, 7] });
    store.putSample(key(0), { ...sample(0, "second [[A]]"), tokens: [8] });
    expect(store.getSample(key(0))).toMatchObject({ text: "first [[A]]", tokens: [5, 6, 7] });
    store.putSample(key(0), { ...sample(0, "regenerated [[A]]"), tokens: [9, 9] }, { replace: true });
    expect(store.getSample(key(0))).toMatchObject({ text: "regenerated [[A]]", tokens: [9, 9] });
    expect(store.countSamples()).toBe(1);
    store.close();
  });

  it("migrates a version-1 store in place: its samples stay readable and carry no token ids", () => {
    // The version-1 schema exactly as genrm 0.1.0 created it (samples without a tokens column).
    const file = path.join(dir, "v1.db");
    const db = new Database(file);
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE samples (model_id TEXT NOT NULL, template_hash TEXT NOT NULL, pair_id TEXT NOT NULL,
        ord TEXT NOT NULL, idx INTEGER NOT NULL, seed INTEGER NOT NULL, sampling_key TEXT NOT NULL,
        text TEXT NOT NULL, verdict TEXT NOT NULL, parse_error TEXT, completion_tokens INTEGER NOT NULL,
        stop_reason TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (model_id, template_hash, pair_id, ord, idx, seed, sampling_key)) WITHOUT ROWID;`);
    const k = key(3);
    db.prepare("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'A', NULL, 4, 'eos', '2026-01-01')").run(
      k.modelId,
      k.templateHash,
      k.pairId,
      k.order,
      k.index,
      k.seed,
      k.samplingKey,
      "old [[A]]",
    );
    db.close();
    const store = SampleStore.open(file);
    const old = store.getSample(k);
    expect(old).toMatchObject({ text: "old [[A]]", verdict: "A" });
    expect(old?.tokens).toBeUndefined();
    store.putSample(k, { ...sample(3, "new [[A]]"), tokens: [1, 2] }, { replace: true });
    store.close();
    const reopened = SampleStore.open(file);
    expect(reopened.getSample(k)).toMatchObject({ text: "new [[A]]", tokens: [1, 2] });
    reopened.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: "3" });
    raw.close();
  });

  it("keeps the hash of the prompt each sample answered; samples stored before it have none", () => {
    const store = SampleStore.open(path.join(dir, "hash.db"));
    const messages = [{ role: "user" as const, content: "Which is better? A: x B: y" }];
    const hash = promptHash({ messages, assistantPrefix: "[[" });
    store.putSample(key(0), sample(0, "[[A]]"), { promptHash: hash });
    store.putSample(key(1), sample(1, "[[B]]"));
    expect(store.samplePromptHash(key(0))).toBe(hash);
    expect(store.samplePromptHash(key(1))).toBeNull();
    expect(store.samplePromptHash(key(2))).toBeUndefined();
    // The hash names the prompt: another prefix or message is another prompt.
    expect(hash).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(promptHash({ messages, assistantPrefix: "" })).not.toBe(hash);
    expect(promptHash({ messages: [{ role: "user", content: "other" }], assistantPrefix: "[[" })).not.toBe(
      hash,
    );
    store.close();
  });

  it("throws DisposedError after close, and close is idempotent", () => {
    const store = SampleStore.open(":memory:");
    store.close();
    store.close();
    expect(() => store.getSample(key(0))).toThrow(DisposedError);
  });
});

describe("SampleStore probabilities at the edges", () => {
  it("round-trips -Infinity (a verdict letter the model gives no mass)", () => {
    const store = SampleStore.open(":memory:");
    const k = probabilityKey("AB");
    store.putProbability(k, { logprobA: Number.NEGATIVE_INFINITY, logprobB: -0.01, promptTokens: 3 });
    expect(store.getProbability(k)?.logprobA).toBe(Number.NEGATIVE_INFINITY);
    store.close();
  });
});
