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
 * A rollout with neither, or whose judgments failed, gets reward 0 (no signal) and score ½, and is
 * flagged in `extra_logs` (`genrm_no_baseline`, `genrm_failed`) rather than failing the whole batch.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { groupRewards, groupRewardsFromMatrix } from "../../rank/groupRewards.js";
import { rewardVsReference } from "../../rank/rewardVsReference.js";
import type { ChatMessage } from "../../types.js";
import { HttpError } from "../HttpError.js";
import { readJsonBody } from "../readJsonBody.js";
import { splitQuery } from "../splitQuery.js";
import type { RouteDeps, ServeEnv } from "../types.js";

export function getRewardRequestSchema(maxQueries: number) {
  return z
    .object({
      query: z.array(z.string()).min(1).max(maxQueries),
      prompts: z.array(z.string()).optional(),
      // OpenRLHF passes whatever the dataset's label column holds; only non-empty strings are references.
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
  failed: 0 | 1;
  noBaseline: 0 | 1;
}

export function getRewardRoute(app: Hono<ServeEnv>, deps: RouteDeps): void {
  const schema = getRewardRequestSchema(deps.config.maxQueries);
  const mode = deps.config.rewardMode;
  app.post("/get_reward", async (c) => {
    const body = await readJsonBody(c, schema);
    const signal = c.var.signal;
    const items = body.query.map((query, i) => {
      const split = splitQuery(query, body.prompts?.[i]);
      if (!split) {
        throw new HttpError(
          400,
          "invalid_request",
          `query[${i}]: cannot tell the prompt from the response; send prompts, or a ChatML / Llama-3 templated query`,
          { field: `query[${i}]` },
        );
      }
      const label = body.labels?.[i];
      const reference = mode !== "group" && typeof label === "string" && label.length > 0 ? label : undefined;
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
      return { ...split, reference };
    });

    const outcomes: Outcome[] = new Array(items.length);
    const noSignal = (failed: 0 | 1, noBaseline: 0 | 1, comparisons = 0): Outcome => ({
      reward: 0,
      score: 0.5,
      comparisons,
      failed,
      noBaseline,
    });
    const groups = new Map<string, { prompt: ChatMessage[]; members: number[] }>();
    const work: Promise<void>[] = [];
    for (const [i, item] of items.entries()) {
      if (item.reference !== undefined) {
        work.push(
          rewardVsReference(
            deps.judge,
            { prompt: item.prompt, response: item.response, reference: item.reference },
            { signal },
          ).then((r) => {
            outcomes[i] =
              r.reward === null || r.p === null
                ? noSignal(1, 0, r.judgments.length)
                : { reward: r.reward, score: r.p, comparisons: r.judgments.length, failed: 0, noBaseline: 0 };
          }),
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
        outcomes[members[0]] = noSignal(0, 1);
        continue;
      }
      work.push(
        groupRewards(
          deps.judge,
          { prompt, candidates: members.map((i) => items[i].response) },
          { seed: deps.config.seed, concurrency: deps.config.concurrency, signal },
        ).then((g) => {
          const winRates = groupRewardsFromMatrix(g.matrix, { aggregate: "win-rate" });
          const played = new Array(members.length).fill(0);
          for (const game of g.comparisons) {
            if (!game.judgment) continue;
            played[game.a]++;
            played[game.b]++;
          }
          members.forEach((queryIndex, k) => {
            const reward = g.rewards[k];
            const score = winRates[k];
            outcomes[queryIndex] =
              reward === null || score === null
                ? noSignal(1, 0, played[k])
                : { reward, score, comparisons: played[k], failed: 0, noBaseline: 0 };
          });
        }),
      );
    }
    await Promise.all(work);
    return c.json({
      rewards: outcomes.map((o) => o.reward),
      scores: outcomes.map((o) => o.score),
      extra_logs: {
        genrm_comparisons: outcomes.map((o) => o.comparisons),
        genrm_failed: outcomes.map((o) => o.failed),
        genrm_no_baseline: outcomes.map((o) => o.noBaseline),
      },
    });
  });
}
