/**
 * The Engine over OpenAI-compatible HTTP servers (vLLM, SGLang, llama-server, Ollama, hosted APIs):
 * `POST {baseUrl}/chat/completions`, non-streaming, one or several endpoints shared round-robin.
 *
 * Contract:
 * - `generate`: one request per seed, or one per run of consecutive seeds with `n` (see
 *   planSeedRequests). Sample text is the generated continuation only, never the forced prefix.
 *   `promptTokens` is summed over the HTTP requests (each evaluates the prompt once).
 * - `tokenProbabilities`: one greedy 1-token request with `logprobs`/`top_logprobs`; candidates are
 *   matched by token text (matchCandidateLogprobs).
 * - Transient failures (network, timeout, 408/409/429/5xx) are retried on the next available
 *   endpoint with back-off (EndpointPool); other 4xx fail at once with the server's message.
 * - Aborts reject with AbortedError; calls in flight when `dispose()` runs reject with DisposedError.
 *
 * Not here: streaming, tool calls, the legacy `/completions` endpoint, tokenization over HTTP.
 */
import { setMaxListeners } from "node:events";
import http from "node:http";
import https from "node:https";
import pLimit, { type LimitFunction } from "p-limit";
import {
  AbortedError,
  DisposedError,
  EngineError,
  InputError,
  throwIfAborted,
  UnsupportedError,
} from "../../errors.js";
import type { ChatMessage, ModelId } from "../../types.js";
import type {
  Engine,
  EngineInfo,
  GeneratedSample,
  GenerateRequest,
  GenerateResult,
  StopReason,
  TokenProbabilitiesRequest,
  TokenProbabilitiesResult,
} from "../types.js";
import { EndpointPool, parseRetryAfter } from "./EndpointPool.js";
import { httpRequest, TransportError } from "./httpRequest.js";
import { matchCandidateLogprobs } from "./matchCandidateLogprobs.js";
import { maxSeed, planSeedRequests, type SeedRequest } from "./planSeedRequests.js";
import { resolveOpenAIEngineConfig } from "./resolveOpenAIEngineConfig.js";
import {
  type ChatCompletion,
  type ChatCompletionChoice,
  chatCompletionSchema,
  modelListSchema,
  type OpenAIEngineConfig,
  type OpenAIEngineOptions,
  type TopLogprob,
} from "./types.js";

