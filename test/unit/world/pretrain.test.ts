/**
 * The mini world's base-model pipeline at toy size: the world tokenizer reads verdicts the way the
 * direct protocol does, and `pretrainWorldModel` trains a random-init model whose loss falls,
 * exports a GGUF that loads back (genrm's decoder and llama.cpp's tokenizer), and resumes.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderJudgePrompt } from "../../../src/judge/templates/renderJudgePrompt.js";
import { worldTemplates } from "../../../src/judge/templates/worldTemplates.js";
import { readGgufInfo } from "../../../src/model/gguf/openGguf.js";
import { loadModel } from "../../../src/model/loadModel.js";
import { PRE_TOKENIZERS } from "../../../src/model/tiny/byteBpeVocab.js";
import { loadTokenizer, type Tokenizer } from "../../../src/model/tokenizer/index.js";
import { generatePretrainCorpus } from "../../../src/world/generatePretrainCorpus.js";
import { generateWorld } from "../../../src/world/generateWorld.js";
import { pretrainWorldModel } from "../../../src/world/pretrain/pretrainWorldModel.js";
import { writeInitModel } from "../../../src/world/pretrain/writeInitModel.js";
import { buildWorldVocab } from "../../../src/world/tokenizer/buildWorldVocab.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-world-pretrain-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const toyModel = { hidden: 32, layers: 1, heads: 2, kvHeads: 1, ffn: 64, contextLength: 384 };

describe("world tokenizer", () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    const { rows } = generatePretrainCorpus({ seed: 0, size: 2000 });
    const vocab = buildWorldVocab(rows, { vocabSize: 512 });
    expect(vocab.tokens).toHaveLength(512);
    // The corpus's pieces need far fewer merges than the vocabulary allows: all of them are learned.
    expect(vocab.learnedMerges).toBeGreaterThan(150);
    const path = join(dir, "tok.gguf");
    await writeInitModel(path, { ...toyModel, ropeTheta: 10000, rmsEps: 1e-5, initStd: 0.02 }, vocab, 0);
    tok = await loadTokenizer(path);
  });
  afterAll(async () => {
    await tok?.dispose();
  });

  it("splits a verdict into [[, the letter and ]], as the direct read-out expects", () => {
    const piece = (t: number) => tok.detokenize([t]);
    for (const text of ["[[A]]", " [[B]]"]) {
      expect(tok.tokenize(text).map(piece)).toEqual(
        text.startsWith(" ") ? [" [[", "B", "]]"] : ["[[", "A", "]]"],
      );
    }
    const pair = generateWorld({ seed: 1, sizes: { train: 0, test: 1, "ood-length": 0, "ood-mixed": 0 } })
      .splits.test[0]!;
    const messages = renderJudgePrompt(worldTemplates.direct, pair, "AB");
    const forced = tok.renderChat(messages, { assistantPrefix: "[[" });
    const open = tok.renderChat(messages);
    expect(forced.slice(0, open.length)).toEqual(open);
    // The forced prefix is one token, the same one a corpus verdict "[[A]]" starts with, so the next
    // token is the letter the engine reads.
    expect(forced.slice(open.length)).toEqual([tok.tokenize("[[A]]")[0]]);
    expect(tok.tokenize("A")).toHaveLength(1);
    expect(tok.tokenize("B")).toHaveLength(1);
  });

  it("makes a judge transcript short and round-trips it exactly", () => {
    const text = "3+4=7. 7+2=9. 9+5=14. A says 14. B says 13. A is right. [[A]]";
    const ids = tok.tokenize(text);
    expect(tok.detokenize(ids)).toBe(text);
    // Every GPT-2 pre-tokenizer piece of the transcript (number, operator, word) is one token:
    // llama.cpp splits the text as the merges were learned.
    const pieces = text.match(PRE_TOKENIZERS["gpt-2"]) ?? [];
    expect(ids.map((t) => tok.detokenize([t]))).toEqual(pieces);
    const pair = generateWorld({ seed: 1, sizes: { train: 0, test: 1, "ood-length": 0, "ood-mixed": 0 } })
      .splits.test[0]!;
    const prompt = tok.renderChat(renderJudgePrompt(worldTemplates.cot, pair, "AB"));
    expect(prompt.length).toBeLessThan(90);
  });
});

describe("world tokenizer under Llama 3's pre-tokenizer (option pre: llama-bpe)", () => {
  it("makes a number one token wherever it appears, as llama.cpp splits it", async () => {
    const { rows } = generatePretrainCorpus({ seed: 0, size: 2000 });
    const vocab = buildWorldVocab(rows, { pre: "llama-bpe" });
    expect(vocab.pre).toBe("llama-bpe");
    const path = join(dir, "tok-llama.gguf");
    await writeInitModel(path, { ...toyModel, ropeTheta: 10000, rmsEps: 1e-5, initStd: 0.02 }, vocab, 0);
    const llamaTok = await loadTokenizer(path);
    try {
      const text = "3+4=7. 7+2=9. 9+5=14. A says 14. B says 13. A is right. [[A]]";
      const ids = llamaTok.tokenize(text);
      expect(ids.map((t) => llamaTok.detokenize([t]))).toEqual(text.match(PRE_TOKENIZERS["llama-bpe"]));
      const fourteen = llamaTok.tokenize("14");
      expect(fourteen).toHaveLength(1);
      // The step's result and the quote are the same id (under GPT-2's pieces, `14` and ` 14`).
      expect(ids.filter((t) => t === fourteen[0])).toHaveLength(2);
      expect(llamaTok.tokenize(" 14")).toEqual([...llamaTok.tokenize(" "), ...fourteen]);
    } finally {
      await llamaTok.dispose();
    }
  });
});

describe("pretrainWorldModel (toy size)", () => {
  it("trains from scratch, exports a GGUF that loads, and resumes from its checkpoint", async () => {
    const out = join(dir, "toy.gguf");
    const runDir = join(dir, "toy.run");
    const common = {
      seed: 3,
      out,
      runDir,
      corpus: { size: 96 },
      model: toyModel,
      train: { epochs: 2, batchSize: 8, lr: 1e-2, warmupRatio: 0.1, saveEvery: 10 },
    };
    const first = await pretrainWorldModel({ ...common, tensorType: "F32" });
    expect(first.stopReason).toBe("completed");
    expect(first.totalSteps).toBe(24);
    const losses = first.history.map((e) => e.loss);
    const head = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const tail = losses.slice(-3).reduce((a, b) => a + b) / 3;
    // ln(512) ≈ 6.24 at init; a 1-layer model picks up the template and digits within 24 steps.
    expect(head).toBeGreaterThan(5);
    expect(tail).toBeLessThan(head - 1.5);

    const gguf = await readGgufInfo(out);
    expect(gguf.metadata.get("general.architecture")?.value).toBe("llama");
    expect(gguf.metadata.get("tokenizer.chat_template")?.value).toContain("<|im_start|>");
    const model = await loadModel(out, { trainable: false });
    expect(model.config.vocabSize).toBe(512);
    expect(model.config.hidden).toBe(32);

    // Resume: the run directory holds the last checkpoint, so a resumed run has nothing left to do.
    expect((await readdir(join(runDir, "checkpoints"))).some((f) => f.endsWith(".ckpt"))).toBe(true);
    const again = await pretrainWorldModel({ ...common, resume: true, tensorType: "F32" });
    expect(again.resumedFrom).toBe(24);
    expect(again.history).toHaveLength(0);
    // The run's token count and time come from its metrics file, so they survive the resume.
    expect(first.trainTokens).toBe(2 * first.corpusTokens);
    expect(again.trainTokens).toBe(first.trainTokens);
    expect(again.trainSeconds).toBeCloseTo(first.trainSeconds, 6);
  });
});
