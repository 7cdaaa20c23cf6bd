/**
 * The tiny-model builder without llama.cpp: config resolution, the tokenizer vocabulary, determinism,
 * and weights read back through our GGUF reader.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  buildByteBpeVocab,
  byteEncode,
  createTinyModel,
  openGguf,
  resolveTinyModelConfig,
} from "../../src/model/index.js";
import { fillUniform, streamSeed } from "../../src/model/tiny/weightNoise.js";
import { mulberry32 } from "../../src/random/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-tiny-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("resolveTinyModelConfig", () => {
  it("fills per-architecture defaults", () => {
    const llama = resolveTinyModelConfig();
    expect(llama).toMatchObject({
      arch: "llama",
      hidden: 64,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      ffn: 192,
    });
    expect(llama).toMatchObject({ ropeType: "norm", tiedEmbeddings: true, qkvBias: false, qkNorm: false });
    expect(resolveTinyModelConfig({ arch: "mistral" })).toMatchObject({
      ggufArchitecture: "llama",
      tiedEmbeddings: false,
      ropeTheta: 1e6,
    });
    expect(resolveTinyModelConfig({ arch: "qwen2" })).toMatchObject({ ropeType: "neox", qkvBias: true });
    expect(resolveTinyModelConfig({ arch: "qwen3" })).toMatchObject({ ropeType: "neox", qkNorm: true });
  });

  it("reports every bad field at once", () => {
    const error = (() => {
      try {
        resolveTinyModelConfig({ hidden: 60, heads: 8, kvHeads: 3, tensorType: "q8_0", vocabSize: 100 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join("\n");
    expect(issues).toMatch(/heads: must divide hidden \(60\)/);
    expect(issues).toMatch(/kvHeads: must divide heads \(8\)/);
    expect(issues).toMatch(/hidden: q8_0 needs a multiple of 32/);
    expect(issues).toMatch(/vocabSize: must be an integer >= 259, got 100/);
  });
});

describe("buildByteBpeVocab", () => {
  it.each([259, 512, 4096, 49152])("builds a consistent vocabulary of %i tokens", (size) => {
    const vocab = buildByteBpeVocab(size);
    expect(vocab.tokens).toHaveLength(size);
    expect(vocab.tokenTypes).toHaveLength(size);
    expect(new Set(vocab.tokens).size).toBe(size);
    expect(vocab.tokens.slice(0, 3)).toEqual(["<|endoftext|>", "<|im_start|>", "<|im_end|>"]);
    const ids = new Set(vocab.tokens);
    for (let b = 0; b < 256; b++) expect(ids.has(byteEncode(String.fromCharCode(b)).slice(-1))).toBe(true);
    // Every merge joins two existing tokens into another existing token: a valid BPE for llama.cpp.
    for (const merge of vocab.merges) {
      const [left, right] = merge.split(" ");
      expect(ids.has(left!) && ids.has(right!) && ids.has(left! + right!)).toBe(true);
    }
    expect(vocab.merges.length).toBe(size - 259);
  });

  it("learns verdict markers and common words from the corpus, deterministically", () => {
    const vocab = buildByteBpeVocab(512);
    expect(vocab.learnedMerges).toBeGreaterThan(200);
    for (const piece of ["[[", "]]", " the", " answer", " Assistant"])
      expect(vocab.tokens).toContain(byteEncode(piece));
    expect(buildByteBpeVocab(512)).toEqual(vocab);
    expect(buildByteBpeVocab(4096).tokens.slice(0, 512)).toEqual(vocab.tokens);
  });
});

describe("createTinyModel", () => {
  it("is deterministic in its seed and writes llama.cpp's keys with their types", async () => {
    const a = await createTinyModel({ path: join(dir, "a.gguf"), seed: 3 });
    const b = await createTinyModel({ path: join(dir, "b.gguf"), seed: 3 });
    const c = await createTinyModel({ path: join(dir, "c.gguf"), seed: 4 });
    const [bytesA, bytesB, bytesC] = await Promise.all([a, b, c].map((m) => readFile(m.path)));
    expect(Buffer.compare(bytesA!, bytesB!)).toBe(0);
    expect(bytesC!.length).toBe(bytesA!.length);
    expect(Buffer.compare(bytesA!, bytesC!)).not.toBe(0);
    const file = await openGguf(a.path);
    try {
      const m = file.metadata;
      expect(m.get("general.architecture")).toEqual({ type: "string", value: "llama" });
      expect(m.get("llama.rope.freq_base")).toEqual({ type: "float32", value: 10000 });
      expect(m.get("llama.attention.head_count_kv")).toEqual({ type: "uint32", value: 2 });
      expect(m.get("tokenizer.ggml.model")).toEqual({ type: "string", value: "gpt2" });
      expect(m.get("tokenizer.ggml.eos_token_id")).toEqual({ type: "uint32", value: 2 });
      expect(m.get("tokenizer.chat_template")?.value).toContain("<|im_start|>");
      expect(file.tensors).toHaveLength(1 + 2 * 9 + 1);
      expect(file.tensor("token_embd.weight")?.shape).toEqual([512, 64]);
      expect(file.tensor("blk.0.attn_k.weight")?.shape).toEqual([32, 64]);
      expect(file.tensor("blk.1.ffn_down.weight")?.shape).toEqual([64, 192]);
    } finally {
      await file.dispose();
    }
  });

  it("stores each tensor's own seeded stream, scaled by fan-in", async () => {
    const { path, config } = await createTinyModel({ path: join(dir, "w.gguf"), seed: 9, weightScale: 0.5 });
    const file = await openGguf(path);
    try {
      const q = await file.readTensor("blk.1.attn_q.weight");
      const expected = new Float32Array(q.length);
      fillUniform(expected, 0.5 / Math.sqrt(config.hidden), mulberry32(streamSeed(9, "blk.1.attn_q.weight")));
      expect(q).toEqual(expected);
      const std = Math.sqrt(q.reduce((s, x) => s + x * x, 0) / q.length);
      expect(std).toBeCloseTo(0.5 / Math.sqrt(config.hidden), 2);
      expect(await file.readTensor("blk.0.attn_norm.weight")).toEqual(new Float32Array(64).fill(1));
    } finally {
      await file.dispose();
    }
  });
});
