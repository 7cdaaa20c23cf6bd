/**
 * Every tiny-model architecture and tensor type loads and runs in node-llama-cpp, and the quantised
 * files compute nearly the same next-token distribution as the F32 file with the same seed.
 */
import os from "node:os";
import { getLlama, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TinyModelOptions, tinyModelOnce } from "../helpers/tinyModel.js";

const threads = os.availableParallelism();
let llama: Llama;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, logLevel: "error" as never });
});
afterAll(async () => {
  await llama?.dispose();
});

async function withModel<T>(options: TinyModelOptions, fn: (model: LlamaModel) => Promise<T>): Promise<T> {
  const tiny = await tinyModelOnce(options);
  const model = await llama.loadModel({ modelPath: tiny.path });
  try {
    return await fn(model);
  } finally {
    await model.dispose();
  }
}

async function nextTokenProbs(model: LlamaModel, prompt: string): Promise<Float64Array> {
  const context = await model.createContext({ contextSize: 128, threads });
  try {
    const probs = new Float64Array(base.vocabSize);
    for await (const out of context
      .getSequence()
      .evaluateWithMetadata(model.tokenize(prompt), { probabilities: true }, { temperature: 0 })) {
      for (const [token, p] of out.probabilities) probs[token] = p;
      break;
    }
    return probs;
  } finally {
    await context.dispose();
  }
}

async function generate(model: LlamaModel, prompt: string, count: number): Promise<Token[]> {
  const context = await model.createContext({ contextSize: 128, threads });
  try {
    const out: Token[] = [];
    for await (const token of context
      .getSequence()
      .evaluate(model.tokenize(prompt), { temperature: 0.8, seed: 3 })) {
      out.push(token);
      if (out.length >= count) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

const base = { hidden: 64, layers: 2, heads: 4, vocabSize: 512, seed: 5 } as const;

describe("tiny model architectures", () => {
  it.each([
    { arch: "llama", tiedEmbeddings: true, expected: "llama" },
    { arch: "llama", tiedEmbeddings: false, expected: "llama" },
    { arch: "mistral", tiedEmbeddings: false, expected: "llama" },
    { arch: "qwen2", tiedEmbeddings: true, expected: "qwen2" },
    { arch: "qwen2", tiedEmbeddings: false, expected: "qwen2" },
    { arch: "qwen3", tiedEmbeddings: true, expected: "qwen3" },
  ] as const)(
    "$arch (tied: $tiedEmbeddings) loads and generates",
    async ({ arch, tiedEmbeddings, expected }) => {
      await withModel({ ...base, arch, tiedEmbeddings }, async (model) => {
        expect(model.fileInfo.metadata.general.architecture).toBe(expected);
        const hasOutput = model.fileInfo.tensorInfo?.some((t) => t.name === "output.weight");
        expect(hasOutput).toBe(!tiedEmbeddings);
        const tokens = await generate(model, "Verdict: [[", 16);
        expect(new Set(tokens).size).toBeGreaterThanOrEqual(6);
        const text = "Which answer is better?\n[[B]]";
        expect(model.detokenize(model.tokenize(text))).toBe(text);
      });
    },
  );

  it("writes the architecture-specific tensors", async () => {
    const names = async (arch: "qwen2" | "qwen3") =>
      withModel({ ...base, arch }, async (model) => (model.fileInfo.tensorInfo ?? []).map((t) => t.name));
    expect(await names("qwen2")).toEqual(expect.arrayContaining(["blk.0.attn_q.bias", "blk.1.attn_v.bias"]));
    expect(await names("qwen3")).toEqual(
      expect.arrayContaining(["blk.0.attn_q_norm.weight", "blk.1.attn_k_norm.weight"]),
    );
  });
});

describe("tiny model tensor types", () => {
  it("F16, BF16 and Q8_0 files give nearly the F32 next-token distribution", async () => {
    const options = { ...base, hidden: 64, ffn: 192 };
    const prompt = "The first answer is correct, so the verdict is";
    const reference = await withModel({ ...options, tensorType: "f32" }, (m) => nextTokenProbs(m, prompt));
    const maxDiff: Record<string, number> = {};
    for (const tensorType of ["f16", "bf16", "q8_0"] as const) {
      const probs = await withModel({ ...options, tensorType }, (m) => nextTokenProbs(m, prompt));
      maxDiff[tensorType] = Math.max(...probs.map((p, i) => Math.abs(p - reference[i]!)));
    }
    const top = Math.max(...reference);
    expect(top).toBeGreaterThan(0.01);
    // Bounds follow each format's precision: F16 keeps 11 mantissa bits, Q8_0 ~8, BF16 8.
    expect(maxDiff.f16).toBeLessThan(0.01 * top + 1e-4);
    expect(maxDiff.q8_0).toBeLessThan(0.06 * top);
    expect(maxDiff.bf16).toBeLessThan(0.06 * top);
    expect(maxDiff.f16).toBeGreaterThan(0);
  });
});
