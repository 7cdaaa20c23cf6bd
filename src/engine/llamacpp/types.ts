/**
 * Options and result types of the embedded engine (node-llama-cpp on a GGUF file). No
 * implementation is imported here.
 */
import type { Engine } from "../types.js";

export interface LoraAdapterSpec {
  /** GGUF LoRA adapter file (llama.cpp format, e.g. from `writeLoraAdapter` or `convert_lora_to_gguf.py`). */
  path: string;
  /** Multiplies the adapter's update (on top of its own alpha / rank). Defaults to 1. */
  scale?: number;
}

/**
 * How chat messages become the prompt text:
 * - `"jinja"`: render the Jinja chat template stored in the GGUF (`tokenizer.chat_template`), exactly
 *   what llama-server `--jinja` and vLLM do. Fails when the GGUF has no template.
 * - `"auto"`: node-llama-cpp's `resolveChatWrapper` (its own re-implementation of known formats,
 *   falling back to the Jinja template or a generic format).
 */
export type ChatFormat = "jinja" | "auto";

export interface LlamaCppEngineOptions {
  /** GGUF model file. Required. */
  modelPath: string;
  /**
   * CPU threads for evaluation. node-llama-cpp's own default (at least 4) oversubscribes small
   * machines, and oversubscribed llama.cpp threads spin-wait on each other: decoding was measured to
   * fall from 36 to 0.3 tokens/s with one other busy process. Defaults to `os.availableParallelism()`.
   */
  threads?: number;
  /**
   * Tokens each sequence can hold (prompt + generated). The KV cache holds
   * `contextSize * parallelSequences` tokens. Defaults to 4096, capped at the model's training context.
   */
  contextSize?: number;
  /**
   * Sequences decoded together in one context: the k samples of a request and the samples of
   * concurrent requests share these slots and are evaluated in the same batches. Defaults to 8.
   */
  parallelSequences?: number;
  /** Tokens per llama.cpp decode batch. Defaults to node-llama-cpp's (512, or less for tiny contexts). */
  batchSize?: number;
  /** GGUF LoRA adapters applied to the context at load. Defaults to none. */
  lora?: LoraAdapterSpec[];
  /** Use a GPU backend when node-llama-cpp finds one. Defaults to false (CPU). */
  gpu?: boolean;
  /**
   * llama.cpp flash attention: "auto" lets llama.cpp decide. On CPU it changes the rounding of a
   * prompt token's KV with the way the prompt was split into batches (see docs), so it cannot be on
   * with `batchInvariant`. Defaults to "auto", which means off when `batchInvariant` is on.
   */
  flashAttention?: boolean | "auto";
  /**
   * Makes every sample a function of its prompt and seed alone, whatever else is decoding beside it
   * (concurrency, parallel sequences, machine load): each sequence gets a companion sequence that
   * decodes a filler row beside each of its rows, so no row is ever alone in a llama.cpp micro-batch
   * (a lone row is computed by other kernels and rounds differently), and prompt prefills run in
   * batches of their own. Costs a second row per decoding row (weights are read once per batch, so
   * little on CPU) and twice the KV cache. Defaults to true.
   */
  batchInvariant?: boolean;
  /** Defaults to "jinja" when the GGUF has a chat template, otherwise "auto". */
  chatFormat?: ChatFormat;
  /**
   * Share a request's evaluated prompt with the sequences that decode its other samples by copying
   * the KV state (see docs/engines-embedded.md) when the prompt has at least this many tokens.
   * `false` disables copying (each sample then evaluates the part of the prompt its sequence lacks).
   * Defaults to 32.
   */
  sharePromptMinTokens?: number | false;
  /** Directory for KV snapshots used to copy a prompt between sequences. Defaults to /dev/shm, else the OS temp dir. */
  snapshotDir?: string;
  signal?: AbortSignal;
}

export const defaultLlamaCppEngineOptions = {
  contextSize: 4096,
  parallelSequences: 8,
  gpu: false,
  flashAttention: "auto",
  batchInvariant: true,
  sharePromptMinTokens: 32,
} satisfies Partial<LlamaCppEngineOptions>;

/** Counters since the engine was opened; they show what the prefix reuse saved. */
export interface LlamaCppEngineStats {
  /** generate / tokenProbabilities calls completed. */
  requests: number;
  /** Samples decoded. */
  samples: number;
  generatedTokens: number;
  /** Prompt tokens the requests asked for, counted per sample (k samples count k times). */
  promptTokens: number;
  /** Prompt tokens actually run through the model. */
  promptTokensEvaluated: number;
  /** Prompt tokens found already in the sequence's KV cache (same prefix as its previous use). */
  promptTokensReusedInPlace: number;
  /** Prompt tokens copied from another sequence's KV state instead of being evaluated. */
  promptTokensCopied: number;
  /** KV snapshots written (one per shared prompt) and loaded (one per sequence it was copied into). */
  snapshotsSaved: number;
  snapshotsLoaded: number;
  /** Lockstep decode steps, the rows decoded in them, and the wall time spent in them. */
  decodeSteps: number;
  decodeRows: number;
  decodeMs: number;
}

export interface LlamaCppEngine extends Engine {
  /** Resolved settings, as used. */
  readonly config: LlamaCppEngineConfig;
  stats(): LlamaCppEngineStats;
  detokenize(tokens: readonly number[]): string;
  /** The prompt tokens a request would evaluate (chat template + assistant prefix), for inspection and tests. */
  formatPrompt(messages: import("../../types.js").ChatMessage[], assistantPrefix?: string): Promise<number[]>;
}

/** Resolved options. `chatFormat` is undefined until the model is loaded (it depends on the GGUF). */
export interface LlamaCppEngineConfig {
  modelPath: string;
  threads: number;
  contextSize: number;
  parallelSequences: number;
  batchSize: number;
  lora: { path: string; scale: number }[];
  gpu: boolean;
  flashAttention: boolean | "auto";
  batchInvariant: boolean;
  chatFormat: ChatFormat | undefined;
  sharePromptMinTokens: number | false;
  snapshotDir: string;
}
