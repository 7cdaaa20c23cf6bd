/**
 * Draws samples [from, to) of one (pair, display order): store first, engine for the rest, in one
 * engine call. Sample i always has seed `sampleSeed(seed, pair, order, i)` whatever the range, so
 * cached, resumed, adaptive and full runs agree sample for sample. Which ranges are drawn, and when
 * to stop, is `sampleVerdicts`' decision.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine, GeneratedSample } from "../engine/types.js";
import { AbortedError, throwIfAborted } from "../errors.js";
import type { ChatMessage } from "../types.js";
import { parseVerdict } from "./parseVerdict.js";
import { promptHash } from "./promptHash.js";
import type { JudgeConfig } from "./resolveJudgeConfig.js";
import { sampleMatchesTokens } from "./sampleMatchesTokens.js";
import { sampleSeed } from "./sampleSeed.js";
import { samplingKey } from "./samplingKey.js";
import type { JudgeSample, Order, SampleKey } from "./types.js";

export interface DrawJudgeSamplesResult {
  /** In index order. */
  samples: JudgeSample[];
  promptTokens: number;
  /** Engine failures; the range stops at the first. */
  errors: string[];
}

export async function drawJudgeSamples(
  engine: Engine,
  pair: PreferencePair,
  order: Order,
  messages: ChatMessage[],
  config: JudgeConfig,
  range: { from: number; to: number },
  signal?: AbortSignal,
): Promise<DrawJudgeSamplesResult> {
  const { cache, seed, sampling, template } = config;
  const samples: JudgeSample[] = [];
  const errors: string[] = [];
  let promptTokens = 0;
  const keyOf = (index: number): SampleKey => ({
    modelId: engine.info.modelId,
    templateHash: config.templateHash,
    pairId: pair.id,
    order,
    index,
    seed: sampleSeed(seed, pair.id, order, index),
    samplingKey: samplingKey(sampling),
  });

  // Only engines that report token ids can have a sample checked against them.
  const detokenize = engine.detokenize?.bind(engine);
  const suspect = new Set<number>();
  const missing: SampleKey[] = [];
  for (let index = range.from; index < range.to; index++) {
    const key = keyOf(index);
    const hit = cache?.get(key);
    if (hit && (!detokenize || sampleMatchesTokens(hit, detokenize))) {
      samples.push(toJudgeSample(hit.text, hit, key, config, true));
    } else {
      // A stored sample that does not match its tokens (or predates stored tokens) is regenerated
      // and replaced, never served.
      if (hit) suspect.add(index);
      missing.push(key);
    }
  }
  if (missing.length > 0) {
    throwIfAborted(signal);
    let generated: GeneratedSample[] | undefined;
    try {
      const result = await engine.generate({
        messages,
        seeds: missing.map((key) => key.seed),
        sampling,
        assistantPrefix: template.assistantPrefix,
        signal,
      });
      promptTokens += result.promptTokens;
      generated = matchSeeds(result.samples, missing);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (error instanceof AbortedError) throw error;
      errors.push(`${order}: ${error instanceof Error ? error.message : String(error)}`);
    }
    throwIfAborted(signal);
    for (const [i, key] of generated ? missing.entries() : []) {
      const raw = generated![i]!;
      const sample = toJudgeSample(raw.text, raw, key, config, false);
      samples.push(sample);
      if (raw.stopReason === "error" || raw.stopReason === "abort") {
        errors.push(`${order}#${key.index}: engine stopped the sample with "${raw.stopReason}"`);
      } else if (detokenize && !sampleMatchesTokens(raw, detokenize)) {
        errors.push(`${order}#${key.index}: engine returned a sample whose text is not its tokens' text`);
      } else {
        cache?.put(key, sample, {
          replace: suspect.has(key.index),
          promptHash: promptHash({ messages, assistantPrefix: template.assistantPrefix }),
        });
      }
    }
  }
  samples.sort((a, b) => a.index - b.index);
  return { samples, promptTokens, errors };
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

function toJudgeSample(
  text: string,
  source: { completionTokens: number; stopReason: string; tokens?: number[] },
  key: SampleKey,
  config: JudgeConfig,
  cached: boolean,
): JudgeSample {
  // Re-parsed even when cached, so a parser fix applies to stored samples too.
  const parsed =
    source.stopReason === "error" || source.stopReason === "abort"
      ? ({ verdict: "error", reason: "engine error" } as const)
      : parseVerdict((config.template.assistantPrefix ?? "") + text, {
          format: config.verdictFormat,
          truncated: source.stopReason === "maxTokens",
        });
  const sample: JudgeSample = {
    order: key.order,
    index: key.index,
    seed: key.seed,
    text,
    ...(source.tokens ? { tokens: source.tokens } : {}),
    verdict: parsed.verdict === "error" ? "error" : undoOrder(parsed.verdict, key.order),
    completionTokens: source.completionTokens,
    stopReason: source.stopReason,
  };
  if (parsed.verdict === "error") sample.parseError = parsed.reason;
  if (cached) sample.cached = true;
  return sample;
}

/** A display-slot verdict as a verdict about the pair's own responses. */
export function undoOrder(displayVerdict: "A" | "B", order: Order): "A" | "B" {
  if (order === "AB") return displayVerdict;
  return displayVerdict === "A" ? "B" : "A";
}
