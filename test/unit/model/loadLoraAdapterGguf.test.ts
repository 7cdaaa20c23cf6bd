/**
 * Reading LoRA adapter GGUFs back onto a model: a base model with the exported adapter (attached or
 * merged) computes what the trained model computes, and what its merged export computes, for tied
 * and untied models; bad adapters are errors that name the file and field and leave the model as it
 * was.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError, NotFoundError, UnsupportedError } from "../../../src/errors.js";
import { exportLoraAdapterGguf, exportMergedGguf } from "../../../src/model/export/index.js";
import { type CausalLM, loadModel } from "../../../src/model/index.js";
import { applyLora, type LoraTargetName, removeLora } from "../../../src/model/lora/index.js";
import { loadLoraAdapterGguf } from "../../../src/model/lora/loadLoraAdapterGguf.js";
import { createRng } from "../../../src/tensor/index.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-lora-load-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tokens = Int32Array.from([1, 17, 42, 99, 250, 7, 3, 120, 64, 2]);

function logits(model: CausalLM): Float32Array {
  return model.forward(tokens, { batch: 1, seqLen: tokens.length }).data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A "trained" adapter: LoRA applied, B filled with noise (it starts at zero), alpha ≠ rank. */
async function trainedLora(path: string, targets?: LoraTargetName[]) {
  const model = await loadModel(path, { trainable: false });
  applyLora(model, { rank: 4, alpha: 6, seed: 3, ...(targets ? { targets } : {}) });
  const rng = createRng(11);
  for (const lin of model.linears()) {
    if (lin.lora === null) continue;
    const b = lin.lora.b.data;
    for (let i = 0; i < b.length; i++) b[i] = (rng.next() - 0.5) * 0.2;
  }
  return model;
}

describe("loadLoraAdapterGguf", () => {
  for (const arch of ["llama", "mistral"] as const) {
    it(`${arch}: base + adapter computes the trained model's and its merged export's logits`, async () => {
      const tiny = await tinyModelOnce({ arch, hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 });
      // mistral is untied, so the output projection can carry LoRA too.
      const targets: LoraTargetName[] | undefined =
        arch === "mistral" ? ["attn_q", "attn_v", "ffn_down", "output"] : undefined;
      const trained = await trainedLora(tiny.path, targets);
      const adapter = join(dir, `${arch}-adapter.gguf`);
      const merged = join(dir, `${arch}-merged.gguf`);
      await exportLoraAdapterGguf(trained, adapter);
      await exportMergedGguf(trained, merged);
      const expected = logits(trained);
      const fromMerged = logits(await loadModel(merged, { trainable: false }));

      const attached = await loadModel(tiny.path, { trainable: false });
      const result = await loadLoraAdapterGguf(attached, adapter);
      expect(result.alpha).toBe(6);
      expect(result.layers).toEqual(
        trained
          .linears()
          .filter((l) => l.lora !== null)
          .map((l) => l.name),
      );
      expect(attached.linears().filter((l) => l.lora !== null)).toHaveLength(result.layers.length);
      expect(attached.trainableParameters()).toHaveLength(0);
      expect(maxAbsDiff(logits(attached), fromMerged)).toBeLessThan(1e-4);
      expect(maxAbsDiff(logits(attached), expected)).toBeLessThan(1e-5);

      const folded = await loadModel(tiny.path, { trainable: false });
      await loadLoraAdapterGguf(folded, adapter, { mode: "merge" });
      expect(folded.linears().every((l) => l.lora === null)).toBe(true);
      expect(maxAbsDiff(logits(folded), fromMerged)).toBeLessThan(1e-4);

      // The base alone is measurably different: the test would catch an adapter that was not applied.
      removeLora(attached);
      expect(maxAbsDiff(logits(attached), fromMerged)).toBeGreaterThan(1e-2);
    });
  }

  it("reads F16 adapters", async () => {
    const tiny = await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 });
    const trained = await trainedLora(tiny.path);
    const adapter = join(dir, "f16-adapter.gguf");
    await exportLoraAdapterGguf(trained, adapter, { tensorType: "F16" });
    const model = await loadModel(tiny.path, { trainable: false });
    await loadLoraAdapterGguf(model, adapter);
    expect(maxAbsDiff(logits(model), logits(trained))).toBeLessThan(5e-2);
  });

  it("bad adapters name the file and field and leave the model untouched", async () => {
    const tiny = await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 });
    const wide = await tinyModelOnce({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 64 });
    const qwen = await tinyModelOnce({ arch: "qwen2", hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 });
    const adapter = join(dir, "plain-adapter.gguf");
    await exportLoraAdapterGguf(await trainedLora(tiny.path), adapter);
    const model = await loadModel(tiny.path, { trainable: false });
    const before = logits(model);

    await expect(loadLoraAdapterGguf(model, tiny.path)).rejects.toThrow(InputError);
    await expect(loadLoraAdapterGguf(model, tiny.path)).rejects.toThrow(/field "general.type"/);
    await expect(loadLoraAdapterGguf(model, join(dir, "nope.gguf"))).rejects.toThrow(NotFoundError);

    const wideModel = await loadModel(wide.path, { trainable: false });
    const err = await loadLoraAdapterGguf(wideModel, adapter).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(adapter);
    expect(err.message).toMatch(/field "blk\.0\.attn_q\.weight\.lora_a".*expected \(4, 64\), got \(4, 32\)/);
    expect(wideModel.linears().every((l) => l.lora === null)).toBe(true);

    const qwenModel = await loadModel(qwen.path, { trainable: false });
    await expect(loadLoraAdapterGguf(qwenModel, adapter)).rejects.toThrow(/general\.architecture/);

    // An adapter on the output projection cannot go onto a tied model.
    const mistral = await tinyModelOnce({
      arch: "mistral",
      hidden: 32,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      ffn: 64,
    });
    const outAdapter = join(dir, "output-adapter.gguf");
    await exportLoraAdapterGguf(await trainedLora(mistral.path, ["output"]), outAdapter);
    await expect(loadLoraAdapterGguf(model, outAdapter)).rejects.toThrow(UnsupportedError);

    expect(model.linears().every((l) => l.lora === null)).toBe(true);
    expect(maxAbsDiff(logits(model), before)).toBe(0);

    // Applying twice is refused rather than doubling the update.
    const copy = join(dir, "copy-adapter.gguf");
    await copyFile(adapter, copy);
    await loadLoraAdapterGguf(model, adapter);
    await expect(loadLoraAdapterGguf(model, copy)).rejects.toThrow(/already has a LoRA adapter/);
  });
});
