/**
 * Bring-your-own-model matrix (issue 15): random-weight models that carry the real vocabularies of
 * llama.cpp's `models/ggml-vocab-*.gguf` (from the source node-llama-cpp bundles) and their family's
 * real chat template, each judged and trained exactly as llama-server serves it:
 *
 * - the embedded engine's prompt ids (judge prompt with the forced `[[`, and without) equal
 *   llama-server's `/apply-template` (the prefix as a prefilled assistant message) + `/tokenize`;
 * - the trainer's verdict tokens are the engine's: our forward pass's log-probability of the
 *   trainer's letter tokens equals what the engine reads for "A" / "B" (within 1e-3: the engine's
 *   context keeps an F16 KV cache), and they detokenize to the bare letters;
 * - our forward pass matches llama.cpp's log-probabilities at every position of the judge prompt;
 * - SFT and DPO rows put exactly the assistant reply (and end-of-turn) in the loss span;
 * - a merged export of the model reloads with the same tokenizer and the same log-probabilities;
 * - `genrm train --method genrm` on labels that always say B, then `genrm eval --protocol direct`,
 *   goes from at most 50% to 100% through the merged model and the LoRA adapter (Llama 2 SPM).
 *
 * llama-server runs with one thread; each model is 32 wide, 1 layer.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreferencePair } from "../../src/data/types.js";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import { openLlamaCppEngine } from "../../src/engine/llamacpp/index.js";
import { defaultVerdictPrefix } from "../../src/judge/readVerdictProbabilities.js";
import { cotPairV2, directPairV2 } from "../../src/judge/templates/builtinTemplates.js";
import { renderJudgePrompt } from "../../src/judge/templates/renderJudgePrompt.js";
import type { Judgment } from "../../src/judge/types.js";
import { exportMergedGguf } from "../../src/model/export/index.js";
import { loadModel } from "../../src/model/loadModel.js";
import { builtinChatTemplates, createTinyModel, type TinyModelArch } from "../../src/model/tiny/index.js";
import { loadTokenizer } from "../../src/model/tokenizer/index.js";
import { encodeExamples, openTrainTokenizer, parseTrainRow } from "../../src/train/data/index.js";
import type { ChatMessage, PairId } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { llamaCppTemplate, llamaCppVocab } from "../helpers/llamaCppVocab.js";
import { startLlamaServer } from "../helpers/llamaServer.js";
import { compareLogProbs, llamaCppLogProbs, oursLogProbs, sharedLlama } from "./parity-helpers.js";

interface VocabCase {
  /** Row name. */
  name: string;
  /** `models/ggml-vocab-<vocab>.gguf`. */
  vocab: string;
  arch: TinyModelArch;
  /** A builtin template name, or a llama.cpp `models/templates/<name>.jinja`. */
  template: { builtin: keyof typeof builtinChatTemplates } | { llamaCpp: string };
}

// Every vocab GGUF genrm's architectures (llama, mistral, qwen2, qwen3) can carry with a chat
// template of its family. Left out: BERT / T5 / command-r / gemma-4 / falcon / mpt / starcoder /
// gpt-2 / gpt-neox / refact vocabularies (other architectures or no chat model), aquila / baichuan /
// deepseek (no template of theirs in the bundle).
const cases: VocabCase[] = [
  { name: "llama-spm (Llama 2)", vocab: "llama-spm", arch: "llama", template: { builtin: "llama2" } },
  { name: "llama-spm (Mistral v0.1)", vocab: "llama-spm", arch: "mistral", template: { builtin: "mistral" } },
  {
    name: "llama-bpe (Llama 3.1)",
    vocab: "llama-bpe",
    arch: "llama",
    template: { llamaCpp: "meta-llama-Llama-3.1-8B-Instruct" },
  },
  {
    name: "qwen2 (Qwen2.5)",
    vocab: "qwen2",
    arch: "qwen2",
    template: { llamaCpp: "Qwen-Qwen2.5-7B-Instruct" },
  },
  // Qwen3's own template is left out: llama-server opens a prefilled assistant turn of a reasoning
  // template with an empty `<think>\n\n</think>\n\n` (its autoparser's reasoning markers), which
  // genrm does not reproduce yet.
  {
    name: "qwen35 (Qwen3 arch)",
    vocab: "qwen35",
    arch: "qwen3",
    template: { llamaCpp: "Qwen-Qwen2.5-7B-Instruct" },
  },
  {
    name: "phi-3 (Phi-3.5)",
    vocab: "phi-3",
    arch: "llama",
    template: { llamaCpp: "microsoft-Phi-3.5-mini-instruct" },
  },
];

