/**
 * How each selector of the policy stage picks among one question's answers, for every N at once:
 * pairwise judges play one "in-order" knockout over all the answers (both orders per game, the
 * judge's orderMode "both"), whose sub-brackets over the first 2, 4, 8 answers are the smaller
 * Best-of-N tournaments; the Bradley–Terry head, the oracle, random and "longest" take the argmax
 * of a score over each prefix. Ties (and games a judge leaves even or unparsed) fall to a coin
 * seeded by the demo's seed and the question.
 */
import type { HeadJudge } from "../../heads/openHeadJudge.js";
import type { Judge } from "../../judge/types.js";
import { knockoutTournament } from "../../rank/knockoutTournament.js";
import type { PairId } from "../../types.js";
import { answerTraits } from "./answerTraits.js";
import { knockoutPicks, prefixArgmax } from "./prefixPicks.js";
import type { PolicyAnswers, PolicyReferenceId, PolicySelection } from "./types.js";

export interface SelectOptions {
  ns: readonly number[];
  seed: number;
  signal?: AbortSignal;
}

const coinSalt = "genrm/demo/policy/tie";

function coinFor(item: PolicyAnswers, seed: number, selector: string) {
  return { seed, key: `${selector}\u0000${item.set}\u0000${item.question}`, salt: coinSalt };
}

/** Scores of a selector that needs no model: right answers, nothing (a pure coin), or bytes. */
export function referenceScores(id: PolicyReferenceId, item: PolicyAnswers): number[] {
  switch (id) {
    case "oracle":
      return item.answers.map((a) => (answerTraits(item.value, a).right ? 1 : 0));
    case "random":
      return item.answers.map(() => 0);
    case "longest":
      return item.answers.map((a) => Buffer.byteLength(a, "utf8"));
  }
}

export function selectByScores(
  selector: string,
  item: PolicyAnswers,
  scores: readonly number[],
  options: SelectOptions,
): PolicySelection {
  return {
    set: item.set,
    question: item.question,
    picks: prefixArgmax(scores, options.ns, coinFor(item, options.seed, selector)),
    coinGames: 0,
  };
}

/** A pairwise judge's picks from one knockout over every answer, candidates in sampled order. */
export async function selectByKnockout(
  judge: Judge,
  item: PolicyAnswers,
  options: SelectOptions & { concurrency: number },
): Promise<PolicySelection> {
  const result = await knockoutTournament(
    judge,
    { prompt: [{ role: "user", content: item.question }], candidates: item.answers },
    {
      bracket: "in-order",
      seed: options.seed,
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return {
    set: item.set,
    question: item.question,
    picks: knockoutPicks(result, options.ns),
    coinGames: result.comparisons.filter((c) => c.decidedBy !== "judge").length,
  };
}

/**
 * The Bradley–Terry head's reward of every answer. The head judge scores both responses of a pair
 * alone (r = head(prompt + response)), so answers are scored two at a time as pairs (0,1), (2,3), …
 */
export async function btRewards(
  judge: HeadJudge,
  item: PolicyAnswers,
  signal?: AbortSignal,
): Promise<number[]> {
  const prompt = [{ role: "user" as const, content: item.question }];
  const starts = Array.from({ length: Math.ceil(item.answers.length / 2) }, (_, k) => 2 * k);
  // Concurrent, so the head's worker batches them.
  const pairs = await Promise.all(
    starts.map(async (i) => {
      const a = item.answers[i]!;
      const b = item.answers[i + 1] ?? a;
      const j = await judge.judge(
        { id: `policy-bt-${i}` as PairId, prompt, responseA: a, responseB: b, label: "tie" },
        signal ? { signal } : {},
      );
      if (j.head.kind !== "score") throw new Error("btRewards needs a Bradley-Terry (score) head");
      return [j.head.rewardA, j.head.rewardB];
    }),
  );
  return pairs.flat().slice(0, item.answers.length);
}
