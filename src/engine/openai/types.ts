/**
 * Options, resolved config and wire schemas of the OpenAI-compatible HTTP engine. The wire schemas
 * describe only the parts of `/v1/chat/completions` and `/v1/models` responses the engine reads, and
 * are loose on purpose: vLLM, SGLang, llama-server, Ollama and hosted APIs all add their own fields.
 */
import { z } from "zod";

/** How a server seeds the choices of one request with `n > 1` and `seed: s`. */
export type ChoiceSeeding =
  /** Choice j is sampled with seed `s + j` (vLLM v1 `ParentRequest`, llama-server `add_child`). */
  | "offset"
  /** Unknown or shared; samples from one request cannot be tied to single seeds. */
  | "unknown";

/**
 * How the server is told to continue a forced assistant prefix (`assistantPrefix`) instead of
 * starting a new assistant turn after it.
 */
export type PrefillMode =
  /**
   * Send the prefix as a final assistant message plus `continue_final_message: true,
   * add_generation_prompt: false` (vLLM, SGLang; llama-server accepts it too).
   */
  | "continue_final_message"
  /**
   * Send the prefix as a final assistant message and nothing else: llama-server continues it by
   * default (unless started with `--no-prefill-assistant`), as do Ollama's templates.
   */
  | "assistant_message"
  /** The server cannot prefill (most hosted APIs): a request with an assistant prefix is refused. */
  | "none";

export interface OpenAIEngineOptions {
  /**
   * Base URLs of one or more OpenAI-compatible servers that serve the same model, e.g.
   * `http://10.0.0.5:8000/v1`. Requests are shared round-robin; an endpoint that fails (network
   * error, timeout, 408/409/429/5xx) is skipped for a growing cool-down. A URL without a path gets
   * `/v1` appended; trailing slashes are removed.
   */
  baseUrls: string[] | string;
  /** Served model name (vLLM `--served-model-name`). Defaults to the only model listed by `GET /models`. */
  model?: string;
  /**
   * Bearer token. Defaults to env `GENRM_API_KEY`, then `OPENAI_API_KEY`, then none. It is sent only
   * in the Authorization header and never appears in errors, logs or `info`.
   */
  apiKey?: string;
  /** Most HTTP requests in flight at once, over all endpoints. Defaults to 16. */
  concurrency?: number;
  /** Limit for one HTTP request (connect, queue on the server, generation, body). Defaults to 600000 (10 min). */
  timeoutMs?: number;
  /** Retries after the first attempt, on network errors, timeouts, 408, 409, 429 and 5xx. Defaults to 3. */
  retries?: number;
  /** First back-off delay; it doubles per consecutive failure of an endpoint, with jitter. Defaults to 500. */
  retryBaseDelayMs?: number;
  /** Cap on one back-off delay, and on a server's `Retry-After`. Defaults to 30000. */
  retryMaxDelayMs?: number;
  /**
   * Most samples asked for in one request with the `n` parameter. 1 sends one request per seed
   * (works everywhere). Larger values let the server evaluate the prompt once for several samples;
   * llama-server caps `n` at its `--parallel` slots. Defaults to 1.
   */
  samplesPerRequest?: number;
  /** How the server seeds the choices of an `n > 1` request; see {@link ChoiceSeeding}. Defaults to "offset". */
  choiceSeeding?: ChoiceSeeding;
  /**
   * Whether the server gives the same sample for the same seed and prompt (vLLM, SGLang and
   * llama-server do, up to batch-dependent numerics; hosted APIs treat `seed` as best effort).
   * Defaults to true.
   */
  deterministicSeeds?: boolean;
  /** How a forced assistant prefix is sent; see {@link PrefillMode}. Defaults to "continue_final_message". */
  prefill?: PrefillMode;
  /** `top_logprobs` asked for by `tokenProbabilities` (OpenAI and vLLM allow at most 20 by default). Defaults to 20. */
  topLogprobs?: number;
  /** Whether the server returns logprobs, i.e. `tokenProbabilities` can work. Defaults to true. */
  tokenProbabilities?: boolean;
  /**
   * Name of the token-limit field: `max_tokens` (vLLM, SGLang, llama-server, Ollama) or
   * `max_completion_tokens` (OpenAI's newer models). Defaults to "max_tokens".
   */
  maxTokensParam?: "max_tokens" | "max_completion_tokens";
  /**
   * Extra JSON fields sent with every chat completion request: vLLM/SGLang sampling options
   * (`top_k`, `min_p`, `repetition_penalty`, `chat_template_kwargs`), llama-server's `cache_prompt`.
   * Fields the engine sets itself (model, messages, n, seed, sampling, stop, logprobs) are refused.
   */
  extraBody?: Record<string, unknown>;
  /**
   * Sampled requests carry `top_k: -1` and `min_p: 0` (unless `extraBody` sets them), so a sample is
   * drawn with temperature and top-p only, as the paper samples. llama-server and Ollama otherwise
   * add top-k 40 and min-p 0.05 (llama.cpp common/common.h, `common_params_sampling`, at 80fb11a);
   * vLLM and SGLang read -1 as "off". Set false for APIs that refuse the fields (OpenAI's own).
   * Defaults to true.
   */
  neutralSamplers?: boolean;
  /**
   * The identity samples are recorded and cached under. Defaults to `openai:<model>@<first URL>`;
   * callers that serve different weights under one name (a restarted server, LoRA adapters) pass
   * the weights' content identity here so the store never mixes their samples.
   */
  modelId?: string;
  /** Extra HTTP headers (e.g. OpenRouter's `HTTP-Referer`). Authorization comes from `apiKey`. */
  headers?: Record<string, string>;
  /** Cancels opening (the `GET /models` look-up). */
  signal?: AbortSignal;
}

export { defaultOpenAIEngineOptions } from "./openAIEngineDefaults.js";

/** Options after validation and defaults; `model` may still be unknown until `/models` is asked. */
export interface OpenAIEngineConfig {
  baseUrls: string[];
  model: string | undefined;
  apiKey: string | undefined;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  samplesPerRequest: number;
  choiceSeeding: ChoiceSeeding;
  deterministicSeeds: boolean;
  prefill: PrefillMode;
  topLogprobs: number;
  tokenProbabilities: boolean;
  maxTokensParam: "max_tokens" | "max_completion_tokens";
  neutralSamplers: boolean;
  modelId: string | undefined;
  extraBody: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Request fields the engine owns; `extraBody` may not set them. */
export const reservedBodyFields = [
  "model",
  "messages",
  "n",
  "seed",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "stream",
  "logprobs",
  "top_logprobs",
  "continue_final_message",
  "add_generation_prompt",
] as const;

const topLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

const tokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(topLogprobSchema).nullish(),
});

const choiceSchema = z.object({
  index: z.number().int().nullish(),
  message: z.object({ content: z.string().nullish() }).nullish(),
  finish_reason: z.string().nullish(),
  /** vLLM: the stop string (or token id) that ended the choice; null for EOS. */
  stop_reason: z.union([z.string(), z.number()]).nullish(),
  /** SGLang's name for the same. */
  matched_stop: z.union([z.string(), z.number()]).nullish(),
  logprobs: z.object({ content: z.array(tokenLogprobSchema).nullish() }).nullish(),
});

export const chatCompletionSchema = z.object({
  choices: z.array(choiceSchema),
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatCompletionChoice = z.infer<typeof choiceSchema>;
export type TopLogprob = z.infer<typeof topLogprobSchema>;

export const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });
