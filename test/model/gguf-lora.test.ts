/**
 * LoRA adapters from writeLoraAdapter load in node-llama-cpp and do what a LoRA should: a zero B
 * changes nothing, a random one moves the next-token distribution, and base + adapter computes the
 * same distribution as a merged model W + (alpha / r) B A written with our reader and writer. The
 * merged comparison pins the A/B orientation, including the transposed token_embd case.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GgufTensorSpec,
  type LoraTarget,
  openGguf,
  supportedTensorType,
  writeGguf,
  writeLoraAdapter,
} from "../../src/model/index.js";
import { type TinyModelResult, tinyModelOnce } from "../helpers/tinyModel.js";

const threads = os.availableParallelism();
const prompt = "Assistant A is more helpful, so the final verdict is";
let llama: Llama;
let tiny: TinyModelResult;
let model: LlamaModel;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), "genrm-lora-test-"));
  llama = await getLlama({ gpu: false, logLevel: "error" as never });
  tiny = await tinyModelOnce({ hidden: 64, layers: 2, vocabSize: 512, seed: 11, tiedEmbeddings: false });
  model = await llama.loadModel({ modelPath: tiny.path });
});
afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function nextTokenProbs(m: LlamaModel, adapterPath?: string): Promise<Float64Array> {
  const context = await m.createContext({
    contextSize: 128,
    threads,
    ...(adapterPath ? { lora: { adapters: [{ filePath: adapterPath }] } } : {}),
    // A rejected adapter is not a memory problem; retrying with smaller contexts only repeats the error.
    failedCreationRemedy: false,
  });
  try {
    const probs = new Float64Array(tiny.config.vocabSize);
    for await (const out of context
      .getSequence()
      .evaluateWithMetadata(m.tokenize(prompt), { probabilities: true }, { temperature: 0 })) {
      for (const [token, p] of out.probabilities) probs[token] = p;
      break;
    }
    return probs;
  } finally {
    await context.dispose();
  }
}

const maxAbsDiff = (a: Float64Array, b: Float64Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

function noise(n: number, std: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * Math.sqrt(3) * std;
  }
  return out;
}

/** Targets in PEFT convention: A (r, in), B (out, r). */
function loraTargets(rank: number, zeroB: boolean): LoraTarget[] {
  const { hidden: C, ffn: F, vocabSize: V, heads: H, kvHeads: Hkv, headDim: D } = tiny.config;
  const dims: [string, number, number][] = [
    ["blk.0.attn_q.weight", C, H * D],
    ["blk.1.attn_v.weight", C, Hkv * D],
    ["blk.1.ffn_down.weight", F, C],
    ["output.weight", C, V],
    ["token_embd.weight", V, C],
  ];
  return dims.map(([target, inFeatures, outFeatures], i) => ({
    target,
    inFeatures,
    outFeatures,
    rank,
    a: noise(rank * inFeatures, 1 / Math.sqrt(inFeatures), 100 + i),
    b: zeroB
      ? new Float32Array(outFeatures * rank)
      : noise(outFeatures * rank, 0.5 / Math.sqrt(rank), 200 + i),
  }));
}

/** Base weights plus (alpha / r) B A, every other tensor copied byte for byte. */
async function writeMerged(path: string, targets: LoraTarget[], alpha: number): Promise<void> {
  const base = await openGguf(tiny.path);
  try {
    const byTarget = new Map(targets.map((t) => [t.target, t]));
    const tensors: GgufTensorSpec[] = [];
    for (const info of base.tensors) {
      const type = supportedTensorType(info.typeId)!;
      const t = byTarget.get(info.name);
      if (!t) {
        tensors.push({
          name: info.name,
          shape: info.shape,
          type,
          data: await base.readTensorBytes(info.name),
        });
        continue;
      }
      const w = await base.readTensor(info.name);
      const scale = alpha / t.rank;
      const embedding = info.name === "token_embd.weight";
      // W is (out, in) for linear layers; token_embd is stored (V, C) = (in, out).
      for (let o = 0; o < t.outFeatures; o++) {
        for (let i = 0; i < t.inFeatures; i++) {
          let sum = 0;
          for (let k = 0; k < t.rank; k++) sum += t.b[o * t.rank + k]! * t.a[k * t.inFeatures + i]!;
          w[embedding ? i * t.outFeatures + o : o * t.inFeatures + i]! += scale * sum;
        }
      }
      tensors.push({ name: info.name, shape: info.shape, type, data: w });
    }
    await writeGguf(path, { metadata: base.metadata, tensors });
  } finally {
    await base.dispose();
  }
}

describe("LoRA adapter GGUF", () => {
  it("a zero-B adapter leaves the distribution unchanged", async () => {
    const path = join(dir, "zero.gguf");
    await writeLoraAdapter(path, { architecture: "llama", alpha: 8, targets: loraTargets(4, true) });
    const baseProbs = await nextTokenProbs(model);
    expect(maxAbsDiff(await nextTokenProbs(model, path), baseProbs)).toBeLessThan(1e-6);
  });

  it("a random adapter moves the distribution exactly as merging it into the weights does", async () => {
    const targets = loraTargets(4, false);
    const adapter = join(dir, "rand.gguf");
    const merged = join(dir, "merged.gguf");
    await writeLoraAdapter(adapter, { architecture: "llama", alpha: 8, targets });
    await writeMerged(merged, targets, 8);
    const baseProbs = await nextTokenProbs(model);
    const withAdapter = await nextTokenProbs(model, adapter);
    const mergedModel = await llama.loadModel({ modelPath: merged });
    try {
      const mergedProbs = await nextTokenProbs(mergedModel);
      expect(maxAbsDiff(withAdapter, baseProbs)).toBeGreaterThan(0.02);
      expect(maxAbsDiff(withAdapter, mergedProbs)).toBeLessThan(1e-3);
    } finally {
      await mergedModel.dispose();
    }
  });

  it("is rejected by llama.cpp for another architecture", async () => {
    const path = join(dir, "qwen.gguf");
    await writeLoraAdapter(path, { architecture: "qwen2", alpha: 8, targets: loraTargets(2, false) });
    await expect(nextTokenProbs(model, path)).rejects.toThrow();
  });

  it("checks A and B sizes before writing", async () => {
    const [t] = loraTargets(2, false);
    await expect(
      writeLoraAdapter(join(dir, "bad.gguf"), {
        architecture: "llama",
        targets: [{ ...t!, a: new Float32Array(3) }],
      }),
    ).rejects.toThrow(/targets\[0\]\.a.*rank x inFeatures/);
  });
});
