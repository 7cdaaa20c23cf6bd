/**
 * Tiny models from our GGUF writer, run through node-llama-cpp: they load, tokenize any text and
 * detokenize it back exactly, generate varied tokens, and carry a chat template llama.cpp applies.
 */
import os from "node:os";
import { getLlama, type Llama, type LlamaModel, resolveChatWrapper, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModelOnce } from "../helpers/tinyModel.js";

const threads = os.availableParallelism();
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, logLevel: "error" as never });
  const tiny = await tinyModelOnce({ hidden: 64, layers: 2, vocabSize: 512, seed: 1 });
  model = await llama.loadModel({ modelPath: tiny.path });
});

afterAll(async () => {
  await llama?.dispose();
});

async function sampleTokens(prompt: string, count: number, temperature: number): Promise<Token[]> {
  const context = await model.createContext({ contextSize: 256, threads });
  try {
    const out: Token[] = [];
    for await (const token of context
      .getSequence()
      .evaluate(model.tokenize(prompt), { temperature, seed: 7 })) {
      out.push(token);
      if (out.length >= count) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

describe("tiny GGUF in node-llama-cpp", () => {
  it("reports the shape it was written with", async () => {
    const { config } = await tinyModelOnce({ hidden: 64, layers: 2, vocabSize: 512, seed: 1 });
    expect(model.fileInfo.metadata.general.architecture).toBe("llama");
    expect(model.trainContextSize).toBe(config.contextLength);
    expect(model.embeddingVectorSize).toBe(64);
    expect(model.tokens.bos).toBe(config.tokens.bos);
    expect(model.tokens.eos).toBe(config.tokens.eos);
  });

  it.each([
    "[[A]]",
    "[[B]]",
    "Final verdict: [[A]]\n",
    "line one\nline two\r\n\ttabbed  double  spaces ",
    "  leading spaces and trailing\n\n",
    "unicode: héllo wörld, 你好, Ω≈ç√, emoji 🙂👍🏽",
    "<|im_start|> typed as plain text is not a control token",
    "numbers 3.14159 and 2024-01-01, symbols {}[]<>!?@#$%^&*()",
  ])("tokenizes and detokenizes %j exactly", (text) => {
    const tokens = model.tokenize(text);
    expect(model.detokenize(tokens)).toBe(text);
    expect(tokens).not.toContain(model.tokens.bos);
  });

  it("uses learned merges for verdict markers and common words", () => {
    const pieces = model.tokenize("Verdict: [[A]]").map((t) => model.detokenize([t]));
    expect(pieces).toContain(" [[");
    expect(pieces).toContain("]]");
    expect(model.tokenize(" the answer").length).toBeLessThan(" the answer".length / 2);
  });

  it("parses ChatML special tokens only when asked to", () => {
    const special = model.tokenize("<|im_start|>user\nhi<|im_end|>", true);
    expect(special[0]).toBe(1);
    expect(special.at(-1)).toBe(2);
    expect(model.tokenize("<|im_start|>", false).length).toBeGreaterThan(1);
    expect(model.isSpecialToken(2 as Token)).toBe(true);
  });

  it("generates varied tokens, sampled and greedy", async () => {
    const sampled = await sampleTokens("The answer is", 32, 1);
    const greedy = await sampleTokens("The answer is", 32, 0);
    expect(sampled).toHaveLength(32);
    // Random weights with too little logit spread collapse into one repeated token.
    expect(new Set(sampled).size).toBeGreaterThanOrEqual(12);
    expect(new Set(greedy).size).toBeGreaterThanOrEqual(4);
  });

  it("applies the ChatML chat template from the GGUF", () => {
    const wrapper = resolveChatWrapper(model);
    const { contextText } = wrapper.generateContextState({
      chatHistory: [
        { type: "system", text: "Be brief." },
        { type: "user", text: "Which is better?" },
        { type: "model", response: [] },
      ],
    });
    expect(contextText.toString()).toContain(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhich is better?<|im_end|>\n<|im_start|>assistant\n",
    );
  });
});
