/**
 * Types of the Llama-family decoder: its resolved configuration (read from GGUF metadata), forward
 * options, and named parameters. No implementation is imported here.
 */
import type { RopeStyle } from "../../tensor/index.js";
import type { Tensor } from "../../tensor/Tensor.js";
import type { LlamaHyperparameters } from "../gguf/llamaMetadata.js";

/** `general.architecture` values genrm trains. Mistral-style models are written as "llama". */
export type CausalLMArchitecture = "llama" | "qwen2" | "qwen3";

/** Storage types genrm reads and writes for weight matrices. */
export type WeightType = "F32" | "F16" | "BF16" | "Q8_0";

/** Everything the forward needs, resolved; mirrors llama.cpp's `llama_hparams` for these archs. */
export interface CausalLMConfig extends LlamaHyperparameters {
  architecture: CausalLMArchitecture;
  /**
   * Pair layout of RoPE, as llama.cpp applies it: "interleaved" (llama.cpp's "norm": pairs
   * (2i, 2i+1), for `llama`, whose GGUF Q/K rows are already permuted for it by the converter) or
   * "neox" (pairs (i, i + D/2), for qwen2/qwen3).
   */
  ropeStyle: RopeStyle;
  /** Linear RoPE scaling factor (`<arch>.rope.scaling.factor`); 1 for none. */
  ropeScale: number;
  /** True when the GGUF has no `output.weight` and the output projection reuses `token_embd`. */
  tiedEmbeddings: boolean;
  /** Q/K RMSNorm per head before RoPE (qwen3). */
  qkNorm: boolean;
}

/** A parameter with its GGUF tensor name (`blk.0.attn_q.weight`, `blk.0.attn_q.weight.lora_a`). */
export interface NamedParameter {
  name: string;
  tensor: Tensor;
}

export interface ForwardOptions {
  /** Sequences B in `tokens`. */
  batch: number;
  /** Tokens per sequence T; `tokens` has B·T entries, row-major (B, T). */
  seqLen: number;
  /**
   * RoPE position of each token, B·T entries or T shared by every row. Left-padded batches must
   * pass positions that start at 0 on each row's first real token. Defaults to 0..T-1.
   */
  positions?: Int32Array;
  /**
   * Valid length of each right-padded row (B): keys at or after it are not attended. Pad rows'
   * outputs are garbage and must be masked out of any loss. Defaults to T for every row.
   */
  lengths?: Int32Array;
  /** (B·T) flags, 1 where a key may be attended; the general form of `lengths`. Defaults to all. */
  keyMask?: Uint8Array;
  /**
   * Packed rows (B·T): where the segment holding each token starts in its row; a token attends only
   * within its segment (block-diagonal causal mask). Pass `positions` restarting at 0 on each
   * segment with it, and the segments compute what they would alone. Defaults to none.
   */
  segmentStarts?: Int32Array;
  /**
   * Recompute each decoder layer's activations during backward instead of keeping them: memory
   * O(layers · B·T·C) instead of O(layers · B·T·(C·k + F)), at the cost of one more forward.
   * Defaults to the model's `recompute` setting (false).
   */
  recompute?: boolean;
}
