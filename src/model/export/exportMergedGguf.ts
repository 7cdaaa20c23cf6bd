/**
 * Writes a CausalLM as a GGUF llama.cpp loads: every weight with its LoRA update folded in
 * (W + (alpha / r) · B·A), the architecture keys from the model's config, and everything else
 * (general.*, tokenizer, chat template, special tokens) copied from the GGUF the model was loaded
 * from, or the tokenizer taken from `tokenizerFrom`. Vectors (norms, biases) are always F32, as
 * llama.cpp's converters write them; matrices take `tensorType`. Q8_0 needs rows that are a
 * multiple of 32 wide; other rows fall back to F16, as `llama-quantize` does.
 */
import { InputError } from "../../errors.js";
import { type GgufMetadata, ggufValue as v } from "../gguf/ggufValue.js";
import { llamaFileType, llamaHyperparameterMetadata } from "../gguf/llamaMetadata.js";
import { openGguf } from "../gguf/openGguf.js";
import { type GgufTensorSpec, type WriteGgufResult, writeGguf } from "../gguf/writeGguf.js";
import type { CausalLM } from "../llama/CausalLM.js";
import type { Linear } from "../llama/Linear.js";
import type { CausalLMConfig, WeightType } from "../llama/types.js";

export interface ExportMergedGgufOptions {
  /**
   * Storage type of the matrices; "source" keeps each tensor's type in the GGUF the model was
   * loaded from (F32 for a tensor it did not have, or a type genrm cannot write). Defaults to "source".
   */
  tensorType?: WeightType | "source";
  /**
   * A GGUF whose `tokenizer.*` keys (vocabulary, merges, special tokens, chat template) replace the
   * source's. Required when the model has no source GGUF. Defaults to the source.
   */
  tokenizerFrom?: string;
  /** `general.name`. Defaults to the source's. */
  name?: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

const WRITABLE = new Set<string>(["F32", "F16", "BF16", "Q8_0"]);

export async function exportMergedGguf(
  model: CausalLM,
  path: string,
  options: ExportMergedGgufOptions = {},
): Promise<WriteGgufResult> {
  const { tensorType = "source", tokenizerFrom, name, signal, onProgress } = options;
  const source = model.source;
  const typeOf = (tensorName: string, rowLength: number): WeightType => {
    let t: WeightType = "F32";
    if (tensorType !== "source") t = tensorType;
    else {
      const stored = source?.tensorTypes.get(tensorName);
      if (stored !== undefined && WRITABLE.has(stored)) t = stored as WeightType;
    }
    return t === "Q8_0" && rowLength % 32 !== 0 ? "F16" : t;
  };

  const tensors: GgufTensorSpec[] = [];
  const vector = (tensorName: string, data: Float32Array) =>
    tensors.push({ name: tensorName, shape: [data.length], type: "F32", data });
  const matrix = (lin: Linear) => {
    const tensorName = `${lin.name}.weight`;
    tensors.push({
      name: tensorName,
      shape: [lin.outFeatures, lin.inFeatures],
      type: typeOf(tensorName, lin.inFeatures),
      // Merged lazily, one matrix at a time, so the export never holds a second copy of the model.
      data: () => [lin.mergedWeight()],
    });
    if (lin.bias !== null) vector(`${lin.name}.bias`, lin.bias.data);
  };

  const w = model.weights;
  const embd = w.tokenEmbd;
  tensors.push({
    name: "token_embd.weight",
    shape: embd.shape,
    type: typeOf("token_embd.weight", embd.shape[1]!),
    data: embd.data,
  });
  w.layers.forEach((l, i) => {
    vector(`blk.${i}.attn_norm.weight`, l.attnNorm.data);
    matrix(l.q);
    matrix(l.k);
    matrix(l.v);
    if (l.qNorm !== null) vector(`blk.${i}.attn_q_norm.weight`, l.qNorm.data);
    if (l.kNorm !== null) vector(`blk.${i}.attn_k_norm.weight`, l.kNorm.data);
    matrix(l.o);
    vector(`blk.${i}.ffn_norm.weight`, l.ffnNorm.data);
    matrix(l.gate);
    matrix(l.up);
    matrix(l.down);
  });
  vector("output_norm.weight", w.outputNorm.data);
  if (w.output.weight !== embd) matrix(w.output);
  else if (w.output.lora !== null) {
    throw new InputError("a tied output projection cannot carry its own LoRA update", {
      field: "output.lora",
    });
  } else if (w.output.bias !== null) vector("output.bias", w.output.bias.data);
  if (w.ropeFreqs !== null) vector("rope_freqs.weight", w.ropeFreqs);

  const metadata = await exportMetadata(model, path, tokenizerFrom, name, tensorType, signal);
  return writeGguf(path, { metadata, tensors, signal, onProgress });
}

async function exportMetadata(
  model: CausalLM,
  path: string,
  tokenizerFrom: string | undefined,
  name: string | undefined,
  tensorType: WeightType | "source",
  signal: AbortSignal | undefined,
): Promise<GgufMetadata> {
  const source = model.source;
  let tokenizer: GgufMetadata | null = null;
  if (tokenizerFrom !== undefined) {
    const file = await openGguf(tokenizerFrom, { signal });
    tokenizer = file.metadata;
    await file.dispose();
  } else if (source === null) {
    throw new InputError("the model has no source GGUF to copy its tokenizer from", {
      file: path,
      field: "tokenizerFrom",
      expected: "a GGUF path",
    });
  }
  const arch = model.config.architecture;
  const out: GgufMetadata = new Map();
  const base: GgufMetadata = source?.metadata ?? new Map();
  out.set("general.architecture", v.str(arch));
  for (const [key, value] of base) {
    // Stale once weights change: quantisation calibration and the old arch's hyperparameters.
    if (key.startsWith("quantize.") || key.startsWith(`${arch}.`)) continue;
    if (tokenizer !== null && key.startsWith("tokenizer.")) continue;
    out.set(key, value);
  }
  if (!out.has("general.type")) out.set("general.type", v.str("model"));
  if (name !== undefined) out.set("general.name", v.str(name));
  else if (!out.has("general.name")) out.set("general.name", v.str("genrm-model"));
  const fileType = tensorType === "source" ? base.get("general.file_type") : v.u32(llamaFileType[tensorType]);
  if (fileType !== undefined) out.set("general.file_type", fileType);
  for (const [key, value] of archMetadata(model.config, base)) out.set(key, value);
  if (tokenizer !== null) {
    for (const [key, value] of tokenizer) if (key.startsWith("tokenizer.")) out.set(key, value);
  }
  return out;
}

/** The `<arch>.*` keys llama.cpp reads, from the config; keys the source had beyond these are kept. */
function archMetadata(c: CausalLMConfig, base: GgufMetadata): GgufMetadata {
  const a = c.architecture;
  const out: GgufMetadata = new Map();
  for (const [key, value] of base) if (key.startsWith(`${a}.`)) out.set(key, value);
  for (const [key, value] of llamaHyperparameterMetadata(a, c)) out.set(key, value);
  return out;
}
