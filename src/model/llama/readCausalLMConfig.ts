/**
 * GGUF metadata -> CausalLMConfig, reading the keys llama.cpp reads (`llama_model::load_hparams`)
 * with its defaults. Anything that would make our forward differ from llama.cpp's (another
 * architecture, partial rotary, YaRN/LongRoPE scaling, per-layer head counts, fused QKV, MoE) is an
 * UnsupportedError naming it, rather than a silently different model.
 */
import { InputError, UnsupportedError } from "../../errors.js";
import type { GgufMetadata, GgufValue } from "../gguf/ggufValue.js";
import type { GgufTensorInfo } from "../gguf/openGguf.js";
import type { CausalLMArchitecture, CausalLMConfig } from "./types.js";

const ARCHITECTURES: readonly CausalLMArchitecture[] = ["llama", "qwen2", "qwen3"];

export function readCausalLMConfig(
  metadata: GgufMetadata,
  tensors: readonly GgufTensorInfo[],
  file = "<gguf>",
): CausalLMConfig {
  const arch = stringKey(metadata, "general.architecture", file);
  if (!ARCHITECTURES.includes(arch as CausalLMArchitecture)) {
    throw new UnsupportedError(
      `${file}: architecture "${arch}" is not supported; genrm trains ${ARCHITECTURES.join(", ")} (Mistral-style models are "llama")`,
    );
  }
  const architecture = arch as CausalLMArchitecture;
  const type = metadata.get("general.type");
  if (type?.type === "string" && type.value !== "model") {
    throw new UnsupportedError(`${file}: general.type is "${type.value}", not a model`);
  }
  const num = (key: string, fallback?: number) => numberKey(metadata, `${arch}.${key}`, file, fallback);
  const hidden = num("embedding_length");
  const layers = num("block_count");
  const heads = num("attention.head_count");
  const kvHeads = num("attention.head_count_kv", heads);
  const headDim = num("attention.key_length", hidden / heads);
  const valueDim = num("attention.value_length", hidden / heads);
  const ropeDims = num("rope.dimension_count", headDim);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const embd = byName.get("token_embd.weight");
  if (!embd) throw new InputError("missing tensor", { file, field: "token_embd.weight" });
  const vocabSize = num("vocab_size", embd.shape[0]);

  if (valueDim !== headDim) {
    throw new UnsupportedError(`${file}: key_length ${headDim} != value_length ${valueDim} is not supported`);
  }
  if (ropeDims !== headDim) {
    throw new UnsupportedError(
      `${file}: partial rotary embedding (rope.dimension_count ${ropeDims} of head dim ${headDim}) is not supported`,
    );
  }
  if (metadata.has(`${arch}.expert_count`) && num("expert_count") > 0) {
    throw new UnsupportedError(`${file}: mixture-of-experts ${arch} models are not supported`);
  }
  if (byName.has("blk.0.attn_qkv.weight")) {
    throw new UnsupportedError(`${file}: fused attn_qkv tensors are not supported`);
  }
  const scalingType = metadata.get(`${arch}.rope.scaling.type`);
  const scaling = scalingType?.type === "string" ? scalingType.value : "linear";
  const factor = num("rope.scaling.factor", 0) || num("rope.scale_linear", 0);
  if (scaling !== "linear" && scaling !== "none") {
    throw new UnsupportedError(`${file}: RoPE scaling "${scaling}" is not supported (only linear)`);
  }
  const ropeScale = scaling === "none" || factor === 0 ? 1 : factor;
  if (byName.has("rope_factors_long.weight")) {
    throw new UnsupportedError(`${file}: LongRoPE factors are not supported`);
  }
  if (!(hidden > 0 && layers > 0 && heads > 0 && kvHeads > 0 && heads % kvHeads === 0)) {
    throw new InputError("inconsistent attention shape", {
      file,
      field: `${arch}.attention.head_count_kv`,
      expected: `a divisor of head_count ${heads}`,
      got: String(kvHeads),
    });
  }
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new InputError("head dim must be an even integer", {
      file,
      field: `${arch}.attention.key_length`,
      got: String(headDim),
    });
  }
  return {
    architecture,
    hidden,
    layers,
    heads,
    kvHeads,
    headDim,
    ffn: num("feed_forward_length"),
    vocabSize,
    contextLength: num("context_length", 2048),
    ropeTheta: num("rope.freq_base", 10000),
    ropeStyle: architecture === "llama" ? "interleaved" : "neox",
    ropeScale,
    rmsEps: num("attention.layer_norm_rms_epsilon"),
    tiedEmbeddings: !byName.has("output.weight"),
    qkNorm: architecture === "qwen3",
  };
}

function stringKey(metadata: GgufMetadata, key: string, file: string): string {
  const v = metadata.get(key);
  if (v?.type !== "string") {
    throw new InputError("missing or non-string metadata key", { file, field: key, got: describe(v) });
  }
  return v.value;
}

function numberKey(metadata: GgufMetadata, key: string, file: string, fallback?: number): number {
  const v = metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError("missing metadata key", { file, field: key });
  }
  if (v.type === "array") {
    // llama.cpp allows per-layer arrays (e.g. head_count); a uniform array is the scalar.
    const values = (v.value as readonly (number | bigint | boolean | string)[]).map(Number);
    if (values.length > 0 && values.every((x) => x === values[0])) return values[0]!;
    throw new UnsupportedError(`${file}: per-layer values for ${key} are not supported`);
  }
  if (typeof v.value === "number" || typeof v.value === "bigint") return Number(v.value);
  throw new InputError("metadata key is not a number", { file, field: key, got: describe(v) });
}

function describe(v: GgufValue | undefined): string {
  return v === undefined ? "nothing" : `${v.type} ${JSON.stringify(String(v.value)).slice(0, 40)}`;
}
