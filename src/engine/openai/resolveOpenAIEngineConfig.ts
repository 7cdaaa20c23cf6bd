/**
 * Validates `OpenAIEngineOptions` once and fills in defaults. Every problem is reported together as
 * `dot.path: message` (a ConfigError), so a bad config is fixed in one round.
 */
import { z } from "zod";
import { ConfigError } from "../../errors.js";
import {
  defaultOpenAIEngineOptions,
  type OpenAIEngineConfig,
  type OpenAIEngineOptions,
  reservedBodyFields,
} from "./types.js";

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const optionsSchema = z.object({
  baseUrls: z.union([z.string(), z.array(z.string()).min(1, "at least one base URL is needed")]),
  model: z.string().min(1).optional(),
  apiKey: z.string().optional(),
  concurrency: positiveInt.optional(),
  timeoutMs: positiveInt.optional(),
  retries: nonNegativeInt.optional(),
  retryBaseDelayMs: nonNegativeInt.optional(),
  retryMaxDelayMs: nonNegativeInt.optional(),
  samplesPerRequest: positiveInt.optional(),
  choiceSeeding: z.enum(["offset", "unknown"]).optional(),
  deterministicSeeds: z.boolean().optional(),
  prefill: z.enum(["continue_final_message", "assistant_message", "none"]).optional(),
  topLogprobs: positiveInt.optional(),
  tokenProbabilities: z.boolean().optional(),
  maxTokensParam: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  neutralSamplers: z.boolean().optional(),
  modelId: z.string().min(1).optional(),
  extraBody: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/**
 * Normalises a base URL to the form the OpenAI SDKs use (`scheme://host[:port]/path`, the path being
 * what `/chat/completions` is appended to). Returns an error message for anything else.
 */
export function normaliseBaseUrl(raw: string): { url: string } | { error: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return { error: `not a URL: "${raw}" (expected e.g. http://localhost:8000/v1)` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { error: `unsupported protocol "${parsed.protocol}" in "${raw}" (expected http or https)` };
  }
  if (parsed.username || parsed.password) {
    // Credentials in URLs end up in logs and model ids; the key belongs in apiKey / GENRM_API_KEY.
    return { error: `credentials in the URL "${parsed.host}" are not allowed; use apiKey or GENRM_API_KEY` };
  }
  if (parsed.search || parsed.hash) {
    return { error: `query strings and fragments are not allowed in a base URL: "${raw}"` };
  }
  let path = parsed.pathname.replace(/\/+$/, "");
  if (path === "") path = "/v1";
  return { url: `${parsed.protocol}//${parsed.host}${path}` };
}

export function resolveOpenAIEngineConfig(
  options: OpenAIEngineOptions,
  env: NodeJS.ProcessEnv = process.env,
): OpenAIEngineConfig {
  const parsed = optionsSchema.safeParse(options);
  const issues: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".");
      issues.push(`${path || "(options)"}: ${issue.message}`);
    }
    throw new ConfigError(issues);
  }
  const o = parsed.data;
  const d = defaultOpenAIEngineOptions;

  const rawUrls = typeof o.baseUrls === "string" ? [o.baseUrls] : o.baseUrls;
  const baseUrls: string[] = [];
  rawUrls.forEach((raw, i) => {
    const result = normaliseBaseUrl(raw);
    if ("error" in result) issues.push(`baseUrls.${i}: ${result.error}`);
    else if (baseUrls.includes(result.url)) issues.push(`baseUrls.${i}: duplicate of ${result.url}`);
    else baseUrls.push(result.url);
  });

  const extraBody = o.extraBody ?? {};
  for (const key of reservedBodyFields) {
    if (key in extraBody) {
      issues.push(
        `extraBody.${key}: set by the engine itself; use the matching engine option or request field`,
      );
    }
  }
  const headers = o.headers ?? {};
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === "authorization") issues.push(`headers.${name}: use apiKey instead`);
  }
  const retryBaseDelayMs = o.retryBaseDelayMs ?? d.retryBaseDelayMs;
  const retryMaxDelayMs = o.retryMaxDelayMs ?? d.retryMaxDelayMs;
  if (retryMaxDelayMs < retryBaseDelayMs) {
    issues.push(
      `retryMaxDelayMs: ${retryMaxDelayMs} is below retryBaseDelayMs ${retryBaseDelayMs}; it must be at least as large`,
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);

  // An empty string in the environment means "no key", not a key of "".
  const apiKey = o.apiKey ?? (env.GENRM_API_KEY || undefined) ?? (env.OPENAI_API_KEY || undefined);

  return {
    baseUrls,
    model: o.model,
    apiKey,
    concurrency: o.concurrency ?? d.concurrency,
    timeoutMs: o.timeoutMs ?? d.timeoutMs,
    retries: o.retries ?? d.retries,
    retryBaseDelayMs,
    retryMaxDelayMs,
    samplesPerRequest: o.samplesPerRequest ?? d.samplesPerRequest,
    choiceSeeding: o.choiceSeeding ?? d.choiceSeeding,
    deterministicSeeds: o.deterministicSeeds ?? d.deterministicSeeds,
    prefill: o.prefill ?? d.prefill,
    topLogprobs: o.topLogprobs ?? d.topLogprobs,
    tokenProbabilities: o.tokenProbabilities ?? d.tokenProbabilities,
    maxTokensParam: o.maxTokensParam ?? d.maxTokensParam,
    neutralSamplers: o.neutralSamplers ?? d.neutralSamplers,
    modelId: o.modelId,
    extraBody,
    headers,
  };
}
