/**
 * The pointwise judge: one answer to one question rated 1–10 (RewardBench 2's `--score_w_ratings`
 * prompt), k samples, the rating the mean of those that parsed. It rates the answers of a listwise
 * row (`createListwiseJudge`), and is a `ScalarScorer` for Best-of-N (`genrm bon --listwise rating`)
 * and the reward server's per-response reward (`genrm serve --listwise rating`).
 *
 * Seeds and store keys depend on what is rated (template, question, answer), not on where it came
 * from, so eval, bon and serve rating the same answer draw, store and reuse the same samples.
 */
import type { Engine, SamplingConfig } from "../engine/types.js";
import { defaultSampling } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import type { ChatMessage, ModelId, TemplateHash } from "../types.js";
import {
  drawListwiseSamples,
  type ListwiseDrawConfig,
  type ListwiseSample,
  listwiseSampleId,
} from "./drawListwiseSamples.js";
import {
  type ListwiseTemplate,
  listwiseTemplateHash,
  ratingTemplate,
} from "./templates/listwiseTemplates.js";
import type { SampleCache } from "./types.js";

/** The mark of a rating that did not parse, as the reference marks it (`get_single_rating`). */
export const failedRating = -1;

export interface RatingJudgeOptions {
  /** Samples per answer. Defaults to 1 (the reference's single greedy judgment). */
  k?: number;
  seed?: number;
  sampling?: SamplingConfig;
  template?: ListwiseTemplate;
  /** Sample store: samples found there are not generated again; new ones are put as they arrive. */
  cache?: SampleCache;
}

export const defaultRatingJudgeOptions = { k: 1, seed: 0 } as const;

export interface ListwiseUsage {
  /** Prompt tokens the engine evaluated (none for samples served from the store). */
  promptTokens: number;
  completionTokens: number;
  /** Samples drawn, generated or read from the store. */
  samples: number;
  /** Samples read from the store. */
  cachedSamples: number;
}

export interface Rating {
  /** Mean of the parsed ratings; null when none parsed. */
  rating: number | null;
  samples: ListwiseSample[];
  usage: ListwiseUsage;
  errors: string[];
}

export interface RatingJudge {
  /** As a `ScalarScorer`. */
  readonly name: string;
  readonly info: {
    modelId: ModelId;
    modelName: string;
    protocol: "rating";
    templateId: string;
    templateHash: TemplateHash;
    k: number;
    seed: number;
    sampling: SamplingConfig;
  };
  /**
   * Several answers sharing the top rating share the pick, as RewardBench 2 credits a tie at the top
   * (`(0 in winners) / len(winners)`): selections made on these scores report the tied answers.
   */
  readonly ties: "split";
  rate(prompt: readonly ChatMessage[], response: string, options?: { signal?: AbortSignal }): Promise<Rating>;
  /** `rate`'s rating, `failedRating` (−1) when none parsed: below every real rating, as in the reference. */
  score(prompt: ChatMessage[], response: string, options?: { signal?: AbortSignal }): Promise<number>;
  scoreWithUsage(
    prompt: ChatMessage[],
    response: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ score: number; promptTokens: number; completionTokens: number }>;
}

export function createRatingJudge(engine: Engine, options: RatingJudgeOptions = {}): RatingJudge {
  const config = listwiseDrawConfig(options);
  const template = options.template ?? ratingTemplate;
  const rate: RatingJudge["rate"] = (prompt, response, { signal } = {}) =>
    rateAnswer(engine, template, questionOf(prompt, "rating"), response, config, undefined, signal);
  return ratingJudgeFrom(
    {
      name: `${engine.info.modelName} rating`,
      info: {
        modelId: engine.info.modelId,
        modelName: engine.info.modelName,
        protocol: "rating",
        templateId: template.id,
        templateHash: listwiseTemplateHash(template),
        k: config.k,
        seed: config.seed,
        sampling: config.sampling,
      },
    },
    rate,
  );
}

/** A rating judge around its `rate` (the reward server wraps `rate` in its scheduler). */
export function ratingJudgeFrom(
  identity: Pick<RatingJudge, "name" | "info">,
  rate: RatingJudge["rate"],
): RatingJudge {
  return {
    name: identity.name,
    info: identity.info,
    ties: "split",
    rate,
    async score(prompt, response, opts) {
      return (await rate(prompt, response, opts)).rating ?? failedRating;
    },
    async scoreWithUsage(prompt, response, opts) {
      const r = await rate(prompt, response, opts);
      return {
        score: r.rating ?? failedRating,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
      };
    },
  };
}

/** k, seed and sampling resolved and checked, with the store. */
export function listwiseDrawConfig(options: {
  k?: number;
  seed?: number;
  sampling?: SamplingConfig;
  cache?: SampleCache;
}): ListwiseDrawConfig {
  const k = options.k ?? defaultRatingJudgeOptions.k;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError([`k: must be an integer ≥ 1, got ${k}`]);
  return {
    k,
    seed: options.seed ?? defaultRatingJudgeOptions.seed,
    sampling: options.sampling ?? defaultSampling,
    ...(options.cache ? { cache: options.cache } : {}),
  };
}

/** One answer rated: k samples, the mean of the parsed ratings. */
export async function rateAnswer(
  engine: Engine,
  template: ListwiseTemplate,
  question: string,
  answer: string,
  config: ListwiseDrawConfig,
  response?: number,
  signal?: AbortSignal,
): Promise<Rating> {
  const values = { question, answer };
  const drawn = await drawListwiseSamples(
    engine,
    template,
    values,
    config,
    { tag: listwiseSampleId(template, values), ...(response !== undefined ? { response } : {}) },
    signal,
  );
  const parsed = drawn.samples.flatMap((s) => (typeof s.parsed === "number" ? [s.parsed] : []));
  return {
    rating: parsed.length === 0 ? null : parsed.reduce((a, b) => a + b, 0) / parsed.length,
    samples: drawn.samples,
    usage: usageOf(drawn.samples, drawn.promptTokens),
    errors: drawn.errors,
  };
}

export function usageOf(samples: readonly ListwiseSample[], promptTokens: number): ListwiseUsage {
  return {
    promptTokens,
    completionTokens: samples.reduce((n, s) => n + s.completionTokens, 0),
    samples: samples.length,
    cachedSamples: samples.filter((s) => s.cached).length,
  };
}

/** The one question of a single-turn prompt; the listwise templates take no conversation. */
export function questionOf(prompt: readonly ChatMessage[], what: string): string {
  if (prompt.filter((m) => m.role !== "system").length > 1) {
    // RewardBench 2's listwise prompts are single-turn (run_judge_ratings_multi refuses multi-turn).
    throw new ConfigError([
      `${what} has a multi-turn prompt; the rating and ranking templates take one question`,
    ]);
  }
  const last = prompt.at(-1);
  if (last?.role !== "user") throw new ConfigError([`${what}: the prompt must end with a user turn`]);
  return last.content;
}
