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
 * With group assembly (`groupSize`), the rollouts of a prompt are gathered across requests first
 * (RewardService), as OpenRLHF now sends one rollout per request. An empty `query` is answered with
 * empty lists: OpenRLHF splits every request evenly over its URLs, so all URLs but the first get one.
 * A rollout with neither gets reward 0 (no signal) and score ½ and is flagged in
 * `extra_logs.genrm_no_baseline`. A rollout that cannot be judged (too long, empty, a prompt that
 * does not start its query, a prompt the template cannot judge, failed judgments) gets the same
 * and is flagged in `extra_logs.genrm_failed`, with its reason in the top-level `genrm_errors`
 * (one entry per query, null when fine: extra_logs values must stay numbers, since OpenRLHF turns
 * them into tensors). The rest of the batch is rewarded either way.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { HttpError } from "../HttpError.js";
import { oversize } from "../inputSize.js";
import type { RewardService } from "../RewardService.js";
import { readJsonBody } from "../readJsonBody.js";
import type { RewardItem, RewardOutcome } from "../rewardGroup.js";
import { splitQuery, unwrapTemplate } from "../splitQuery.js";
import type { RouteDeps, ServeEnv } from "../types.js";

/** A group id as clients send them: a string, or a number (a dataset row index). */
export const groupIdSchema = z.union([z.string().min(1), z.number().int()]);

export function getRewardRequestSchema(maxQueries: number) {
  return z
    .object({
      // OpenRLHF (agent.py, since its PR #1152) sends an empty list to every URL but the first.
      query: z.array(z.string()).max(maxQueries),
      prompts: z.array(z.string()).optional(),
      // OpenRLHF passes whatever the dataset's label column holds; only non-blank strings are references.
      labels: z.array(z.unknown()).optional(),
      /** Rollouts of one prompt that belong to different groups (the same prompt twice in a batch). */
      group_ids: z.array(groupIdSchema.nullable()).optional(),
    })
    .superRefine((body, ctx) => {
      for (const key of ["prompts", "labels", "group_ids"] as const) {
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

export function getRewardRoute(app: Hono<ServeEnv>, deps: RouteDeps, rewards: RewardService): void {
  const schema = getRewardRequestSchema(deps.config.maxQueries);
  const mode = deps.config.rewardMode;
  app.post("/get_reward", async (c) => {
    const body = await readJsonBody(c, schema);
    const items = body.query.map((query, i): RewardItem => {
      const label = body.labels?.[i];
      const reference =
        mode !== "group" && typeof label === "string" && label.trim().length > 0 ? label : undefined;
      if (mode === "reference" && reference === undefined) {
        throw new HttpError(
          400,
          "invalid_request",
          `labels[${i}]: rewardMode "reference" needs a reference answer`,
          { field: `labels[${i}]` },
        );
      }
      const groupId = body.group_ids?.[i] == null ? undefined : String(body.group_ids[i]);
      const given = body.prompts?.[i];
      const split = splitQuery(query, given);
      // Known even for a rollout that fails, so that it still counts towards its group.
      const prompt = !("failure" in split) ? split.prompt : given ? unwrapTemplate(given) : undefined;
      // Before judging: nothing about a sample that cannot fit is worth computing.
      const tooLong = oversize(
        [
          { field: `query[${i}]`, chars: query.length },
          ...(reference !== undefined ? [{ field: `labels[${i}]`, chars: reference.length }] : []),
        ],
        deps.config.maxInputChars,
      );
      if (tooLong !== null) return { prompt, groupId, failure: { code: "too_long", message: tooLong } };
      if ("failure" in split) {
        if (split.failure === "no_assistant_header") {
          throw new HttpError(
            400,
            "invalid_request",
            `query[${i}]: cannot tell the prompt from the response; send prompts, or a ChatML / Llama-3 templated query`,
            { field: `query[${i}]` },
          );
        }
        return {
          prompt,
          groupId,
          failure: {
            code: "prompt_mismatch",
            message: `prompts[${i}] does not start query[${i}], so the response cannot be told apart`,
          },
        };
      }
      if (split.response.trim().length === 0) {
        return {
          prompt,
          groupId,
          failure: {
            code: "empty_response",
            message: `query[${i}]: the response is empty (nothing but whitespace and end tokens after the prompt)`,
          },
        };
      }
      return { prompt: split.prompt, response: split.response, reference, groupId };
    });
    const outcomes = await rewards.reward(items, c.var.signal);
    return c.json(openRlhfBody(outcomes));
  });
}

/** OpenRLHF's answer: per-query lists, extra_logs values numeric (OpenRLHF makes tensors of them). */
export function openRlhfBody(outcomes: readonly RewardOutcome[]) {
  return {
    rewards: outcomes.map((o) => o.reward),
    scores: outcomes.map((o) => o.score),
    extra_logs: {
      genrm_comparisons: outcomes.map((o) => o.comparisons),
      genrm_failed: outcomes.map((o) => (o.failure ? 1 : 0)),
      genrm_no_baseline: outcomes.map((o) => o.noBaseline),
      genrm_group_size: outcomes.map((o) => o.groupSize),
      genrm_partial_group: outcomes.map((o) => o.partialGroup),
    },
    genrm_errors: outcomes.map((o) => o.failure),
  };
}
