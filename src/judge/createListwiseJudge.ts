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
import { defaultSampling, type Engine, type SamplingConfig } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import type { ModelId, TemplateHash } from "../types.js";
import { hash32 } from "./hash32.js";
import { parseRanking, parseRating, type RankingSlot, rankingSlots } from "./parseListwise.js";
import { formatTemplateString } from "./templates/formatTemplateString.js";
import {
  type ListwiseTemplate,
  listwiseTemplateHash,
  rankingTemplate,
  ratingTemplate,
  ratingTiesTemplate,
} from "./templates/listwiseTemplates.js";

export type ListwiseProtocol = "rating" | "ranking";

export interface ListwiseJudgeOptions {
  /** Samples per prompt. Defaults to 1 (the reference's single greedy judgment). */
  k?: number;
  seed?: number;
  sampling?: SamplingConfig;
  ratingTemplate?: ListwiseTemplate;
  tiesTemplate?: ListwiseTemplate;
  rankingTemplate?: ListwiseTemplate;
}

export const defaultListwiseJudgeOptions = { k: 1, seed: 0 } as const;

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
}

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
  usage: { promptTokens: number; completionTokens: number; samples: number };
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
  const k = options.k ?? defaultListwiseJudgeOptions.k;
  const seed = options.seed ?? defaultListwiseJudgeOptions.seed;
  const sampling = options.sampling ?? defaultSampling;
  const rating = options.ratingTemplate ?? ratingTemplate;
  const ties = options.tiesTemplate ?? ratingTiesTemplate;
  const ranking = options.rankingTemplate ?? rankingTemplate;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError([`k: must be an integer ≥ 1, got ${k}`]);
  const main = protocol === "rating" ? rating : ranking;

  const provenance = (template: ListwiseTemplate, used: ListwiseProtocol) => ({
    modelId: engine.info.modelId,
    modelName: engine.info.modelName,
    protocol: used,
    templateId: template.id,
    templateHash: listwiseTemplateHash(template),
    seed,
    sampling,
    k,
  });

  async function draw(
    template: ListwiseTemplate,
    values: Record<string, string>,
    tag: string,
    signal?: AbortSignal,
  ) {
    const messages = [
      ...(template.system ? [{ role: "system" as const, content: template.system }] : []),
      { role: "user" as const, content: formatTemplateString(template.user, values) },
    ];
    const seeds = Array.from({ length: k }, (_, i) => hash32(seed, tag, i));
    return {
      seeds,
      result: await engine.generate({ messages, seeds, sampling, ...(signal ? { signal } : {}) }),
    };
  }

  return {
    info: {
      name: `${engine.info.modelName} ${protocol}`,
      protocol,
      templateId: main.id,
      templateHash: listwiseTemplateHash(main),
    },
    async judgeItem(item, { signal } = {}) {
      const question = questionOf(item);
      const samples: ListwiseSample[] = [];
      const usage = { promptTokens: 0, completionTokens: 0, samples: 0 };
      const errors: string[] = [];
      const record = (
        drawn: Awaited<ReturnType<typeof draw>>,
        parse: (text: string) => number | RankingSlot | null,
        response?: number,
      ) => {
        usage.promptTokens += drawn.result.promptTokens;
        drawn.result.samples.forEach((s, index) => {
          usage.completionTokens += s.completionTokens;
          usage.samples++;
          samples.push({
            ...(response !== undefined ? { response } : {}),
            index,
            seed: drawn.seeds[index]!,
            text: s.text,
            parsed: parse(s.text),
            completionTokens: s.completionTokens,
            stopReason: s.stopReason,
          });
        });
      };
      const base = { itemId: item.id, benchmark: item.benchmark, samples, usage, errors };

      if (protocol === "rating" || isTiesRow(item)) {
        const template = isTiesRow(item) ? ties : rating;
        const ratings: number[] = [];
        for (let r = 0; r < item.responses.length; r++) {
          try {
            record(
              await draw(
                template,
                { question, answer: answerOf(item, r) },
                `${item.id}\u0000rating\u0000${r}`,
                signal,
              ),
              parseRating,
              r,
            );
          } catch (error) {
            if (signal?.aborted) throw error;
            errors.push((error as Error).message);
          }
          const parsed = samples
            .filter((s) => s.response === r && s.parsed !== null)
            .map((s) => s.parsed as number);
          ratings.push(parsed.length === 0 ? -1 : parsed.reduce((a, b) => a + b, 0) / parsed.length);
        }
        return { ...base, protocol: "rating", ratings, provenance: provenance(template, "rating") };
      }

      const shown = shownOrder(item, hash32(seed, item.id, "shuffle") % rankingSlots.length);
      const values: Record<string, string> = { question };
      rankingSlots.forEach((slot, i) => {
        values[`answer_${slot.toLowerCase()}`] = answerOf(item, shown[i]!);
      });
      try {
        record(await draw(ranking, values, `${item.id}\u0000ranking`, signal), parseRanking);
      } catch (error) {
        if (signal?.aborted) throw error;
        errors.push((error as Error).message);
      }
      const votes = { A: 0, B: 0, C: 0, D: 0 } as Record<RankingSlot, number>;
      for (const s of samples) if (s.parsed !== null) votes[s.parsed as RankingSlot]++;
      const most = Math.max(...Object.values(votes));
      const top = most === 0 ? [] : rankingSlots.filter((slot) => votes[slot] === most);
      return { ...base, protocol: "ranking", shown, votes, top, provenance: provenance(ranking, "ranking") };
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

function questionOf(item: BenchmarkItem): string {
  if (item.prompt.filter((m) => m.role !== "system").length > 1) {
    // RewardBench 2's listwise prompts are single-turn (run_judge_ratings_multi refuses multi-turn).
    throw new ConfigError([
      `listwise: row ${item.id} has a multi-turn prompt; the rating and ranking templates take one question`,
    ]);
  }
  return item.prompt.at(-1)!.content;
}

function answerOf(item: BenchmarkItem, index: number): string {
  const text = item.responses[index];
  if (text === undefined)
    throw new ConfigError([`listwise: answer ${index} of row ${item.id} is missing from the data`]);
  return text;
}