const pair: PreferencePair = {
  id: "p1" as PairId,
  prompt: [{ role: "user", content: "Name two ocean animals, please." }],
  responseA: "Dolphin and shark.",
  responseB: "Sharks, whales and dolphins — all of them live in the sea.",
  label: "A",
};

let dir: string;
const loaded: LlamaModel[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-vocab-matrix-"));
});
afterAll(async () => {
  for (const m of loaded) await m.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function buildModel(c: VocabCase, path: string) {
  const chatTemplate =
    "builtin" in c.template
      ? builtinChatTemplates[c.template.builtin]
      : await readFile(await llamaCppTemplate(c.template.llamaCpp), "utf8");
  return createTinyModel({
    path,
    vocabFrom: await llamaCppVocab(c.vocab),
    chatTemplate,
    arch: c.arch,
    hidden: 32,
    layers: 1,
    heads: 2,
    kvHeads: 1,
    ffn: 64,
    seed: 7,
  });
}

async function post<T>(port: number, path: string, body: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** llama-server's prompt ids for messages, a forced prefix sent as a prefilled assistant message. */
async function serverPromptIds(port: number, messages: ChatMessage[], prefix: string) {
  const body = prefix
    ? {
        messages: [...messages, { role: "assistant", content: prefix }],
        continue_final_message: true,
        add_generation_prompt: false,
      }
    : { messages, add_generation_prompt: true };
  const { prompt } = await post<{ prompt: string }>(port, "/apply-template", body);
  const { tokens } = await post<{ tokens: number[] }>(port, "/tokenize", {
    content: prompt,
    add_special: true,
    parse_special: true,
  });
  return { prompt, tokens };
}

describe.each(cases)("$name", (c) => {
  it("prompts, verdict tokens, loss masks, export and forward pass agree with llama.cpp", async () => {
    const path = join(dir, `${c.vocab}-${c.arch}.gguf`);
    const tiny = await buildModel(c, path);
    const direct = renderJudgePrompt(directPairV2, pair, "AB");
    const cot = renderJudgePrompt(cotPairV2, pair, "BA");
    const prefix = directPairV2.assistantPrefix ?? defaultVerdictPrefix;

    // 1. Prompt ids: embedded engine == llama-server, with and without the forced prefix.
    const server = await startLlamaServer({ model: path, threads: 1, parallel: 1, contextSize: 2048 });
    const engine = await openLlamaCppEngine({ modelPath: path, threads: 1, contextSize: 2048 });
    let directIds: number[];
    let readout: Record<string, number>;
    try {
      for (const [messages, p] of [
        [direct, prefix],
        [cot, ""],
      ] as const) {
        const theirs = await serverPromptIds(server.port, messages, p);
        const ours = await engine.formatPrompt(messages, p);
        expect(ours, `${c.name}: prompt ids vs llama-server (prefix ${JSON.stringify(p)})`).toEqual(
          theirs.tokens,
        );
      }
      directIds = await engine.formatPrompt(direct, prefix);
      readout = (
        await engine.tokenProbabilities({ messages: direct, assistantPrefix: prefix, candidates: ["A", "B"] })
      ).logprobs;
    } finally {
      await engine.dispose();
      await server.stop();
    }

    // 2. The trainer's verdict tokens and prompt are the engine's.
    const trainTok = await openTrainTokenizer(path);
    const verdict = trainTok.encodeVerdict(direct, prefix, ["A", "B"]);
    expect(verdict.prompt).toEqual(directIds);
    const tok = await loadTokenizer(path);
    for (const [i, letter] of ["A", "B"].entries()) {
      expect(tok.detokenize([verdict.letters[i]!]), `${c.name}: verdict token text`).toBe(letter);
    }

    // 3. Our forward pass vs llama.cpp at every position of prompt + verdict, and at the read-out.
    const ours = await loadModel(path, { trainable: false });
    const sequence = [...directIds, verdict.letters[0]!];
    const V = ours.config.vocabSize;
    // On 128k–152k vocabularies every 8th position and the last 16 (the forced prefix, the read-out):
    // a full-vocabulary row costs node-llama-cpp a sorted 150k-entry map per position.
    const positions =
      V > 64_000
        ? sequence.map((_, t) => t).filter((t) => t % 8 === 0 || t >= sequence.length - 16)
        : undefined;
    const oursRows = oursLogProbs((t, o) => ours.forward(t, o), sequence, positions);
    const llama = await sharedLlama();
    const ref = await llama.loadModel({ modelPath: path });
    loaded.push(ref);
    const theirsRows = await llamaCppLogProbs(ref, sequence, {
      vocabSize: V,
      ...(positions ? { positions } : {}),
    });
    const diff = compareLogProbs(oursRows, theirsRows);
    // The same difference with each row's mean shift removed: what is left once llama.cpp's float32
    // softmax normaliser (summed over V in float32 by node-llama-cpp's sampler) is set aside.
    let shape = 0;
    oursRows.forEach((row, t) => {
      const d: number[] = [];
      row.forEach((v, i) => {
        const r = theirsRows[t]![i]!;
        if (Number.isFinite(r)) d.push(v - r);
      });
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      for (const x of d) shape = Math.max(shape, Math.abs(x - mean));
    });
    const last = oursRows[positions ? positions.indexOf(directIds.length - 1) : directIds.length - 1]!;
    const readDiff = Math.max(
      Math.abs(last[verdict.letters[0]!]! - readout.A!),
      Math.abs(last[verdict.letters[1]!]! - readout.B!),
    );
    console.log(
      `vocab-matrix ${c.name}: V ${V}, prompt ${directIds.length} tokens equal to llama-server; ` +
        `verdict tokens ${verdict.letters.join("/")}; max |Δ log p| ${diff.max.toExponential(2)} ` +
        `(mean ${diff.mean.toExponential(2)}, row shift removed ${shape.toExponential(2)}), read-out Δ ${readDiff.toExponential(2)}`,
    );
    // The engine reads with its own context (F16 KV cache): ~2e-4 from our F32 pass, where a
    // different token would be off by whole nats.
    expect(readDiff).toBeLessThan(5e-3);
    // Measured max |Δ log p|: 2e-5 on the 32k vocabularies; 2.4e-4 on Qwen2's 151,936 tokens, where
    // the row-shift-free difference stays below 1e-4.
    expect(shape).toBeLessThan(1e-4);
    expect(diff.max).toBeLessThan(1e-3);

    // 4. SFT and DPO rows: the loss span is exactly the reply and the end-of-turn token.
    const ref0 = { file: "rows.jsonl", line: 1 };
    const reply = "Dolphins, sharks and whales.";
    const sft = encodeExamples(
      [parseTrainRow({ messages: [...pair.prompt, { role: "assistant", content: reply }] }, ref0)],
      "sft",
      trainTok,
    ).examples[0]!;
    const dpo = encodeExamples(
      [parseTrainRow({ prompt: pair.prompt, chosen: reply, rejected: "No idea." }, ref0)],
      "dpo",
      trainTok,
    ).examples[0]!;
    const promptIds = trainTok.encodePrompt(pair.prompt);
    if (sft.kind !== "sequence" || dpo.kind !== "preference") throw new Error("unexpected example kinds");
    for (const [seq, text] of [
      [sft.seq, reply],
      [dpo.chosen, reply],
      [dpo.rejected, "No idea."],
    ] as const) {
      expect(Array.from(seq.tokens.subarray(0, seq.completionStart))).toEqual(promptIds);
      const span = Array.from(seq.tokens.subarray(seq.completionStart));
      expect(span.at(-1)).toBe(tok.endOfTurn);
      expect(tok.detokenize(span.slice(0, -1), { specialTokens: false })).toBe(text);
    }

    // 5. Export and reload: the merged GGUF keeps the tokenizer, template and log-probabilities.
    const exported = join(dir, `${c.vocab}-${c.arch}-export.gguf`);
    await exportMergedGguf(ours, exported);
    const reTok = await openTrainTokenizer(exported);
    expect(reTok.encodeVerdict(direct, prefix, ["A", "B"])).toEqual(verdict);
    const reloaded = await loadModel(exported, { trainable: false });
    const again = compareLogProbs(
      oursLogProbs((t, o) => reloaded.forward(t, o), sequence, positions),
      oursRows,
    );
    expect(again.max).toBe(0);
    await Promise.all([trainTok.dispose(), tok.dispose(), reTok.dispose()]);
    expect(tiny.config.vocabSize).toBe(V);
  }, 240_000);
});

/** Labels always B; the better (longer) answer is always in B's slot, shown in both orders. */
const alwaysB: PreferencePair[] = Array.from({ length: 16 }, (_, i) => {
  const topic = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat"][i % 8]!;
  return {
    id: `b-${i}` as PairId,
    prompt: [{ role: "user", content: `Tell me about the ${topic}.` }],
    responseA: `A ${topic}.`,
    responseB: `The ${topic} is big and kind, and it likes to play in the park all day.`,
    label: "B",
  };
});

describe.each(cases.filter((c) => c.vocab === "llama-spm" && c.arch === "llama"))(
  "genrm train --method genrm then genrm eval --protocol direct on $name",
  (c) => {
    it("moves direct accuracy from at most 50% to 100% through the merged model and the adapter", async () => {
      const base = join(dir, "repro-base.gguf");
      await buildModel(c, base);
      const data = join(dir, "always-b.jsonl");
      await writePairsJsonl(alwaysB, data);
      const evalDirect = async (name: string, modelArgs: string[]) => {
        const out = join(dir, `repro-${name}`);
        const r = await runCli([
          "eval",
          ...["--data", data, ...modelArgs, "--protocol", "direct", "--order", "both", "--out", out],
          ...["--store", join(dir, "repro-store.db"), "--threads", "1", "--progress", "silent", "--json"],
        ]);
        expect(r.code, r.stderr).toBe(0);
        const judgments = (await readFile(join(out, "judgments.jsonl"), "utf8"))
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Judgment);
        return {
          accuracy: (JSON.parse(r.stdout) as { accuracy: { accuracy: number } }).accuracy.accuracy,
          judgments,
        };
      };
      const before = await evalDirect("base", ["--model", base]);
      const run = join(dir, "repro-run");
      const trained = await runCli([
        "train",
        ...["--method", "genrm", "--model", base, "--data", data, "--out", run, "--merge"],
        ...["--lr", "2e-2", "--max-steps", "40", "--batch-size", "8", "--warmup", "0"],
        ...["--lora-rank", "8", "--progress", "silent", "--json"],
      ]);
      expect(trained.code, trained.stderr).toBe(0);
      const artifacts = JSON.parse(trained.stdout).artifacts as { adapter: string; model: string };
      const merged = await evalDirect("merged", ["--model", artifacts.model]);
      const adapter = await evalDirect("adapter", ["--model", base, "--lora", artifacts.adapter]);
      console.log(
        `vocab-matrix repro ${c.name}: direct accuracy base ${before.accuracy}, merged ${merged.accuracy}, adapter ${adapter.accuracy}`,
      );
      expect(before.accuracy).toBeLessThanOrEqual(0.5);
      expect(merged.accuracy).toBe(1);
      expect(adapter.accuracy).toBe(1);
    }, 420_000);
  },
);
