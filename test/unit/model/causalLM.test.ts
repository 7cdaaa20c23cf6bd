/**
 * The decoder's own contract, without llama.cpp: config reading and its refusals, parameter naming
 * and trainable selection, gradients (finite differences through the whole model), activation
 * recomputation giving the same gradients, LoRA's zero start, and the scalar heads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, UnsupportedError } from "../../../src/errors.js";
import { ggufValue as v } from "../../../src/model/gguf/ggufValue.js";
import type { GgufTensorInfo } from "../../../src/model/gguf/openGguf.js";
import {
  type CausalLM,
  createPairwiseHead,
  createScalarHead,
  lastTokenRows,
  readCausalLMConfig,
} from "../../../src/model/llama/index.js";
import { loadModel } from "../../../src/model/loadModel.js";
import { applyLora, mergeLora } from "../../../src/model/lora/index.js";
import { backward, createRng, crossEntropyMean, noGrad, sum } from "../../../src/tensor/index.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";

const B = 2;
const T = 6;

function batch(V: number, seed = 1): { tokens: Int32Array; targets: Int32Array; lengths: Int32Array } {
  const rng = createRng(seed);
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(V));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(V));
  const lengths = Int32Array.of(T, T - 2);
  for (let t = T - 2; t < T; t++) targets[T + t] = -100;
  return { tokens, targets, lengths };
}

function lossOf(model: CausalLM, data: ReturnType<typeof batch>, recompute = false) {
  const logits = model.forward(data.tokens, { batch: B, seqLen: T, lengths: data.lengths, recompute });
  return crossEntropyMean(logits, data.targets);
}

function gradsOf(model: CausalLM): Map<string, Float32Array> {
  return new Map(model.trainableParameters().map((p) => [p.name, Float32Array.from(p.tensor.grad!.data)]));
}

function zeroGrads(model: CausalLM): void {
  for (const p of model.parameters()) p.tensor.zeroGrad();
}

describe("readCausalLMConfig", () => {
  const tensors = [{ name: "token_embd.weight", shape: [300, 32] }] as GgufTensorInfo[];
  const meta = (arch: string, extra: [string, ReturnType<typeof v.u32>][] = []) =>
    new Map([
      ["general.architecture", v.str(arch)],
      [`${arch}.embedding_length`, v.u32(32)],
      [`${arch}.block_count`, v.u32(1)],
      [`${arch}.attention.head_count`, v.u32(4)],
      [`${arch}.feed_forward_length`, v.u32(64)],
      [`${arch}.attention.layer_norm_rms_epsilon`, v.f32(1e-5)],
      ...extra,
    ]);

  it("applies llama.cpp's defaults and RoPE layout per architecture", () => {
    const llama = readCausalLMConfig(meta("llama"), tensors);
    expect(llama).toMatchObject({
      kvHeads: 4,
      headDim: 8,
      vocabSize: 300,
      ropeTheta: 10000,
      ropeStyle: "interleaved",
      tiedEmbeddings: true,
      qkNorm: false,
    });
    expect(readCausalLMConfig(meta("qwen3"), tensors)).toMatchObject({ ropeStyle: "neox", qkNorm: true });
    expect(readCausalLMConfig(meta("qwen2"), tensors).ropeStyle).toBe("neox");
  });

  it("names what it refuses", () => {
    expect(() => readCausalLMConfig(meta("gpt2"), tensors)).toThrow(/architecture "gpt2"/);
    expect(() => readCausalLMConfig(meta("gpt2"), tensors)).toThrow(UnsupportedError);
    expect(() =>
      readCausalLMConfig(meta("llama", [["llama.rope.dimension_count", v.u32(4)]]), tensors),
    ).toThrow(/partial rotary/);
    expect(() =>
      readCausalLMConfig(meta("llama", [["llama.rope.scaling.type", v.str("yarn") as never]]), tensors),
    ).toThrow(/yarn/);
    expect(() =>
      readCausalLMConfig(meta("llama"), [
        ...tensors,
        { name: "blk.0.attn_qkv.weight", shape: [96, 32] } as GgufTensorInfo,
      ]),
    ).toThrow(/attn_qkv/);
  });
});

describe("CausalLM", () => {
  let tied: CausalLM;
  let untied: CausalLM;

  beforeAll(async () => {
    tied = await loadModel(
      (await tinyModelOnce({ arch: "qwen3", hidden: 32, layers: 2, vocabSize: 300, seed: 4 })).path,
    );
    untied = await loadModel(
      (await tinyModelOnce({ arch: "mistral", hidden: 32, layers: 2, vocabSize: 300, seed: 4 })).path,
    );
  });

  it("lists parameters once, by GGUF name", () => {
    const names = tied.parameters().map((p) => p.name);
    expect(names[0]).toBe("token_embd.weight");
    expect(names).toContain("blk.1.attn_k_norm.weight");
    expect(names).not.toContain("output.weight");
    expect(new Set(names).size).toBe(names.length);
    expect(untied.parameters().map((p) => p.name)).toContain("output.weight");
    expect(tied.weights.output.weight).toBe(tied.weights.tokenEmbd);
  });

  it("selects trainable parameters with freeze / unfreeze", () => {
    const all = tied.countParameters();
    expect(tied.countParameters(true)).toBe(all);
    tied.freeze();
    expect(tied.trainableParameters()).toHaveLength(0);
    tied.unfreeze((n) => n.endsWith("_norm.weight"));
    expect(tied.trainableParameters().every((p) => p.name.endsWith("_norm.weight"))).toBe(true);
    tied.unfreeze();
    expect(tied.countParameters(true)).toBe(all);
  });

  it.each(["tied qwen3", "untied mistral"])("has gradients that match finite differences (%s)", (which) => {
    const model = which.startsWith("tied") ? tied : untied;
    const data = batch(model.config.vocabSize);
    zeroGrads(model);
    backward(lossOf(model, data));
    // A random direction over every parameter: (L(θ+εd) - L(θ-εd)) / 2ε ≈ ∇L·d.
    const rng = createRng(2);
    const eps = 1e-3;
    let predicted = 0;
    const dirs = model.parameters().map((p) => {
      const d = Float32Array.from({ length: p.tensor.size }, () => rng.normal());
      for (let i = 0; i < d.length; i++) predicted += p.tensor.grad!.data[i]! * d[i]!;
      return d;
    });
    const shift = (s: number) =>
      model.parameters().forEach((p, k) => {
        const d = dirs[k]!;
        for (let i = 0; i < d.length; i++) p.tensor.data[i]! += s * d[i]!;
      });
    shift(eps);
    const up = noGrad(() => lossOf(model, data).item());
    shift(-2 * eps);
    const down = noGrad(() => lossOf(model, data).item());
    shift(eps);
    const measured = (up - down) / (2 * eps);
    expect(Math.abs(measured - predicted)).toBeLessThan(5e-3 * Math.abs(predicted) + 1e-3);
  });

  it("gives the same loss and gradients with activation recomputation", () => {
    const data = batch(untied.config.vocabSize, 3);
    zeroGrads(untied);
    const plain = lossOf(untied, data);
    backward(plain);
    const expected = gradsOf(untied);
    zeroGrads(untied);
    const replayed = lossOf(untied, data, true);
    expect(replayed.item()).toBe(plain.item());
    backward(replayed);
    for (const [name, g] of gradsOf(untied)) {
      const e = expected.get(name)!;
      let max = 0;
      for (let i = 0; i < g.length; i++) max = Math.max(max, Math.abs(g[i]! - e[i]!));
      expect(max, name).toBeLessThan(1e-6);
    }
  });
});

describe("LoRA", () => {
  it("starts equal to the base, trains only its factors, and merges into the same function", async () => {
    const model = await loadModel(
      (await tinyModelOnce({ arch: "qwen2", hidden: 32, layers: 1, vocabSize: 300, seed: 8 })).path,
    );
    const data = batch(model.config.vocabSize, 5);
    const base = noGrad(() => lossOf(model, data).item());
    const { layers } = applyLora(model, { rank: 2, targets: ["attn_q", "ffn_down"], seed: 3 });
    expect(layers.map((l) => l.name)).toEqual(["blk.0.attn_q", "blk.0.ffn_down"]);
    expect(model.trainableParameters().map((p) => p.name)).toEqual([
      "blk.0.attn_q.weight.lora_a",
      "blk.0.attn_q.weight.lora_b",
      "blk.0.ffn_down.weight.lora_a",
      "blk.0.ffn_down.weight.lora_b",
    ]);
    expect(noGrad(() => lossOf(model, data).item())).toBe(base);

    backward(lossOf(model, data, true));
    // With B = 0 only B gets a gradient (dL/dA = Bᵀ·… = 0); that is what lets B move first.
    for (const l of layers) {
      expect(l.lora!.b.grad!.data.some((g) => g !== 0)).toBe(true);
      expect(l.lora!.a.grad!.data.every((g) => g === 0)).toBe(true);
      expect(l.weight.grad).toBeNull();
    }
    for (const l of layers) l.lora!.b.data.set(l.lora!.b.grad!.data.map((g) => -10 * g));
    const adapted = noGrad(() => lossOf(model, data).item());
    expect(adapted).toBeLessThan(base);
    mergeLora(model);
    expect(noGrad(() => lossOf(model, data).item())).toBeCloseTo(adapted, 5);
  });

  it("refuses bad settings and a tied output", async () => {
    const model = await loadModel(
      (await tinyModelOnce({ hidden: 32, layers: 1, vocabSize: 300, seed: 8 })).path,
    );
    expect(() => applyLora(model, { rank: 0 })).toThrow(ConfigError);
    expect(() => applyLora(model, { targets: ["attn_x" as never] })).toThrow(/attn_x/);
    expect(() => applyLora(model, { targets: ["output"] })).toThrow(UnsupportedError);
  });
});

describe("scalar heads", () => {
  it("read the last real token of each row and pass gradients to the backbone", async () => {
    const model = await loadModel(
      (await tinyModelOnce({ hidden: 32, layers: 1, vocabSize: 300, seed: 9 })).path,
    );
    applyLora(model, { rank: 2 });
    const score = createScalarHead(model, { seed: 1 });
    const pair = createPairwiseHead(model);
    expect(score.parameters().map((p) => p.name)).toEqual(["score.weight"]);
    expect(pair.parameters().map((p) => p.name)).toEqual(["pairwise.weight", "pairwise.bias"]);
    const data = batch(300, 6);
    const rows = lastTokenRows(data.lengths, T);
    expect([...rows]).toEqual([T - 1, 2 * T - 3]);
    const hidden = model.forwardHidden(data.tokens, { batch: B, seqLen: T, lengths: data.lengths });
    const r = score.forward(hidden, rows);
    expect(r.shape).toEqual([B]);
    backward(sum(r));
    expect(score.weight.grad).not.toBeNull();
    expect(model.weights.layers[0]!.q.lora!.b.grad!.data.some((g) => g !== 0)).toBe(true);

    // Changing a pad token must not change the reward read at the last real token.
    const padded = Int32Array.from(data.tokens);
    padded[2 * T - 1] = (padded[2 * T - 1]! + 1) % 300;
    const again = noGrad(() =>
      score.forward(model.forwardHidden(padded, { batch: B, seqLen: T, lengths: data.lengths }), rows),
    );
    expect(again.data[1]).toBeCloseTo(r.data[1]!, 6);
  });
});
