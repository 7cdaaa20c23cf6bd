/**
 * Our decoder against llama.cpp on the same GGUF and tokens: next-token log-probs at every position
 * of a sequence, for each architecture (llama, Mistral-style untied llama, qwen2, qwen3) and weight
 * storage type. F32 weights must agree to float rounding. For F16/BF16/Q8_0, llama.cpp's CPU kernels
 * also round the activations to the weight's type before each dot product (ggml `vec_dot_f16`,
 * `vec_dot_q8_0_q8_0`), which we do not, so the gap is that rounding, not a different model; the
 * dequantisation itself is checked exactly in export.test.ts (quantised model -> F32 GGUF ->
 * llama.cpp).
 */
import type { LlamaModel } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../src/model/loadModel.js";
import { noGrad } from "../../src/tensor/index.js";
import { type TinyModelArch, type TinyTensorType, tinyModelOnce } from "../helpers/tinyModel.js";
import {
  compareLogProbs,
  llamaCppLogProbs,
  logSoftmaxRows,
  oursLogProbs,
  sharedLlama,
} from "./parity-helpers.js";

const TEXT = "Which response is better? Final verdict: [[A]] because it answers the question.";
const loaded: LlamaModel[] = [];

afterAll(async () => {
  for (const m of loaded) await m.dispose();
  await (await sharedLlama()).dispose();
});

async function setup(arch: TinyModelArch, tensorType: TinyTensorType) {
  const tiny = await tinyModelOnce({ arch, tensorType, hidden: 64, layers: 2, vocabSize: 512, seed: 3 });
  const llama = await sharedLlama();
  const ref = await llama.loadModel({ modelPath: tiny.path });
  loaded.push(ref);
  const ours = await loadModel(tiny.path, { trainable: false });
  return { tiny, ref, ours };
}

describe("forward parity with llama.cpp", () => {
  // Measured on this machine (max |Δ log p| over 512 tokens × every position): llama 8.4e-6,
  // mistral 6.1e-6, qwen2 6.7e-6, qwen3 7.6e-6.
  it.each(["llama", "mistral", "qwen2", "qwen3"] as const)("%s, F32 weights", async (arch) => {
    const { ref, ours } = await setup(arch, "f32");
    expect(ours.config.architecture).toBe(arch === "mistral" ? "llama" : arch);
    expect(ours.config.tiedEmbeddings).toBe(arch !== "mistral");
    const tokens = ref.tokenize(TEXT);
    const V = ours.config.vocabSize;
    const diff = compareLogProbs(
      oursLogProbs((t, o) => ours.forward(t, o), tokens),
      await llamaCppLogProbs(ref, tokens, { vocabSize: V }),
    );
    console.log(`parity ${arch} f32: max ${diff.max.toExponential(2)} mean ${diff.mean.toExponential(2)}`);
    expect(diff.max).toBeLessThan(1e-4);
  });

  // Measured: f16 max 8.8e-3 (likely tokens 5.5e-3), bf16 7.4e-2 (4.8e-2), q8_0 1.5e-1 (1.3e-1).
  it.each([
    ["f16", 2e-2],
    ["bf16", 0.15],
    ["q8_0", 0.3],
  ] as const)("llama, %s weights", async (tensorType, tolerance) => {
    const { ref, ours } = await setup("llama", tensorType);
    const tokens = ref.tokenize(TEXT);
    const diff = compareLogProbs(
      oursLogProbs((t, o) => ours.forward(t, o), tokens),
      await llamaCppLogProbs(ref, tokens, { vocabSize: ours.config.vocabSize }),
    );
    console.log(
      `parity llama ${tensorType}: max ${diff.max.toExponential(2)} likely ${diff.maxLikely.toExponential(2)} mean ${diff.mean.toExponential(2)}`,
    );
    expect(diff.max).toBeLessThan(tolerance);
    expect(diff.mean).toBeLessThan(tolerance / 4);
  });

  it.each(["qwen2", "qwen3"] as const)("%s, Q8_0 weights", async (arch) => {
    const { ref, ours } = await setup(arch, "q8_0");
    const tokens = ref.tokenize(TEXT);
    const diff = compareLogProbs(
      oursLogProbs((t, o) => ours.forward(t, o), tokens),
      await llamaCppLogProbs(ref, tokens, { vocabSize: ours.config.vocabSize }),
    );
    console.log(`parity ${arch} q8_0: max ${diff.max.toExponential(2)} mean ${diff.mean.toExponential(2)}`);
    expect(diff.max).toBeLessThan(0.3);
  });

  it("batches right-padded (lengths) and left-padded (keyMask + positions) rows like separate runs", async () => {
    const { ref, ours } = await setup("qwen2", "f32");
    const V = ours.config.vocabSize;
    const a = ref.tokenize("Final verdict: [[B]]");
    const b = ref.tokenize("A much longer second sequence, padded on neither side.");
    const T = b.length;
    const refA = await llamaCppLogProbs(ref, a, { vocabSize: V });
    const refB = await llamaCppLogProbs(ref, b, { vocabSize: V });

    const right = new Int32Array(2 * T);
    right.set(a, 0);
    right.set(b, T);
    const lengths = Int32Array.of(a.length, T);
    const logitsR = noGrad(() => ours.forward(right, { batch: 2, seqLen: T, lengths }));
    expect(compareLogProbs(logSoftmaxRows(logitsR, 0, a.length), refA).max).toBeLessThan(1e-4);
    expect(compareLogProbs(logSoftmaxRows(logitsR, T, T), refB).max).toBeLessThan(1e-4);

    const pad = T - a.length;
    const left = new Int32Array(2 * T);
    left.set(a, pad);
    left.set(b, T);
    const keyMask = new Uint8Array(2 * T).fill(1).fill(0, 0, pad);
    const positions = new Int32Array(2 * T);
    for (let t = 0; t < T; t++) {
      positions[t] = Math.max(0, t - pad);
      positions[T + t] = t;
    }
    const logitsL = noGrad(() => ours.forward(left, { batch: 2, seqLen: T, keyMask, positions }));
    expect(compareLogProbs(logSoftmaxRows(logitsL, pad, a.length), refA).max).toBeLessThan(1e-4);
    expect(compareLogProbs(logSoftmaxRows(logitsL, T, T), refB).max).toBeLessThan(1e-4);
  });
});
