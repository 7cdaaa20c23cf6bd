/**
 * `genrm model tiny --vocab-from --arch --chat-template`: a random-weight model that carries a real
 * vocabulary (llama.cpp's Llama 2 SentencePiece vocab GGUF) and a builtin or file template.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runModelTiny } from "../../../src/cli/commands/model.js";
import { readGgufInfo } from "../../../src/model/gguf/index.js";
import { builtinChatTemplates, createTinyModel } from "../../../src/model/tiny/index.js";
import { llamaCppVocab } from "../../helpers/llamaCppVocab.js";

let dir: string;
let vocab: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-tiny-vocab-"));
  vocab = await llamaCppVocab("llama-spm");
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("genrm model tiny --vocab-from", () => {
  it("copies every tokenizer key with its type, sets V from it and writes the chosen template", async () => {
    const out = join(dir, "m.gguf");
    await runModelTiny({
      out,
      vocabFrom: vocab,
      arch: "mistral",
      chatTemplate: "mistral",
      hidden: 32,
      layers: 1,
      heads: 2,
    });
    const [model, source] = await Promise.all([readGgufInfo(out), readGgufInfo(vocab)]);
    for (const [key, value] of source.metadata) {
      if (key.startsWith("tokenizer.") && key !== "tokenizer.chat_template") {
        expect(model.metadata.get(key), key).toEqual(value);
      }
    }
    expect(model.metadata.get("tokenizer.chat_template")?.value).toBe(builtinChatTemplates.mistral);
    expect(model.metadata.get("llama.vocab_size")?.value).toBe(32000);
    expect(model.tensors.find((t) => t.name === "token_embd.weight")?.shape).toEqual([32000, 32]);
    // Mistral-style: untied output matrix.
    expect(model.tensors.some((t) => t.name === "output.weight")).toBe(true);
  });

  it("reads a template file, and refuses a vocabSize that is not the vocabulary's", async () => {
    const file = join(dir, "t.jinja");
    await writeFile(file, builtinChatTemplates.llama2);
    const out = join(dir, "f.gguf");
    await runModelTiny({ out, vocabFrom: vocab, chatTemplate: file, hidden: 32, layers: 1, heads: 2 });
    expect((await readGgufInfo(out)).metadata.get("tokenizer.chat_template")?.value).toBe(
      builtinChatTemplates.llama2,
    );
    await expect(
      createTinyModel({ path: out, vocabFrom: vocab, vocabSize: 512, hidden: 32, layers: 1, heads: 2 }),
    ).rejects.toThrow(/has 32000 tokens, got vocabSize 512/);
    await expect(runModelTiny({ out, chatTemplate: join(dir, "missing.jinja") })).rejects.toThrow(
      /neither a builtin name/,
    );
  });
});
