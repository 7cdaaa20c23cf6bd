/**
 * POST /get_reward: OpenRLHF's remote reward-model API (`--remote_rm_url`, now
 * `--reward.remote_url`). Request `{query: [prompt + response, ...], prompts?: [...], labels?: [...]}`;
 * response `{rewards, scores, extra_logs}` with one entry per query: `rewards` drive advantages,
 * `scores` (in [0, 1]) drive OpenRLHF's dynamic filtering, and every `extra_logs` value is a
 * per-query list, which OpenRLHF concatenates across shards like the rewards.
 *
 * A pairwise judge needs something to compare with (Eq. 5–6):
 * - with a reference (`labels[i]`, mode "reference" or "auto"): reward = logit(clip(p̂(y ≻ label))),
 *   score = p̂;
 * - otherwise (mode "group" or "auto"): the rollouts of the same prompt in this request play each
 *   other once; reward = mean pairwise logit, score = mean win probability.
 * A rollout with neither gets reward 0 (no signal) and score ½ and is flagged in
 * `extra_logs.genrm_no_baseline`. A rollout that cannot be judged (too long, empty, a prompt that
 * does not start its query, a prompt the template cannot judge, failed judgments) gets the same
 * and is flagged in `extra_logs.genrm_failed`, with its reason in the top-level `genrm_errors`
 * (one entry per query, null when fine: extra_logs values must stay numbers, since OpenRLHF turns
 * them into tensors). The rest of the batch is rewarded either way.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { groupRewards, groupRewardsFromMatrix } from "../../rank/groupRewards.js";
import { rewardVsReference } from "../../rank/rewardVsReference.js";
import type { ChatMessage } from "../../types.js";
import { HttpError } from "../HttpError.js";
import { oversize } from "../inputSize.js";
import { readJsonBody } from "../readJsonBody.js";
import { judgmentFailure, type RewardFailure, sampleFailureOf } from "../rewardFailure.js";
import { splitQuery } from "../splitQuery.js";
import type { RouteDeps, ServeEnv } from "../types.js";

export function getRewardRequestSchema(maxQueries: number) {
  return z
    .object({
      query: z.array(z.string()).min(1).max(maxQueries),
      prompts: z.array(z.string()).optional(),
      // OpenRLHF passes whatever the dataset's label column holds; only non-blank strings are references.
      labels: z.array(z.unknown()).optional(),
    })
    .superRefine((body, ctx) => {
      for (const key of ["prompts", "labels"] as const) {
        const list = body[key];
        if (list && list.length !== body.query.length) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `has ${list.length} entries but query has ${body.query.length}`,
          });
        }
      }
    });
}

interface Outcome {
  reward: number;
  score: number;
  comparisons: number;
  failure: RewardFailure | null;
  noBaseline: 0 | 1;
}

/** A query ready to judge, or the reason it will not be. */
type Item =
  | { prompt: ChatMessage[]; response: string; reference: string | undefined; failure?: undefined }
  | { failure: RewardFailure };

const noSignal = (failure: RewardFailure | null, noBaseline: 0 | 1, comparisons = 0): Outcome => ({
  reward: 0,
  score: 0.5,
  comparisons,
  failure,
  noBaseline,
});

