/**
 * Judges that see a multi-response row whole instead of in pairs: the rating judge scores each
 * answer 1–10 on its own (RewardBench 2's `--score_w_ratings`), the ranking judge shows four answers
 * and asks for the best (RewardBench 2's generative default). Both draw k samples per prompt and
 * vote: a rating is the mean of an answer's parsed ratings (−1 when none parsed, as the reference
 * marks a failed rating); a ranking is a plurality over the parsed letters, every letter sharing the
 * top count kept (`top`). With k = 1 both are exactly the reference's single judgment. As in the
 * reference, the ranking judge rates the answers of Ties rows (their score needs a scalar per answer)
 * and shows the chosen answer at a seeded position: it trades places with the answer there.
 */
import { type BenchmarkItem, isTiesRow } from "../data/adapters/expandItem.js";
import type { MultiResponseBenchmark } from "../data/types.js";
import type { Engine, SamplingConfig } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import type { ModelId, TemplateHash } from "../types.js";
import {
  failedRating,
  type ListwiseUsage,
  listwiseDrawConfig,
  questionOf,
  rateAnswer,
  usageOf,
} from "./createRatingJudge.js";
import { drawListwiseSamples, type ListwiseSample } from "./drawListwiseSamples.js";
import { hash32 } from "./hash32.js";
import { type RankingSlot, rankingSlots } from "./parseListwise.js";
import {
  type ListwiseTemplate,
  listwiseTemplateHash,
  rankingTemplate,
  ratingTemplate,
  ratingTiesTemplate,
} from "./templates/listwiseTemplates.js";
import type { SampleCache } from "./types.js";

export type { ListwiseSample } from "./drawListwiseSamples.js";

export type ListwiseProtocol = "rating" | "ranking";

export const listwiseProtocols = ["rating", "ranking"] as const satisfies readonly ListwiseProtocol[];

export interface ListwiseJudgeOptions {
  /** Samples per prompt. Defaults to 1 (the reference's single greedy judgment). */
  k?: number;
  seed?: number;
  sampling?: SamplingConfig;
  ratingTemplate?: ListwiseTemplate;
  tiesTemplate?: ListwiseTemplate;
  rankingTemplate?: ListwiseTemplate;
  /**
   * Sample store (`SampleStore.sampleCache()`): samples found there are not generated again, new
   * ones are put as they arrive, keyed apart from pairwise samples (drawListwiseSamples.ts).
   */
  cache?: SampleCache;
}

export { defaultRatingJudgeOptions as defaultListwiseJudgeOptions } from "./createRatingJudge.js";

export interface ItemJudgment {
  itemId: string;
  benchmark: MultiResponseBenchmark;
  /** How this row was judged (a ranking judge rates Ties rows). */
  protocol: ListwiseProtocol;
  /** rating: per answer (chosen first), the mean parsed rating, −1 when none parsed. */
  ratings?: number[];
  /** ranking: the answer shown in slot A, B, C, D. */
  shown?: number[];
  /** ranking: the votes per slot, and the slots with the most (empty when nothing parsed). */
  votes?: Record<RankingSlot, number>;
  top?: RankingSlot[];
  samples: ListwiseSample[];
  usage: ListwiseUsage;
  errors: string[];
  provenance: {
    modelId: ModelId;
    modelName: string;
    protocol: ListwiseProtocol;
    templateId: string;
    templateHash: TemplateHash;
    seed: number;
    sampling: SamplingConfig;
    k: number;
  };
}

export interface ItemJudge {
  readonly info: { name: string; protocol: ListwiseProtocol; templateId: string; templateHash: TemplateHash };
  judgeItem(item: BenchmarkItem, options?: { signal?: AbortSignal }): Promise<ItemJudgment>;
}

export function createListwiseJudge(
  engine: Engine,
  protocol: ListwiseProtocol,
  options: ListwiseJudgeOptions = {},
): ItemJudge {
  const config = listwiseDrawConfig(options);
  const rating = options.ratingTemplate ?? ratingTemplate;
  const ties = options.tiesTemplate ?? ratingTiesTemplate;
  const ranking = options.rankingTemplate ?? rankingTemplate;
  const main = protocol === "rating" ? rating : ranking;

  const provenance = (template: ListwiseTemplate, used: ListwiseProtocol) => ({
    modelId: engine.info.modelId,
    modelName: engine.info.modelName,
    protocol: used,
    templateId: template.id,
    templateHash: listwiseTemplateHash(template),
    seed: config.seed,
    sampling: config.sampling,
    k: config.k,
  });

  return {
    info: {
      name: `${engine.info.modelName} ${protocol}`,
      protocol,
      templateId: main.id,
      templateHash: listwiseTemplateHash(main),
    },
    async judgeItem(item, { signal } = {}) {
      const question = questionOf(item.prompt, `listwise: row ${item.id}`);
      const base = { itemId: item.id, benchmark: item.benchmark };

      if (protocol === "rating" || isTiesRow(item)) {
        const template = isTiesRow(item) ? ties : rating;
        const rated = [];
        for (let r = 0; r < item.responses.length; r++) {
          rated.push(await rateAnswer(engine, template, question, answerOf(item, r), config, r, signal));
        }
        const samples = rated.flatMap((x) => x.samples);
        return {
          ...base,
          protocol: "rating",
          ratings: rated.map((x) => x.rating ?? failedRating),
          samples,
          usage: usageOf(
            samples,
            rated.reduce((n, x) => n + x.usage.promptTokens, 0),
          ),
          errors: rated.flatMap((x) => x.errors),
          provenance: provenance(template, "rating"),
        };
      }

      const shown = shownOrder(item, hash32(config.seed, item.id, "shuffle") % rankingSlots.length);
      const values: Record<string, string> = { question };
      rankingSlots.forEach((slot, i) => {
        values[`answer_${slot.toLowerCase()}`] = answerOf(item, shown[i]!);
      });
      const drawn = await drawListwiseSamples(
        engine,
        ranking,
        values,
        config,
        { tag: `${item.id}\u0000ranking` },
        signal,
      );
      const votes = { A: 0, B: 0, C: 0, D: 0 } as Record<RankingSlot, number>;
      for (const s of drawn.samples) if (s.parsed !== null) votes[s.parsed as RankingSlot]++;
      const most = Math.max(...Object.values(votes));
      const top = most === 0 ? [] : rankingSlots.filter((slot) => votes[slot] === most);
      return {
        ...base,
        protocol: "ranking",
        shown,
        votes,
        top,
        samples: drawn.samples,
        usage: usageOf(drawn.samples, drawn.promptTokens),
        errors: drawn.errors,
        provenance: provenance(ranking, "ranking"),
      };
    },
  };
}

/**
 * The four answers a ranking shows: the first chosen and the first three rejected (the reference's
 * `texts_chosen[0]`, `texts_rejected[0..2]`), the chosen one swapped into slot `position`.
 */
export function shownOrder(item: BenchmarkItem, position: number): number[] {
  if (item.responses.length - item.correct < 3) {
    throw new ConfigError([
      `ranking: row ${item.id} has fewer than three rejected answers; the 4-way ranking needs four`,
    ]);
  }
  const shown = [0, item.correct, item.correct + 1, item.correct + 2];
  [shown[0], shown[position]] = [shown[position]!, shown[0]!];
  return shown;
}

function answerOf(item: BenchmarkItem, index: number): string {
  const text = item.responses[index];
  if (text === undefined)
    throw new ConfigError([`listwise: answer ${index} of row ${item.id} is missing from the data`]);
  return text;
}