/** HTTP statuses worth another attempt: timeouts, conflicts, rate limits and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export async function openOpenAIEngine(options: OpenAIEngineOptions): Promise<OpenAIEngine> {
  return OpenAIEngine._create(options);
}

export class OpenAIEngine implements Engine {
  readonly info: EngineInfo;
  /** Resolved settings, without the API key. */
  readonly config: Readonly<Omit<OpenAIEngineConfig, "apiKey">>;
  private readonly pool: EndpointPool;
  private readonly transport: Transport;
  private readonly model: string;
  private disposedFlag = false;
  /** Set when a server answered an `n > 1` request with one choice: it ignores `n`, so stop sending it. */
  private nIgnored = false;

  private constructor(model: string, config: OpenAIEngineConfig, pool: EndpointPool, transport: Transport) {
    const { apiKey: _apiKey, ...publicConfig } = config;
    this.config = publicConfig;
    this.model = model;
    this.pool = pool;
    this.transport = transport;
    const seedsReproducible =
      config.deterministicSeeds && (config.samplesPerRequest === 1 || config.choiceSeeding === "offset");
    this.info = {
      kind: "openai",
      modelId: (config.modelId ?? `openai:${model}@${config.baseUrls[0]}`) as ModelId,
      modelName: model,
      supportsTokenProbabilities: config.tokenProbabilities,
      deterministicSeeds: seedsReproducible,
      requestFields: {
        ...(config.neutralSamplers ? { top_k: -1, min_p: 0 } : {}),
        ...config.extraBody,
      },
    };
  }

  /** @internal */
  static async _create(options: OpenAIEngineOptions): Promise<OpenAIEngine> {
    const config = resolveOpenAIEngineConfig(options);
    const pool = new EndpointPool(config.baseUrls, {
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
    });
    const transport = new Transport(config, pool);
    try {
      const model = config.model ?? (await discoverModel(transport, options.signal));
      return new OpenAIEngine(model, config, pool, transport);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Health of each endpoint: consecutive failures and when it is tried again (epoch ms, 0 = now). */
  get endpoints(): { baseUrl: string; failures: number; availableAt: number }[] {
    return this.pool.endpoints.map((e) => ({ ...e }));
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.assertNotDisposed();
    throwIfAborted(request.signal);
    validateMessages(request.messages);
    request.seeds.forEach((seed, i) => {
      if (!Number.isInteger(seed) || seed < 0 || seed > maxSeed) {
        throw new InputError("invalid seed", {
          field: `seeds[${i}]`,
          expected: `an integer in [0, ${maxSeed}]`,
          got: String(seed),
        });
      }
    });
    this.assertPrefillPossible(request.assistantPrefix);
    if (request.seeds.length === 0) return { samples: [], promptTokens: 0 };

    const samplesPerRequest = this.nIgnored ? 1 : this.config.samplesPerRequest;
    const plan = planSeedRequests(request.seeds, samplesPerRequest, this.config.choiceSeeding);
    const samples: GeneratedSample[] = new Array(request.seeds.length);
    let promptTokens = 0;
    let cachedPromptTokens: number | undefined;

    // One failed request fails the call; the others are cancelled rather than left running.
    const call = linkSignals(request.signal);
    try {
      const runRequest = async (part: SeedRequest): Promise<void> => {
        const seeds = request.seeds.slice(part.start, part.start + part.count);
        const completion = await this.transport.post(
          "/chat/completions",
          this.chatBody(request, part.count, part.seed),
          call.signal,
          request.signal,
        );
        promptTokens += completion.usage?.prompt_tokens ?? 0;
        const cached = completion.usage?.prompt_tokens_details?.cached_tokens;
        if (typeof cached === "number") cachedPromptTokens = (cachedPromptTokens ?? 0) + cached;
        const choices = orderChoices(completion.choices).slice(0, part.count);
        const counts = choiceTokenCounts(choices, completion, part.count);
        choices.forEach((choice, j) => {
          samples[part.start + j] = {
            text: withoutEchoedPrefix(choice.message?.content ?? "", request.assistantPrefix),
            completionTokens: counts[j],
            stopReason: mapStopReason(choice, request.stop),
            seed: seeds[j],
          };
        });
        if (choices.length < part.count) {
          if (choices.length === 0) {
            throw new EngineError("the server returned no choices", { retryable: false });
          }
          // The server ignored `n` (it answered one choice): the missing seeds get requests of their own.
          this.nIgnored = true;
          await Promise.all(
            seeds
              .slice(choices.length)
              .map((seed, k) => runRequest({ start: part.start + choices.length + k, count: 1, seed })),
          );
        }
      };
      await Promise.all(
        plan.map((part) =>
          runRequest(part).catch((error: unknown) => {
            call.abort();
            throw error;
          }),
        ),
      );
    } finally {
      call.dispose();
    }
    return { samples, promptTokens, ...(cachedPromptTokens !== undefined ? { cachedPromptTokens } : {}) };
  }

  async tokenProbabilities(request: TokenProbabilitiesRequest): Promise<TokenProbabilitiesResult> {
    this.assertNotDisposed();
    throwIfAborted(request.signal);
    if (!this.info.supportsTokenProbabilities) {
      throw new UnsupportedError(`token probabilities are switched off for ${this.info.modelId}`, {
        hint: "use sampled verdicts, or set tokenProbabilities: true if the server returns logprobs",
      });
    }
    validateMessages(request.messages);
    if (request.candidates.length === 0 || request.candidates.some((c) => c.length === 0)) {
      throw new InputError("candidates must be non-empty strings", {
        field: "candidates",
        got: JSON.stringify(request.candidates),
      });
    }
    this.assertPrefillPossible(request.assistantPrefix);
    const body: Record<string, unknown> = {
      ...this.config.extraBody,
      model: this.model,
      ...this.messagesWithPrefix(request.messages, request.assistantPrefix),
      [this.config.maxTokensParam]: 1,
      // Greedy, fixed seed: the logprobs are of the model's distribution and do not depend on sampling.
      temperature: 0,
      top_p: 1,
      seed: 0,
      logprobs: true,
      top_logprobs: this.config.topLogprobs,
    };
    const call = linkSignals(request.signal);
    let completion: ChatCompletion;
    try {
      completion = await this.transport.post("/chat/completions", body, call.signal, request.signal);
    } finally {
      call.dispose();
    }
    const first = completion.choices[0]?.logprobs?.content?.[0];
    if (!first) {
      throw new UnsupportedError(`${this.info.modelId} returned no logprobs for a logprobs request`, {
        hint: "this server does not support logprobs: set tokenProbabilities: false and use sampled verdicts",
      });
    }
    const top: TopLogprob[] = [...(first.top_logprobs ?? [])];
    // The sampled token is the most likely one; some servers leave it out of top_logprobs.
    if (!top.some((t) => t.token === first.token)) top.push({ token: first.token, logprob: first.logprob });
    const { logprobs, missing } = matchCandidateLogprobs(top, request.candidates);
    return {
      logprobs,
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      ...(missing.length > 0 ? { missingCandidates: missing } : {}),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private assertNotDisposed(): void {
    if (this.disposedFlag) throw new DisposedError("OpenAI engine");
  }

  private assertPrefillPossible(prefix: string | undefined): void {
    if (prefix && this.config.prefill === "none") {
      throw new UnsupportedError(
        `${this.info.modelId} cannot continue a forced assistant prefix (prefill: "none")`,
        {
          hint: 'use a server that supports prefill (vLLM, SGLang, llama-server) or set prefill: "assistant_message"',
        },
      );
    }
  }

  private messagesWithPrefix(messages: ChatMessage[], prefix: string | undefined): Record<string, unknown> {
    if (!prefix) return { messages };
    const withPrefix = [...messages, { role: "assistant", content: prefix }];
    if (this.config.prefill === "continue_final_message") {
      return { messages: withPrefix, continue_final_message: true, add_generation_prompt: false };
    }
    return { messages: withPrefix };
  }

  private chatBody(request: GenerateRequest, n: number, seed: number): Record<string, unknown> {
    const { sampling, stop } = request;
    return {
      ...this.info.requestFields,
      model: this.model,
      ...this.messagesWithPrefix(request.messages, request.assistantPrefix),
      [this.config.maxTokensParam]: sampling.maxTokens,
      temperature: sampling.temperature,
      top_p: sampling.topP,
      seed,
      ...(n > 1 ? { n } : {}),
      ...(stop && stop.length > 0 ? { stop } : {}),
      // With n > 1 servers report usage for the whole request (vLLM) or for the first choice only
      // (llama-server), so per-sample token counts come from the per-token logprobs list instead.
      ...(n > 1 && this.config.tokenProbabilities ? { logprobs: true, top_logprobs: 1 } : {}),
    };
  }
}

/**
 * Sends requests with the concurrency limit, failover and retries. Owns the keep-alive agents and
 * the signal that cancels everything on dispose. The API key lives only here, in an ES private
 * field, so printing the engine (console.log, util.inspect) never shows it.
 */
class Transport {
  private readonly config: Omit<OpenAIEngineConfig, "apiKey">;
  private readonly limit: LimitFunction;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly closed = new AbortController();
  readonly #headers: Record<string, string>;

  constructor(
    config: OpenAIEngineConfig,
    private readonly pool: EndpointPool,
  ) {
    const { apiKey, ...rest } = config;
    this.config = rest;
    this.limit = pLimit(config.concurrency);
    // Every request in flight listens on this signal; hundreds at once are normal, not a leak.
    setMaxListeners(0, this.closed.signal);
    const agentOptions = { keepAlive: true, maxSockets: config.concurrency };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.#headers = { ...config.headers };
    if (apiKey) this.#headers.authorization = `Bearer ${apiKey}`;
  }

  close(): void {
    this.closed.abort(new DisposedError("OpenAI engine"));
    this.limit.clearQueue();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async post(
    path: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
    userSignal: AbortSignal | undefined,
  ): Promise<ChatCompletion> {
    const json = await this.request("POST", path, JSON.stringify(body), signal, userSignal);
    const parsed = chatCompletionSchema.safeParse(json.value);
    if (!parsed.success) {
      throw new EngineError(
        `POST ${json.url} returned a body that is not a chat completion: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("; ")}`,
        { endpoint: json.endpoint, status: 200, retryable: false },
      );
    }
    return parsed.data;
  }

  async get(path: string, signal: AbortSignal | undefined): Promise<{ value: unknown; url: string }> {
    const call = linkSignals(signal);
    try {
      return await this.request("GET", path, undefined, call.signal, signal);
    } finally {
      call.dispose();
    }
  }

  /** Waits for a concurrency slot, then tries endpoints until one answers or attempts run out. */
  private async request(
    method: "GET" | "POST",
    path: string,
    body: string | undefined,
    signal: AbortSignal,
    userSignal: AbortSignal | undefined,
  ): Promise<{ value: unknown; url: string; endpoint: string }> {
    const both = linkSignals(signal, this.closed.signal);
    try {
      return await raceAbort(
        this.limit(() => this.attempts(method, path, body, both.signal, userSignal)),
        both.signal,
        () => this.abortError(userSignal),
      );
    } finally {
      both.dispose();
    }
  }

  private abortError(userSignal: AbortSignal | undefined): Error {
    if (this.closed.signal.aborted) return new DisposedError("OpenAI engine");
    return new AbortedError(userSignal?.aborted ? userSignal.reason : undefined);
  }

  private async attempts(
    method: "GET" | "POST",
    path: string,
    body: string | undefined,
    signal: AbortSignal,
    userSignal: AbortSignal | undefined,
  ): Promise<{ value: unknown; url: string; endpoint: string }> {
    const maxAttempts = this.config.retries + 1;
    let last: EngineError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (signal.aborted) throw this.abortError(userSignal);
      const { endpoint, waitMs } = this.pool.pick();
      if (waitMs > 0) {
        await sleep(waitMs, signal).catch(() => {
          throw this.abortError(userSignal);
        });
      }
      const url = `${endpoint.baseUrl}${path}`;
      const where = `${method} ${url} (attempt ${attempt} of ${maxAttempts})`;
      let response: Awaited<ReturnType<typeof httpRequest>>;
      try {
        response = await httpRequest(url, {
          method,
          headers: this.#headers,
          body,
          timeoutMs: this.config.timeoutMs,
          signal,
          agents: this.agents,
        });
      } catch (error) {
        if (error instanceof TransportError && error.kind === "aborted") throw this.abortError(userSignal);
        this.pool.reportFailure(endpoint);
        const reason = error instanceof Error ? error.message : String(error);
        last = new EngineError(
          `${where} failed: ${reason}`,
          { endpoint: endpoint.baseUrl, attempt, retryable: true },
          { cause: error },
        );
        continue;
      }
      if (response.status >= 200 && response.status < 300) {
        this.pool.reportSuccess(endpoint);
        try {
          return { value: JSON.parse(response.body), url, endpoint: endpoint.baseUrl };
        } catch (error) {
          throw new EngineError(
            `${where} returned HTTP ${response.status} with a body that is not JSON: ${truncate(response.body, 200)}`,
            { endpoint: endpoint.baseUrl, status: response.status, attempt, retryable: false },
            { cause: error },
          );
        }
      }
      const message = `${where} returned HTTP ${response.status}: ${serverErrorMessage(response.body)}`;
      if (!isRetryableStatus(response.status)) {
        // The endpoint is alive and answered; the request itself is wrong, so retrying cannot help.
        this.pool.reportSuccess(endpoint);
        throw new EngineError(
          message,
          { endpoint: endpoint.baseUrl, status: response.status, attempt, retryable: false },
          { hint: hintForStatus(response.status) },
        );
      }
      this.pool.reportFailure(endpoint, parseRetryAfter(response.headers["retry-after"]));
      last = new EngineError(message, {
        endpoint: endpoint.baseUrl,
        status: response.status,
        attempt,
        retryable: true,
      });
    }
    throw new EngineError(
      `giving up after ${maxAttempts} attempt${maxAttempts === 1 ? "" : "s"}; last: ${last?.message}`,
      { endpoint: last?.endpoint, status: last?.status, attempt: maxAttempts, retryable: true },
      {
        cause: last,
        hint: "check that the servers are up (GET /health or /v1/models), or raise retries/timeoutMs",
      },
    );
  }
}

async function discoverModel(transport: Transport, signal: AbortSignal | undefined): Promise<string> {
  const { value, url } = await transport.get("/models", signal);
  const parsed = modelListSchema.safeParse(value);
  if (!parsed.success) {
    throw new EngineError(`GET ${url} did not return a model list; pass the served model name as model`, {
      retryable: false,
    });
  }
  const ids = parsed.data.data.map((m) => m.id);
  if (ids.length === 1) return ids[0];
  if (ids.length === 0) {
    throw new EngineError(`GET ${url} lists no models; pass the served model name as model`, {
      retryable: false,
    });
  }
  throw new EngineError(
    `GET ${url} lists ${ids.length} models (${ids.slice(0, 8).join(", ")}${ids.length > 8 ? ", …" : ""}); pick one with model`,
    { retryable: false },
  );
}

function validateMessages(messages: ChatMessage[]): void {
  if (messages.length === 0)
    throw new InputError("no messages to send", { field: "messages", expected: "at least one" });
}

/**
 * llama-server returns a continued assistant message whole, forced prefix included; vLLM and SGLang
 * return only the new text. Samples are the continuation only, so a leading copy of the prefix is
 * removed. (A vLLM model that itself starts its continuation with the prefix loses that copy too.)
 */
function withoutEchoedPrefix(text: string, prefix: string | undefined): string {
  return prefix && text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** Choices in `index` order when the server numbers them 0..n-1, else as listed. */
function orderChoices(choices: ChatCompletionChoice[]): ChatCompletionChoice[] {
  const indexes = choices.map((c) => c.index);
  const valid =
    indexes.every((i): i is number => typeof i === "number") &&
    new Set(indexes).size === choices.length &&
    indexes.every((i) => i >= 0 && i < choices.length);
  return valid ? [...choices].sort((a, b) => (a.index as number) - (b.index as number)) : choices;
}

/**
 * Completion tokens per choice. One choice: the request's usage. Several: the length of each choice's
 * per-token logprobs list; without it (server ignored logprobs), the usage total split by text length,
 * which keeps the total right but is approximate per sample.
 */
function choiceTokenCounts(choices: ChatCompletionChoice[], completion: ChatCompletion, n: number): number[] {
  const usageTotal = completion.usage?.completion_tokens ?? 0;
  if (n === 1 && choices.length === 1) {
    return [usageTotal || (choices[0].logprobs?.content?.length ?? 0)];
  }
  if (choices.every((c) => Array.isArray(c.logprobs?.content))) {
    return choices.map((c) => c.logprobs?.content?.length ?? 0);
  }
  const lengths = choices.map((c) => (c.message?.content ?? "").length);
  const totalLength = lengths.reduce((a, b) => a + b, 0);
  return lengths.map((l) =>
    totalLength > 0 ? Math.round((usageTotal * l) / totalLength) : Math.round(usageTotal / choices.length),
  );
}

/**
 * OpenAI's "stop" covers both end-of-sequence and a stop string. vLLM (`stop_reason`) and SGLang
 * (`matched_stop`) say which: a string is a stop string, null or a token id is EOS. Servers that do
 * not say (llama-server) are read as "stop" when stop strings were given, else "eos".
 */
function mapStopReason(choice: ChatCompletionChoice, stop: string[] | undefined): StopReason {
  switch (choice.finish_reason) {
    case "length":
      return "maxTokens";
    case "stop": {
      const matched = choice.stop_reason ?? choice.matched_stop;
      if (typeof matched === "string") return "stop";
      if (matched === null || typeof matched === "number") return "eos";
      return stop && stop.length > 0 ? "stop" : "eos";
    }
    case "abort":
      return "abort";
    default:
      return "error";
  }
}

/** The server's own error text: OpenAI `{error: {message}}`, `{error: "..."}`, `{message}`, or the raw body. */
function serverErrorMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    if (json && typeof json === "object") {
      if (typeof json.error === "string") return truncate(json.error, 500);
      if (json.error && typeof json.error === "object") {
        const message = (json.error as { message?: unknown }).message;
        if (typeof message === "string") return truncate(message, 500);
      }
      if (typeof json.message === "string") return truncate(json.message, 500);
      if (typeof json.detail === "string") return truncate(json.detail, 500);
    }
  } catch {
    // Not JSON (a proxy's HTML page, plain text): fall through to the raw body.
  }
  return body.trim() === "" ? "(empty body)" : truncate(body.trim(), 500);
}

function hintForStatus(status: number): string | undefined {
  if (status === 401 || status === 403)
    return "set the API key with GENRM_API_KEY (or OPENAI_API_KEY, or apiKey)";
  if (status === 404) return "check the base URL (it usually ends in /v1) and the served model name";
  return undefined;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * A signal that aborts when any input aborts or when `abort()` is called; `dispose()` removes the
 * listeners so long-lived inputs (the engine's close signal) do not collect them.
 */
function linkSignals(...inputs: (AbortSignal | undefined)[]): {
  signal: AbortSignal;
  abort: () => void;
  dispose: () => void;
} {
  const controller = new AbortController();
  // One generate call fans out into a listener per HTTP request on this signal.
  setMaxListeners(0, controller.signal);
  const cleanups: (() => void)[] = [];
  for (const input of inputs) {
    if (!input) continue;
    if (input.aborted) {
      controller.abort(input.reason);
      break;
    }
    const onAbort = () => controller.abort(input.reason);
    input.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => input.removeEventListener("abort", onAbort));
  }
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    dispose: () => {
      for (const cleanup of cleanups) cleanup();
    },
  };
}

/** Rejects as soon as `signal` aborts, even while `promise` still waits in the concurrency queue. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, toError: () => Error): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(toError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
