/**
 * Loads a Llama-family GGUF (llama, qwen2, qwen3) into a trainable CausalLM: hyperparameters from
 * the metadata, every tensor dequantised to float32 (F32, F16, BF16, Q8_0). Shapes are checked
 * against the config, and a tensor this decoder would not use (an MoE router, an unknown bias) is an
 * UnsupportedError, so a model never runs with part of its weights silently ignored.
 */
import { InputError, throwIfAborted, UnsupportedError } from "../errors.js";
import { formatShape } from "../tensor/ShapeError.js";
import { Tensor } from "../tensor/Tensor.js";
import { openGguf } from "./gguf/openGguf.js";
import { CausalLM, type DecoderLayer } from "./llama/CausalLM.js";
import { Linear } from "./llama/Linear.js";
import { readCausalLMConfig } from "./llama/readCausalLMConfig.js";

export interface LoadModelOptions {
  /** Parameters require gradients (full fine-tuning); `applyLora` freezes them again. Defaults to true. */
  trainable?: boolean;
  /** Default for `ForwardOptions.recompute` (activation recomputation). Defaults to false. */
  recompute?: boolean;
  signal?: AbortSignal;
  /** Called after each tensor is read, counting tensors. */
  onProgress?: (p: { done: number; total: number }) => void;
}

export async function loadModel(ggufPath: string, options: LoadModelOptions = {}): Promise<CausalLM> {
  const { trainable = true, recompute = false, signal, onProgress } = options;
  const file = await openGguf(ggufPath, { signal });
  try {
    const config = readCausalLMConfig(file.metadata, file.tensors, ggufPath);
    const { hidden: C, heads: H, kvHeads: Hkv, headDim: D, ffn: F, vocabSize: V } = config;
    const used = new Set<string>();
    let done = 0;
    const total = file.tensors.length;

    const read = async (name: string, shape: readonly number[]): Promise<Tensor> => {
      throwIfAborted(signal);
      const info = file.tensor(name);
      if (!info)
        throw new InputError("missing tensor", { file: ggufPath, field: name, expected: formatShape(shape) });
      if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
        throw new InputError("tensor has the wrong shape", {
          file: ggufPath,
          field: name,
          expected: formatShape(shape),
          got: formatShape(info.shape),
        });
      }
      const data = await file.readTensor(name, { signal });
      used.add(name);
      onProgress?.({ done: ++done, total });
      return new Tensor(data, shape, { requiresGrad: trainable, name });
    };
    const optional = async (name: string, shape: readonly number[]) =>
      file.tensor(name) ? read(name, shape) : null;
    const lin = async (base: string, out: number, inp: number) =>
      new Linear(base, await read(`${base}.weight`, [out, inp]), await optional(`${base}.bias`, [out]));

    const tokenEmbd = await read("token_embd.weight", [V, C]);
    const layers: DecoderLayer[] = [];
    for (let i = 0; i < config.layers; i++) {
      const p = `blk.${i}`;
      layers.push({
        attnNorm: await read(`${p}.attn_norm.weight`, [C]),
        q: await lin(`${p}.attn_q`, H * D, C),
        k: await lin(`${p}.attn_k`, Hkv * D, C),
        v: await lin(`${p}.attn_v`, Hkv * D, C),
        qNorm: config.qkNorm ? await read(`${p}.attn_q_norm.weight`, [D]) : null,
        kNorm: config.qkNorm ? await read(`${p}.attn_k_norm.weight`, [D]) : null,
        o: await lin(`${p}.attn_output`, C, H * D),
        ffnNorm: await read(`${p}.ffn_norm.weight`, [C]),
        gate: await lin(`${p}.ffn_gate`, F, C),
        up: await lin(`${p}.ffn_up`, F, C),
        down: await lin(`${p}.ffn_down`, C, F),
      });
    }
    const outputNorm = await read("output_norm.weight", [C]);
    const output = config.tiedEmbeddings
      ? new Linear("output", tokenEmbd, await optional("output.bias", [V]))
      : await lin("output", V, C);
    const ropeFreqs = (await optional("rope_freqs.weight", [D / 2]))?.data ?? null;

    const unused = file.tensors.filter((t) => !used.has(t.name)).map((t) => t.name);
    if (unused.length > 0) {
      throw new UnsupportedError(
        `${ggufPath}: ${config.architecture} tensors genrm's decoder does not use: ${unused.slice(0, 5).join(", ")}${unused.length > 5 ? ` and ${unused.length - 5} more` : ""}`,
      );
    }
    const tensorTypes = new Map(file.tensors.map((t) => [t.name, t.typeName]));
    return new CausalLM(
      config,
      { tokenEmbd, layers, outputNorm, output, ropeFreqs },
      { source: { path: ggufPath, metadata: file.metadata, tensorTypes }, recompute },
    );
  } finally {
    await file.dispose();
  }
}