export function getRewardRoute(app: Hono<ServeEnv>, deps: RouteDeps): void {
  const schema = getRewardRequestSchema(deps.config.maxQueries);
  const mode = deps.config.rewardMode;
  app.post("/get_reward", async (c) => {
    const body = await readJsonBody(c, schema);
    const signal = c.var.signal;
    const items = body.query.map((query, i): Item => {
      const label = body.labels?.[i];
      const reference =
        mode !== "group" && typeof label === "string" && label.trim().length > 0 ? label : undefined;
      if (mode === "reference" && reference === undefined) {
        throw new HttpError(
          400,
          "invalid_request",
          `labels[${i}]: rewardMode "reference" needs a reference answer`,
          {
            field: `labels[${i}]`,
          },
        );
      }
      // Before splitting: nothing about a sample that cannot fit is worth computing.
      const tooLong = oversize(
        [
          { field: `query[${i}]`, chars: query.length },
          ...(reference !== undefined ? [{ field: `labels[${i}]`, chars: reference.length }] : []),
        ],
        deps.config.maxInputChars,
      );
      if (tooLong !== null) return { failure: { code: "too_long", message: tooLong } };
      const split = splitQuery(query, body.prompts?.[i]);
      if ("failure" in split) {
        if (split.failure === "prompt_mismatch") {
          return {
            failure: {
              code: "prompt_mismatch",
              message: `prompts[${i}] does not start query[${i}], so the response cannot be told apart`,
            },
          };
        }
        throw new HttpError(
          400,
          "invalid_request",
          `query[${i}]: cannot tell the prompt from the response; send prompts, or a ChatML / Llama-3 templated query`,
          { field: `query[${i}]` },
        );
      }
      if (split.response.trim().length === 0) {
        return {
          failure: {
            code: "empty_response",
            message: `query[${i}]: the response is empty (nothing but whitespace and end tokens after the prompt)`,
          },
        };
      }
      return { ...split, reference };
    });

    const outcomes: Outcome[] = new Array(items.length);
    const groups = new Map<string, { prompt: ChatMessage[]; members: number[] }>();
    const work: Promise<void>[] = [];
    for (const [i, item] of items.entries()) {
      if (item.failure) {
        outcomes[i] = noSignal(item.failure, 0);
        continue;
      }
      if (item.reference !== undefined) {
        work.push(
          rewardVsReference(
            deps.judge,
            { prompt: item.prompt, response: item.response, reference: item.reference },
            { signal },
          ).then(
            (r) => {
              outcomes[i] =
                r.reward === null || r.p === null
                  ? noSignal(judgmentFailure(r.judgments.flatMap((j) => j.errors)), 0, r.judgments.length)
                  : {
                      reward: r.reward,
                      score: r.p,
                      comparisons: r.judgments.length,
                      failure: null,
                      noBaseline: 0,
                    };
            },
            (error) => {
              outcomes[i] = noSignal(sampleFailure(error, signal), 0);
            },
          ),
        );
        continue;
      }
      const key = JSON.stringify(item.prompt);
      const group = groups.get(key) ?? { prompt: item.prompt, members: [] };
      group.members.push(i);
      groups.set(key, group);
    }
    for (const { prompt, members } of groups.values()) {
      if (members.length < 2) {
        outcomes[members[0]] = noSignal(null, 1);
        continue;
      }
      // A prompt the judge cannot take fails every game of its group: stop the rest at the first.
      const groupAbort = new AbortController();
      work.push(
        groupRewards(
          deps.judge,
          { prompt, candidates: members.map((i) => (items[i] as { response: string }).response) },
          {
            seed: deps.config.seed,
            concurrency: deps.config.concurrency,
            signal: AbortSignal.any([signal, groupAbort.signal]),
          },
        ).then(
          (g) => {
            const winRates = groupRewardsFromMatrix(g.matrix, { aggregate: "win-rate" });
            const played = new Array(members.length).fill(0);
            const errors: string[][] = members.map(() => []);
            for (const game of g.comparisons) {
              if (!game.judgment) continue;
              played[game.a]++;
              played[game.b]++;
              errors[game.a].push(...game.judgment.errors);
              errors[game.b].push(...game.judgment.errors);
            }
            members.forEach((queryIndex, k) => {
              const reward = g.rewards[k];
              const score = winRates[k];
              outcomes[queryIndex] =
                reward === null || score === null
                  ? noSignal(judgmentFailure(errors[k]), 0, played[k])
                  : { reward, score, comparisons: played[k], failure: null, noBaseline: 0 };
            });
          },
          (error) => {
            const failure = sampleFailure(error, signal);
            groupAbort.abort(error);
            for (const queryIndex of members) outcomes[queryIndex] = noSignal(failure, 0);
          },
        ),
      );
    }
    await Promise.all(work);
    return c.json({
      rewards: outcomes.map((o) => o.reward),
      scores: outcomes.map((o) => o.score),
      extra_logs: {
        genrm_comparisons: outcomes.map((o) => o.comparisons),
        genrm_failed: outcomes.map((o) => (o.failure ? 1 : 0)),
        genrm_no_baseline: outcomes.map((o) => o.noBaseline),
      },
      genrm_errors: outcomes.map((o) => o.failure),
    });
  });
}

/** The sample's failure, or the error rethrown when it is the request's (timeout, client gone, engine down). */
function sampleFailure(error: unknown, signal: AbortSignal): RewardFailure {
  const failure = signal.aborted ? null : sampleFailureOf(error);
  if (failure === null) throw error;
  return failure;
}
