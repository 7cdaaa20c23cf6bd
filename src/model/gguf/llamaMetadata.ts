/**
 * The metadata llama.cpp reads to build a Llama-family model (`llama-model.cpp`), written the same
 * way into every GGUF genrm creates: the tiny models, the mini world's base model and merged exports.
 */
import { type GgufValue, ggufValue as v } from "./ggufValue.js";

/** The shape of a Llama-family model as its GGUF states it. */
export interface LlamaHyperparameters {
  /** Vocabulary V (`<arch>.vocab_size`, else the rows of `token_embd`). */
  vocabSize: number;
  /** Training context (`<arch>.context_length`); longer inputs still run, as in llama.cpp. */
  contextLength: number;
  /** Width C (`<arch>.embedding_length`). */
  hidden: number;
  /** `<arch>.block_count`. */
  layers: number;
  /** FFN inner width F (`<arch>.feed_forward_length`). */
  ffn: number;
  /** Query heads H (`<arch>.attention.head_count`). */
  heads: number;
  /** Key/value heads Hkv (`<arch>.attention.head_count_kv`, defaults to H). */
  kvHeads: number;
  /** Head dim D (`<arch>.attention.key_length`, defaults to C / H). Q is H·D wide, K and V Hkv·D. */
  headDim: number;
  /** `<arch>.attention.layer_norm_rms_epsilon`. */
  rmsEps: number;
  /** `<arch>.rope.freq_base`; llama.cpp's default 10000 when absent. */
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
