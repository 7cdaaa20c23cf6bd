/**
 * Draws the k samples of one listwise prompt (a rating of one answer, or a 4-way ranking): sample
 * store first, engine for the rest, in one engine call, as `drawJudgeSamples` does for pairs. Every
 * sample is put into the store the moment the engine returns it, so a killed run resumes without
 * generating it again.
 *
 * Store keys. A listwise sample lives in the same store (`SampleCache`) as pairwise ones and can
 * never be served in place of one, nor the reverse: its template hash is a listwise template's
 * (whose hashed content carries protocol "rating" or "ranking", which no pairwise template has),
 * and its pair id is `rating:<hash>` / `ranking:<hash>`, a hash of the values the prompt was filled
 * with (question and answers, in their slots), never a data set's pair id. So a rating is stored by
 * what was rated: the same answer to the same question under the same template, seed and sampling
 * is one sample whichever run (eval, bon, serve) asks for it, and changed data can never be served a
 * stale sample.
 */
import { createHash } from "node:crypto";
import type { Engine, GeneratedSample, SamplingConfig } from "../engine/types.js";
import type { ChatMessage, PairId } from "../types.js";
import { drawCachedSamples } from "./drawCachedSamples.js";
import { hash32 } from "./hash32.js";
import { parseRanking, parseRating, type RankingSlot } from "./parseListwise.js";
import { samplingKey } from "./samplingKey.js";
import { formatTemplateString } from "./templates/formatTemplateString.js";
import { type ListwiseTemplate, listwiseTemplateHash } from "./templates/listwiseTemplates.js";
import type { JudgeSample, SampleCache, SampleKey } from "./types.js";

export interface ListwiseSample {
  /** The answer rated (rating prompts). */
  response?: number;
  index: number;
  seed: number;
  text: string;
  /** The rating or letter parsed; null when nothing parsed. */
  parsed: number | RankingSlot | null;
  completionTokens: number;
  stopReason: string;
  /** True when this sample was read from the store instead of generated. */
  cached?: true;
}

export interface ListwiseDrawConfig {
  k: number;
  seed: number;
  sampling: SamplingConfig;
  cache?: SampleCache;
}

export interface ListwiseDraw {
  /** In index order. */
  samples: ListwiseSample[];
  /** Prompt tokens the engine evaluated (0 when every sample came from the store). */
  promptTokens: number;
  /** Engine failures. */
  errors: string[];
}

/** The store's pair id of a listwise prompt: its protocol and a hash of the values that filled it. */
export function listwiseSampleId(
  template: ListwiseTemplate,
  values: Readonly<Record<string, string>>,
): PairId {
  const canonical = JSON.stringify(
    Object.keys(values)
      .sort()
      .map((name) => [name, values[name]]),
  );
  return `${template.protocol}:${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}` as PairId;
}

/**
 * Samples 0…k−1 of one prompt. `tag` names the prompt in the seeds (sample i has seed
 * `hash32(seed, tag, i)`); `response` is recorded on each sample of a rating.
 */
export async function drawListwiseSamples(
  engine: Engine,
  template: ListwiseTemplate,
  values: Readonly<Record<string, string>>,
  config: ListwiseDrawConfig,
  at: { tag: string; response?: number },
  signal?: AbortSignal,
): Promise<ListwiseDraw> {
  const { k, seed, sampling, cache } = config;
  const parse = template.protocol === "rating" ? parseRating : parseRanking;
  const pairId = listwiseSampleId(template, values);
  const templateHash = listwiseTemplateHash(template);
  const keys: SampleKey[] = Array.from({ length: k }, (_, index) => ({
    modelId: engine.info.modelId,
    templateHash,
    pairId,
    order: "AB",
    index,
    seed: hash32(seed, at.tag, index),
    samplingKey: samplingKey(sampling),
  }));
  const toSample = (
    key: SampleKey,
    source: { text: string; completionTokens: number; stopReason: string },
    cached: boolean,
  ): ListwiseSample => ({
    ...(at.response !== undefined ? { response: at.response } : {}),
    index: key.index,
    seed: key.seed,
    text: source.text,
    // Parsed again when read from the store, so a parser fix applies to stored samples too.
    parsed: source.stopReason === "error" || source.stopReason === "abort" ? null : parse(source.text),
    completionTokens: source.completionTokens,
    stopReason: source.stopReason,
    ...(cached ? { cached: true as const } : {}),
  });

  const messages: ChatMessage[] = [
    ...(template.system ? [{ role: "system" as const, content: template.system }] : []),
    { role: "user" as const, content: formatTemplateString(template.user, values) },
  ];
  return drawCachedSamples(
    engine,
    keys,
    { messages, sampling },
    {
      cache,
      toSample,
      toStored: (key, raw) => storedSample(template, key, raw),
      label: "",
      ...(signal ? { signal } : {}),
    },
  );
}

/**
 * A listwise sample in the store's record. The store's verdict column is a pairwise verdict, which a
 * rating or ranking is not: it holds "error" with the reason saying what the sample is, and the
 * rating or letter is parsed from the text whenever the sample is read.
 */
function storedSample(template: ListwiseTemplate, key: SampleKey, raw: GeneratedSample): JudgeSample {
  return {
    order: key.order,
    index: key.index,
    seed: key.seed,
    text: raw.text,
    ...(raw.tokens ? { tokens: raw.tokens } : {}),
    verdict: "error",
    parseError: `listwise ${template.protocol} sample (${template.id}); parsed from its text when read`,
    completionTokens: raw.completionTokens,
    stopReason: raw.stopReason,
  };
}
