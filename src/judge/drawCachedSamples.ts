/**
 * The store-then-engine loop under every judge's sampling (pairwise `drawJudgeSamples`, listwise
 * `drawListwiseSamples`): each key is served from the sample store when its stored sample matches
 * its tokens, and the rest are generated in one engine call for one prompt. A fresh sample is stored
 * the moment it exists, with the prompt's hash, unless the engine stopped it or its text is not its
 * tokens' text (then it is reported, never stored). A stored sample that failed the token check is
 * regenerated and replaced, never served.
 */
import type { Engine, GeneratedSample, SamplingConfig } from "../engine/types.js";
import { AbortedError, throwIfAborted } from "../errors.js";
import type { ChatMessage } from "../types.js";
import { promptHash } from "./promptHash.js";
import { sampleMatchesTokens } from "./sampleMatchesTokens.js";
import type { JudgeSample, SampleCache, SampleKey } from "./types.js";

export interface CachedDrawRequest {
  messages: ChatMessage[];
  assistantPrefix?: string;
  sampling: SamplingConfig;
}

export interface CachedDrawOptions<S> {
  cache: SampleCache | undefined;
  /** The caller's sample, from a stored one (`cached`) or a fresh one. */
  toSample(key: SampleKey, source: JudgeSample | GeneratedSample, cached: boolean): S;
  /** The store's record of a fresh sample. */
  toStored(key: SampleKey, raw: GeneratedSample, sample: S): JudgeSample;
  /** Prefixes error messages: `<label>: …` and `<label>#<index>: …` (e.g. the display order). */
  label: string;
  signal?: AbortSignal;
}

export interface CachedDraw<S> {
  /** In key order. */
  samples: S[];
  promptTokens: number;
  errors: string[];
}

export async function drawCachedSamples<S>(
  engine: Engine,
  keys: readonly SampleKey[],
  request: CachedDrawRequest,
  options: CachedDrawOptions<S>,
): Promise<CachedDraw<S>> {
  const { cache, toSample, toStored, label, signal } = options;
  const samples = new Map<number, S>();
  const errors: string[] = [];
  let promptTokens = 0;
  // Only engines that report token ids can have a sample checked against them.
  const detokenize = engine.detokenize?.bind(engine);
  const suspect = new Set<number>();
  const missing: SampleKey[] = [];
  for (const key of keys) {
    const hit = cache?.get(key);
    if (hit && (!detokenize || sampleMatchesTokens(hit, detokenize)))
      samples.set(key.index, toSample(key, hit, true));
    else {
      if (hit) suspect.add(key.index);
      missing.push(key);
    }
  }
  if (missing.length > 0) {
    throwIfAborted(signal);
    const { messages, assistantPrefix, sampling } = request;
    let generated: GeneratedSample[] | undefined;
    try {
      const result = await engine.generate({
        messages,
        seeds: missing.map((key) => key.seed),
        sampling,
        ...(assistantPrefix !== undefined ? { assistantPrefix } : {}),
        ...(signal ? { signal } : {}),
      });
      promptTokens += result.promptTokens;
      generated = matchSeeds(result.samples, missing);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (error instanceof AbortedError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      errors.push(label ? `${label}: ${message}` : message);
    }
    throwIfAborted(signal);
    const hash = generated
      ? promptHash({ messages, ...(assistantPrefix !== undefined ? { assistantPrefix } : {}) })
      : "";
    for (const [i, key] of generated ? missing.entries() : []) {
      const raw = generated![i]!;
      const sample = toSample(key, raw, false);
      samples.set(key.index, sample);
      if (raw.stopReason === "error" || raw.stopReason === "abort") {
        errors.push(`${label}#${key.index}: engine stopped the sample with "${raw.stopReason}"`);
      } else if (detokenize && !sampleMatchesTokens(raw, detokenize)) {
        errors.push(`${label}#${key.index}: engine returned a sample whose text is not its tokens' text`);
      } else {
        cache?.put(key, toStored(key, raw, sample), { replace: suspect.has(key.index), promptHash: hash });
      }
    }
  }
  return {
    samples: [...samples.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s),
    promptTokens,
    errors,
  };
}

/** The generated samples in the order of `keys`, matched by seed (an engine may return them in any order). */
export function matchSeeds(
  samples: readonly GeneratedSample[],
  keys: readonly { seed: number }[],
): GeneratedSample[] {
  if (samples.length !== keys.length) {
    throw new Error(`engine returned ${samples.length} samples for ${keys.length} seeds`);
  }
  return keys.map((key, i) => {
    const sample = samples[i]!.seed === key.seed ? samples[i] : samples.find((s) => s.seed === key.seed);
    if (!sample) throw new Error(`engine returned no sample for seed ${key.seed}`);
    return sample;
  });
}
