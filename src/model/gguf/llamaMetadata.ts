/**
 * The metadata llama.cpp reads to build a Llama-family model (`llama-model.cpp`), written the same
 * way into every GGUF genrm creates: the tiny models, the mini world's base model and merged exports.
 */
import { type GgufValue, ggufValue as v } from "./ggufValue.js";

export interface LlamaHyperparameters {
  vocabSize: number;
  contextLength: number;
  hidden: number;
  layers: number;
  ffn: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  rmsEps: number;
  ropeTheta: number;
}

/** `general.file_type` (llama.cpp `llama_ftype`) of a file whose matrices are mostly this type. */
export const llamaFileType = { F32: 0, F16: 1, Q8_0: 7, BF16: 32 } as const;

/** The `<arch>.*` keys, in the order llama.cpp's converters write them. */
export function llamaHyperparameterMetadata(
  architecture: string,
  h: LlamaHyperparameters,
): [string, GgufValue][] {
  const a = architecture;
  const entries: [string, GgufValue][] = [
    [`${a}.vocab_size`, v.u32(h.vocabSize)],
    [`${a}.context_length`, v.u32(h.contextLength)],
    [`${a}.embedding_length`, v.u32(h.hidden)],
    [`${a}.block_count`, v.u32(h.layers)],
    [`${a}.feed_forward_length`, v.u32(h.ffn)],
    [`${a}.attention.head_count`, v.u32(h.heads)],
    [`${a}.attention.head_count_kv`, v.u32(h.kvHeads)],
    [`${a}.attention.layer_norm_rms_epsilon`, v.f32(h.rmsEps)],
    [`${a}.rope.freq_base`, v.f32(h.ropeTheta)],
    [`${a}.rope.dimension_count`, v.u32(h.headDim)],
  ];
  // llama.cpp assumes hidden / heads when these are absent (Qwen3 is one model where it is not).
  if (h.headDim * h.heads !== h.hidden) {
    entries.push([`${a}.attention.key_length`, v.u32(h.headDim)]);
    entries.push([`${a}.attention.value_length`, v.u32(h.headDim)]);
  }
  return entries;
}
