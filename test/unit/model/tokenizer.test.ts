/**
 * The training tokenizer on a tiny GGUF: llama.cpp's tokens, the GGUF's chat template, and a
 * prompt/completion boundary that matches rendering the whole turn at once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { getLlama, type Llama, type LlamaModel, resolveChatWrapper } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError } from "../../../src/errors.js";
import { ggufValue } from "../../../src/model/gguf/ggufValue.js";
import { openGguf } from "../../../src/model/gguf/openGguf.js";
import { writeGguf } from "../../../src/model/gguf/writeGguf.js";
import { loadTokenizer, type Tokenizer } from "../../../src/model/tokenizer/index.js";
import type { ChatMessage } from "../../../src/types.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";

let llama: Llama;
let ref: LlamaModel;
let tok: Tokenizer;
let config: Awaited<ReturnType<typeof tinyModelOnce>>["config"];

beforeAll(async () => {
  const tiny = await tinyModelOnce({ hidden: 32, layers: 1, vocabSize: 400, seed: 2 });
  config = tiny.config;
  llama = await getLlama({ gpu: false, logLevel: "error" as never });
  ref = await llama.loadModel({ modelPath: tiny.path, vocabOnly: true });
  tok = await loadTokenizer(tiny.path, { llama });
});

afterAll(async () => {
  await tok?.dispose();
  await llama?.dispose();
});

const chat: ChatMessage[] = [
  { role: "system", content: "You judge answers." },
  { role: "user", content: "Which is better, A or B?" },
];

describe("loadTokenizer", () => {
  it("reports the GGUF's special tokens and vocabulary", () => {
    expect(tok.vocabSize).toBe(400);
    expect(tok.bos).toBe(config.tokens.bos);
    expect(tok.eos).toBe(config.tokens.eos);
    expect(tok.eot).toBe(config.tokens.eot);
    expect(tok.endOfTurn).toBe(config.tokens.imEnd);
    expect(tok.addBos).toBe(false);
    expect(tok.chatFormat).toBe("jinja");
    expect(tok.isSpecialToken(config.tokens.imStart)).toBe(true);
  });

  it.each(["Final verdict: [[A]]", " leading space\n\ttab", "unicode héllo 你好 🙂"])(
    "tokenizes %j as llama.cpp does and back",
    (text) => {
      const tokens = tok.tokenize(text);
      expect(tokens).toEqual([...ref.tokenize(text)]);
      expect(tok.detokenize(tokens)).toBe(text);
      expect(tokens.every((t) => t >= 0 && t < tok.vocabSize)).toBe(true);
    },
  );

  it("parses special-token text only when asked", () => {
    expect(tok.tokenize("<|im_end|>", { specialTokens: true })).toEqual([config.tokens.imEnd]);
    expect(tok.tokenize("<|im_end|>").length).toBeGreaterThan(1);
    expect(tok.detokenize([config.tokens.imEnd])).toBe("<|im_end|>");
  });

  it("renders chats with the GGUF's ChatML template, as node-llama-cpp's Jinja wrapper does", () => {
    const tokens = tok.renderChat(chat);
    expect(tok.detokenize(tokens)).toBe(
      "<|im_start|>system\nYou judge answers.<|im_end|>\n<|im_start|>user\nWhich is better, A or B?<|im_end|>\n<|im_start|>assistant\n",
    );
    const wrapper = resolveChatWrapper(ref, { type: "jinjaTemplate", warningLogs: false })!;
    const { contextText } = wrapper.generateContextState({
      chatHistory: [
        { type: "system", text: chat[0]!.content },
        { type: "user", text: chat[1]!.content },
        { type: "model", response: [] },
      ],
    });
    expect(tokens).toEqual([...contextText.tokenize(ref.tokenizer)]);
    const closed = tok.renderChat(chat, { addGenerationPrompt: false });
    expect(tok.detokenize(closed)).not.toContain("assistant");
    expect(tokens.slice(0, closed.length)).toEqual(closed);
  });

  it("appends an assistant prefix after the unchanged prompt", () => {
    const plain = tok.renderChat(chat);
    const prefixed = tok.renderChat(chat, { assistantPrefix: "[[" });
    expect(prefixed.slice(0, plain.length)).toEqual(plain);
    expect(prefixed.slice(plain.length)).toEqual(tok.tokenize("[["));
  });

  it.each(["[[A]]", " B is better", "\nBecause A is right.", "Sure! Here:\n\n1. x"])(
    "splits prompt and completion %j exactly as one rendered turn",
    (completion) => {
      const { tokens, promptLength } = tok.renderCompletion(chat, completion);
      expect(tokens.slice(0, promptLength)).toEqual(tok.renderChat(chat));
      expect(tokens.at(-1)).toBe(tok.endOfTurn);
      // The template renders a final assistant message as a closed turn (`<|im_end|>\n`), as
      // llama-server does; the training sequence is that turn up to its end-of-turn token.
      const whole = tok.renderChat([...chat, { role: "assistant", content: completion }], {
        addGenerationPrompt: false,
      });
      expect(whole.slice(0, tokens.length)).toEqual(tokens);
      expect(tok.detokenize(tokens.slice(promptLength))).toBe(`${completion}<|im_end|>`);
    },
  );

  it("puts BOS first when the vocabulary asks for it (add_bos_token), once", async () => {
    const tiny = await tinyModelOnce({ hidden: 32, layers: 1, vocabSize: 400, seed: 2 });
    const info = await openGguf(tiny.path);
    const path = join(await mkdtemp(join(tmpdir(), "genrm-tok-")), "bos.gguf");
    try {
      const metadata = new Map(info.metadata);
      metadata.set("tokenizer.ggml.add_bos_token", ggufValue.bool(true));
      const tensors = await Promise.all(
        info.tensors.map(async (t) => ({
          name: t.name,
          shape: t.shape,
          type: t.typeName as "F32",
          data: await info.readTensorBytes(t.name),
        })),
      );
      await writeGguf(path, { metadata, tensors });
    } finally {
      await info.dispose();
    }
    const bosTok = await loadTokenizer(path, { llama });
    try {
      expect(bosTok.addBos).toBe(true);
      const bos = bosTok.bos!;
      expect(bosTok.tokenize("hi")[0]).not.toBe(bos);
      expect(bosTok.tokenize("hi", { addBos: true })).toEqual([bos, ...bosTok.tokenize("hi")]);
      const prompt = bosTok.renderChat(chat);
      expect(prompt).toEqual([bos, ...tok.renderChat(chat)]);
      expect(prompt.filter((t) => t === bos)).toHaveLength(1);
      const { tokens, promptLength } = bosTok.renderCompletion(chat, "[[A]]");
      expect(promptLength).toBe(prompt.length);
      expect(tokens.slice(0, promptLength)).toEqual(prompt);
    } finally {
      await bosTok.dispose();
      await rm(dirname(path), { recursive: true, force: true });
    }
  });

  it("throws DisposedError after dispose", async () => {
    const tiny = await tinyModelOnce({ hidden: 32, layers: 1, vocabSize: 400, seed: 2 });
    const t = await loadTokenizer(tiny.path, { llama });
    await t.dispose();
    await t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.tokenize("x")).toThrow(DisposedError);
  });
});
