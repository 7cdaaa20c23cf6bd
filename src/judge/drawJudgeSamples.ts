/**
 * Draws samples [from, to) of one (pair, display order): store first, engine for the rest, in one
 * engine call. Sample i always has seed `sampleSeed(seed, pair, order, i)` whatever the range, so
 * cached, resumed, adaptive and full runs agree sample for sample. Which ranges are drawn, and when
 * to stop, is `sampleVerdicts`' decision.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import type { ChatMessage } from "../types.js";
import { drawCachedSamples } from "./drawCachedSamples.js";
import { parseVerdict } from "./parseVerdict.js";
import type { JudgeConfig } from "./resolveJudgeConfig.js";
import { sampleSeed } from "./sampleSeed.js";
import { samplingKey } from "./samplingKey.js";
import type { JudgeSample, Order, SampleKey } from "./types.js";

export { matchSeeds } from "./drawCachedSamples.js";

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
  const { seed, sampling, template } = config;
  const keys: SampleKey[] = [];
  for (let index = range.from; index < range.to; index++) {
    keys.push({
      modelId: engine.info.modelId,
      templateHash: config.templateHash,
      pairId: pair.id,
      order,
      index,
      seed: sampleSeed(seed, pair.id, order, index),
      samplingKey: samplingKey(sampling),
    });
  }
  return drawCachedSamples(
    engine,
    keys,
    {
      messages,
      sampling,
      ...(template.assistantPrefix !== undefined ? { assistantPrefix: template.assistantPrefix } : {}),
    },
    {
      cache: config.cache,
      toSample: (key, source, cached) => toJudgeSample(source.text, source, key, config, cached),
      // The judge's sample is the store's record.
      toStored: (_key, _raw, sample) => sample,
      label: order,
      ...(signal ? { signal } : {}),
    },
  );
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
