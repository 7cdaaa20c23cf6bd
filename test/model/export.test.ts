/**
 * Exports checked by llama.cpp itself: after training-like changes (LoRA factors made non-zero, a
 * base weight edited), our logits, node-llama-cpp on the merged GGUF, and node-llama-cpp on the base
 * GGUF plus our adapter GGUF must all agree. Also: a quantised model exported as F32 runs in
 * llama.cpp exactly like our dequantised weights (so dequantisation is exact), and the tokenizer and
 * chat template survive the export.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportLoraAdapterGguf, exportMergedGguf } from "../../src/model/export/index.js";
import { readGgufInfo } from "../../src/model/gguf/openGguf.js";
import { loadModel } from "../../src/model/loadModel.js";
import { applyLora, mergeLora } from "../../src/model/lora/index.js";
import { createRng, noGrad } from "../../src/tensor/index.js";
import { type TinyModelArch, tinyModelOnce } from "../helpers/tinyModel.js";
import { compareLogProbs, llamaCppLogProbs, oursLogProbs, sharedLlama } from "./parity-helpers.js";

const TEXT = "Which response is better? Final verdict: [[B]] since it is correct.";
let dir: string;
const opened: LlamaModel[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-export-"));
});

afterAll(async () => {
  for (const m of opened) await m.dispose();
  await (await sharedLlama()).dispose();
  await rm(dir, { recursive: true, force: true });
});

async function open(path: string): Promise<LlamaModel> {
  const m = await (await sharedLlama()).loadModel({ modelPath: path });
  opened.push(m);
  return m;
}

describe("LoRA export", () => {
  // Measured max |Δ log p| (ours vs merged, ours vs base+adapter): about 1e-5 for every arch.
  it.each(["llama", "mistral", "qwen2", "qwen3"] as const)(
    "%s: our logits = llama.cpp on the merged GGUF = llama.cpp on base + adapter",
    async (arch: TinyModelArch) => {
      const tiny = await tinyModelOnce({ arch, hidden: 64, layers: 2, vocabSize: 512, seed: 5 });
      const model = await loadModel(tiny.path);
      const base = await open(tiny.path);
      const tokens = base.tokenize(TEXT);
      const V = model.config.vocabSize;
      const before = oursLogProbs((t, o) => model.forward(t, o), tokens);

      const { layers, trainableParameters } = applyLora(model, { rank: 4, alpha: 8, seed: 1 });
      expect(layers).toHaveLength(7 * 2);
      expect(model.countParameters(true)).toBe(trainableParameters);
      expect(
        compareLogProbs(
          oursLogProbs((t, o) => model.forward(t, o), tokens),
          before,
        ).max,
      ).toBe(0);

      const rng = createRng(9);
      for (const l of layers) for (let i = 0; i < l.lora!.b.size; i++) l.lora!.b.data[i] = 0.1 * rng.normal();
      const ours = oursLogProbs((t, o) => model.forward(t, o), tokens);
      expect(compareLogProbs(ours, before).max).toBeGreaterThan(0.1);

      const mergedPath = join(dir, `${arch}-merged.gguf`);
      const adapterPath = join(dir, `${arch}-lora.gguf`);
      await exportMergedGguf(model, mergedPath, { tensorType: "F32" });
      await exportLoraAdapterGguf(model, adapterPath);
      const merged = await llamaCppLogProbs(await open(mergedPath), tokens, { vocabSize: V });
      const adapted = await llamaCppLogProbs(base, tokens, { vocabSize: V, lora: [adapterPath] });
      const dMerged = compareLogProbs(ours, merged);
      const dAdapter = compareLogProbs(ours, adapted);
      console.log(
        `export ${arch}: merged max ${dMerged.max.toExponential(2)}, adapter max ${dAdapter.max.toExponential(2)}`,
      );
      expect(dMerged.max).toBeLessThan(1e-4);
      expect(dAdapter.max).toBeLessThan(1e-4);

      const adapterInfo = await readGgufInfo(adapterPath);
      expect(adapterInfo.metadata.get("adapter.lora.alpha")?.value).toBe(8);
      expect(adapterInfo.tensors.find((t) => t.name === "blk.0.attn_q.weight.lora_a")?.shape).toEqual([
        4, 64,
      ]);

      mergeLora(model);
      expect(model.weights.layers[0]!.q.lora).toBeNull();
      expect(
        compareLogProbs(
          oursLogProbs((t, o) => model.forward(t, o), tokens),
          ours,
        ).max,
      ).toBeLessThan(1e-4);
    },
  );
});

describe("full-weight export", () => {
  it("llama.cpp sees an edited weight, and the tokenizer and chat template carry over", async () => {
    const tiny = await tinyModelOnce({ arch: "qwen2", hidden: 64, layers: 2, vocabSize: 512, seed: 6 });
    const model = await loadModel(tiny.path);
    const base = await open(tiny.path);
    const tokens = base.tokenize(TEXT);
    const V = model.config.vocabSize;
    const original = await llamaCppLogProbs(base, tokens, { vocabSize: V });

    const rng = createRng(3);
    const w = model.weights.layers[1]!.down.weight.data;
    for (let i = 0; i < w.length; i++) w[i]! += 0.05 * rng.normal();
    const bias = model.weights.layers[0]!.q.bias!.data;
    for (let i = 0; i < bias.length; i++) bias[i]! += 0.5;
    const ours = oursLogProbs((t, o) => model.forward(t, o), tokens);
    expect(compareLogProbs(ours, original).max).toBeGreaterThan(0.05);

    const path = join(dir, "edited.gguf");
    await exportMergedGguf(model, path, { name: "edited" });
    const edited = await open(path);
    const d = compareLogProbs(ours, await llamaCppLogProbs(edited, tokens, { vocabSize: V }));
    expect(d.max).toBeLessThan(1e-4);

    expect(edited.fileInfo.metadata.general.name).toBe("edited");
    expect(edited.fileInfo.metadata.tokenizer.chat_template).toBe(tiny.config.chatTemplate);
    expect([...edited.tokenize("<|im_start|>user\nhi", true)]).toEqual([
      ...base.tokenize("<|im_start|>user\nhi", true),
    ]);
    expect(edited.tokens.eot).toBe(base.tokens.eot);
  });

  it("a Q8_0 model exported as F32 runs in llama.cpp like our dequantised weights; as source type, like the original", async () => {
    const tiny = await tinyModelOnce({
      arch: "llama",
      tensorType: "q8_0",
      hidden: 64,
      layers: 2,
      vocabSize: 512,
      seed: 7,
    });
    const model = await loadModel(tiny.path, { trainable: false });
    const base = await open(tiny.path);
    const tokens = base.tokenize(TEXT);
    const V = model.config.vocabSize;

    const f32Path = join(dir, "q8-as-f32.gguf");
    await exportMergedGguf(model, f32Path, { tensorType: "F32" });
    const ours = oursLogProbs((t, o) => noGrad(() => model.forward(t, o)), tokens);
    expect(
      compareLogProbs(ours, await llamaCppLogProbs(await open(f32Path), tokens, { vocabSize: V })).max,
    ).toBeLessThan(1e-4);

    const q8Path = join(dir, "q8-again.gguf");
    await exportMergedGguf(model, q8Path);
    const info = await readGgufInfo(q8Path);
    expect(info.tensors.find((t) => t.name === "blk.0.attn_q.weight")?.typeName).toBe("Q8_0");
    expect(info.tensors.find((t) => t.name === "blk.0.attn_norm.weight")?.typeName).toBe("F32");
    const again = await llamaCppLogProbs(await open(q8Path), tokens, { vocabSize: V });
    const original = await llamaCppLogProbs(base, tokens, { vocabSize: V });
    expect(compareLogProbs(again, original).max).toBeLessThan(1e-5);
  });

  it("takes the tokenizer from another GGUF when asked", async () => {
    const a = await tinyModelOnce({ arch: "llama", hidden: 32, layers: 1, vocabSize: 300, seed: 1 });
    const b = await tinyModelOnce({
      arch: "llama",
      hidden: 32,
      layers: 1,
      vocabSize: 300,
      seed: 2,
      chatTemplate: "{% for m in messages %}{{ m['content'] }}{% endfor %}",
    });
    const model = await loadModel(a.path, { trainable: false });
    const path = join(dir, "retokenized.gguf");
    await exportMergedGguf(model, path, { tokenizerFrom: b.path });
    const info = await readGgufInfo(path);
    expect(info.metadata.get("tokenizer.chat_template")?.value).toBe(b.config.chatTemplate);
    expect(info.metadata.get("general.name")?.value).toBe(a.config.name);
  });
});
