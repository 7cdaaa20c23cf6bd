/**
 * A real tokenizer for a tiny model: every `tokenizer.*` key of another GGUF (a full model or one of
 * llama.cpp's vocab-only `models/ggml-vocab-*.gguf`), copied with its GGUF types, so llama.cpp builds
 * exactly that vocabulary (SentencePiece or BPE, its pre-tokenizer, special tokens, BOS rules).
 * With `genrm model tiny --vocab-from` a pipeline can be dry-run on the tokenizer and chat template of
 * the model it will later use, before downloading weights.
 */
import { InputError } from "../../errors.js";
import type { GgufValue } from "../gguf/ggufValue.js";
import { readGgufInfo } from "../gguf/openGguf.js";

export interface ImportedVocab {
  /** The `tokenizer.*` entries in file order, `tokenizer.chat_template` left out. */
  metadata: [string, GgufValue][];
  /** Number of tokens: the model's V. */
  vocabSize: number;
  /** `tokenizer.ggml.model` ("llama" = SentencePiece, "gpt2" = byte-level BPE, ...). */
  model: string;
  /** The source's `tokenizer.chat_template`, when it has one. */
  chatTemplate: string | undefined;
}

export async function readVocabFromGguf(path: string): Promise<ImportedVocab> {
  const { metadata } = await readGgufInfo(path);
  const tokens = metadata.get("tokenizer.ggml.tokens");
  if (tokens?.type !== "array" || tokens.itemType !== "string" || tokens.value.length === 0) {
    throw new InputError("not a vocabulary: no tokenizer.ggml.tokens", {
      file: path,
      field: "tokenizer.ggml.tokens",
      expected: "an array of strings",
      got: tokens ? `${tokens.type}` : "absent",
    });
  }
  const model = metadata.get("tokenizer.ggml.model");
  if (model?.type !== "string") {
    throw new InputError("not a vocabulary: no tokenizer.ggml.model", {
      file: path,
      field: "tokenizer.ggml.model",
    });
  }
  const template = metadata.get("tokenizer.chat_template");
  const entries = [...metadata].filter(
    ([key]) => key.startsWith("tokenizer.") && key !== "tokenizer.chat_template",
  );
  return {
    metadata: entries,
    vocabSize: tokens.value.length,
    model: model.value,
    chatTemplate: template?.type === "string" && template.value !== "" ? template.value : undefined,
  };
}
