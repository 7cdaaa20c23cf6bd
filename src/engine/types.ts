/**
 * The one interface every inference engine implements: embedded node-llama-cpp on GGUF files, and
 * OpenAI-compatible HTTP servers. Judges, evaluation, STaR sampling and the reward server only ever
 * talk to this interface.
 */
import type { ChatMessage, ModelId } from "../types.js";

export interface SamplingConfig {
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  /** Maximum new tokens per sample. */
  maxTokens: number;
}

export const defaultSampling = {
  temperature: 1.0,
  topP: 0.95,
  maxTokens: 1024,
} satisfies SamplingConfig;

export interface GenerateRequest {
  messages: ChatMessage[];
  /**
   * One seed per sample. The number of samples is `seeds.length`. Sample i depends only on the
   * prompt, the sampling config and `seeds[i]` (for engines that can guarantee it), so a resumed
   * run can redo exactly the samples it lacks.
   */
  seeds: number[];
  sampling: SamplingConfig;
  /** Text appended after the chat template's assistant header (forced prefix of the answer). */
  assistantPrefix?: string;
  /** Stop strings; generation ends after the first occurrence (the stop string is kept out of text). */
  stop?: string[];
  signal?: AbortSignal;
}

export type StopReason = "eos" | "maxTokens" | "stop" | "abort" | "error";

export interface GeneratedSample {
  text: string;
  /**
   * The token ids the engine sampled, end-of-turn excluded, where it knows them (the embedded
   * engine does; OpenAI-style servers do not say). `text` is their detokenization, cut before the
   * first stop string when `stopReason` is "stop".
   */
  tokens?: number[];
  /** Tokens generated for this sample. */
  completionTokens: number;
  stopReason: StopReason;
  seed: number;
}

export interface GenerateResult {
  samples: GeneratedSample[];
  /** Prompt tokens evaluated (counted once per request, not per sample). */
  promptTokens: number;
  /** Prompt tokens served from a cache / shared prefix rather than evaluated, where known. */
  cachedPromptTokens?: number;
}

export interface TokenProbabilitiesRequest {
  messages: ChatMessage[];
  /** Forced start of the assistant's answer, e.g. "[[" so the next token is the verdict letter. */
  assistantPrefix?: string;
  /** Candidate continuations whose next-token probability is wanted, e.g. ["A", "B"]. */
  candidates: string[];
  signal?: AbortSignal;
}

export interface TokenProbabilitiesResult {
  /** Natural-log probability of each candidate's first token at the next position (-Infinity if absent). */
  logprobs: Record<string, number>;
  promptTokens: number;
  /**
   * Candidates the engine could not see (e.g. absent from an HTTP server's top-k logprobs list); their
   * logprob is -Infinity, meaning "below the k-th most likely token", not necessarily impossible.
   */
  missingCandidates?: string[];
}

export interface EngineInfo {
  /** "llamacpp" | "openai" | a baseline name. */
  kind: string;
  modelId: ModelId;
  /** Human-readable model name (file name or served model name). */
  modelName: string;
  /** Whether `tokenProbabilities` is supported (HTTP servers without logprobs say false). */
  supportsTokenProbabilities: boolean;
  /** Whether the same seed gives the same sample on a rerun. */
  deterministicSeeds: boolean;
  /** Tokens a prompt plus its generation can hold, where the engine knows it (embedded: yes). */
  contextSize?: number;
  /**
   * HTTP engines: the fields every sampled request carries beyond the sampling config (neutral
   * `top_k` / `min_p`, `extraBody`), recorded in run configs because they change what is sampled.
   */
  requestFields?: Record<string, unknown>;
}

/**
 * Characters per token above which a text cannot fit a context, checked before tokenizing (which
 * runs on the event loop and costs seconds for megabytes). Ordinary text runs 3 to 5 characters a
 * token; only padding-like runs of one character pack 16 or more, and refusing those loses nothing.
 */
export const maxCharsPerToken = 16;

export interface Engine {
  readonly info: EngineInfo;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  tokenProbabilities(request: TokenProbabilitiesRequest): Promise<TokenProbabilitiesResult>;
  /**
   * Text of generated token ids, exactly as `generate` builds a sample's text. Present on engines
   * whose samples carry `tokens`, so a stored sample can be checked against its tokens.
   */
  detokenize?(tokens: readonly number[]): string;
  /**
   * The prompt exactly as the model receives it: chat template applied, forced assistant prefix
   * appended, as token ids and their text with special tokens shown. Engines that leave the chat
   * template to a server (HTTP) do not have it.
   */
  renderPrompt?(
    messages: ChatMessage[],
    assistantPrefix?: string,
  ): Promise<{ tokens: number[]; text: string }>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
