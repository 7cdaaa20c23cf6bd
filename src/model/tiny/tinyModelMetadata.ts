/**
 * The metadata of a from-scratch Llama GGUF with a byte-level BPE vocabulary: the tiny models and
 * the mini world's base model are both written with it.
 */
import { type GgufValue, ggufValue as v } from "../gguf/ggufValue.js";
import { type LlamaHyperparameters, llamaHyperparameterMetadata } from "../gguf/llamaMetadata.js";
import type { ByteBpeVocab } from "./byteBpeVocab.js";

export interface TinyModelMetadataInput {
  /** `general.architecture`. */
  architecture: string;
  name: string;
  /** `general.file_type` (`llamaFileType`). */
  fileType: number;
  hyperparameters: LlamaHyperparameters;
  vocab: ByteBpeVocab;
  chatTemplate: string;
}

export function tinyModelMetadata(m: TinyModelMetadataInput): Map<string, GgufValue> {
  const { vocab } = m;
  return new Map<string, GgufValue>([
    ["general.architecture", v.str(m.architecture)],
    ["general.type", v.str("model")],
    ["general.name", v.str(m.name)],
    ["general.file_type", v.u32(m.fileType)],
    ...llamaHyperparameterMetadata(m.architecture, m.hyperparameters),
    ["tokenizer.ggml.model", v.str("gpt2")],
    ["tokenizer.ggml.pre", v.str(vocab.pre)],
    ["tokenizer.ggml.tokens", v.strings(vocab.tokens)],
    ["tokenizer.ggml.token_type", v.i32s(vocab.tokenTypes)],
    ["tokenizer.ggml.merges", v.strings(vocab.merges)],
    // A document starts after, and padding is, `<|endoftext|>`; a turn and generation end at `<|im_end|>`.
    ["tokenizer.ggml.bos_token_id", v.u32(vocab.endOfTextId)],
    ["tokenizer.ggml.eos_token_id", v.u32(vocab.imEndId)],
    ["tokenizer.ggml.eot_token_id", v.u32(vocab.imEndId)],
    ["tokenizer.ggml.padding_token_id", v.u32(vocab.endOfTextId)],
    ["tokenizer.ggml.add_bos_token", v.bool(false)],
    ["tokenizer.ggml.add_eos_token", v.bool(false)],
    ["tokenizer.chat_template", v.str(m.chatTemplate)],
  ]);
}
