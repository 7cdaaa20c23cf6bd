/**
 * The OpenAI engine's defaults, in a module without zod or the engine, so the command table can show
 * them without loading either.
 */
import type { OpenAIEngineOptions } from "./types.js";

export const defaultOpenAIEngineOptions = {
  concurrency: 16,
  timeoutMs: 600_000,
  retries: 3,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
  samplesPerRequest: 1,
  choiceSeeding: "offset",
  deterministicSeeds: true,
  prefill: "continue_final_message",
  topLogprobs: 20,
  tokenProbabilities: true,
  maxTokensParam: "max_tokens",
  neutralSamplers: true,
} satisfies Partial<OpenAIEngineOptions>;
