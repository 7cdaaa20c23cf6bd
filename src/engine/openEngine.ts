/**
 * One entry point from a user's engine choice to an Engine: a GGUF path runs embedded through
 * node-llama-cpp; base URLs run against OpenAI-compatible servers. Engine modules are imported
 * lazily so HTTP users never load llama.cpp binaries.
 */
import fs from "node:fs";
import { ConfigError, NotFoundError } from "../errors.js";
import type { OpenAIEngineOptions } from "./openai/types.js";
import type { Engine } from "./types.js";

export interface EngineSpec {
  /** A GGUF file (embedded) or a served model name (HTTP). */
  model?: string;
  /** OpenAI-compatible base URLs; when present the engine is HTTP. */
  baseUrls?: string[];
  /** Embedded: CPU threads. Defaults to the real core count. */
  threads?: number;
  /** Embedded: sequences decoded in parallel in one context. */
  parallelSequences?: number;
  /** Embedded: context size in tokens. */
  contextSize?: number;
  /** Embedded: GGUF LoRA adapters. */
  lora?: { path: string; scale?: number }[];
  /** HTTP: requests in flight. */
  concurrency?: number;
  /** HTTP: per-request timeout. */
  timeoutMs?: number;
  /** HTTP: retries on transient failures. */
  retries?: number;
  /** HTTP: request shape options (see `OpenAIEngineOptions`). */
  http?: HttpRequestOptions;
}

/** The OpenAI engine's request-shape options a user sets from the command line. */
export type HttpRequestOptions = Pick<
  OpenAIEngineOptions,
  "extraBody" | "prefill" | "samplesPerRequest" | "neutralSamplers" | "modelId"
>;

export async function openEngine(spec: EngineSpec): Promise<Engine> {
  if (spec.baseUrls && spec.baseUrls.length > 0) {
    const { openOpenAIEngine } = await import("./openai/index.js");
    return openOpenAIEngine({
      baseUrls: spec.baseUrls,
      ...(spec.model ? { model: spec.model } : {}),
      ...(spec.concurrency !== undefined ? { concurrency: spec.concurrency } : {}),
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
      ...(spec.retries !== undefined ? { retries: spec.retries } : {}),
      ...spec.http,
    });
  }
  if (!spec.model) {
    throw new ConfigError(["model: a GGUF file path, or --base-url with a served model name"], {
      hint: "pass --model path/to/model.gguf, or --base-url http://host:8000/v1 --model NAME",
    });
  }
  if (!fs.existsSync(spec.model)) {
    throw new NotFoundError(`model file not found: ${spec.model}`, {
      hint: "pass a GGUF file path, or --base-url for an OpenAI-compatible server",
    });
  }
  const { openLlamaCppEngine } = await import("./llamacpp/index.js");
  return openLlamaCppEngine({
    modelPath: spec.model,
    ...(spec.threads !== undefined ? { threads: spec.threads } : {}),
    ...(spec.parallelSequences !== undefined ? { parallelSequences: spec.parallelSequences } : {}),
    ...(spec.contextSize !== undefined ? { contextSize: spec.contextSize } : {}),
    ...(spec.lora ? { lora: spec.lora } : {}),
  });
}
