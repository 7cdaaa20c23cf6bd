/**
 * POST /v1/reward: rollouts with their prompt as separate fields, for trainers that call a reward
 * function per sample or per group rather than OpenRLHF's templated queries.
 * - One rollout, `{prompt, response, label?, group_id?}`: slime's `--rm-type remote_rm` body as it
 *   sends it (read its answer with `--reward-key reward`), and the verl example's async
 *   `compute_score`. Answer: `{reward, score, comparisons, group_size, partial_group, failed,
 *   no_baseline, error}`.
 * - The rollouts of one prompt, `{prompt, responses: [...], label?, group_id?}`: the TRL example's
 *   group per prompt. Answer: /get_reward's body, one entry per response.
 * The prompt is a string (plain, or a ChatML / Llama-3 templated prompt, which is unwrapped into its
 * messages) or chat messages. `label` is the reference answer when it is a non-blank string and the
 * reward mode allows one. A response that is empty once end tokens are dropped is a failed rollout
 * (reward 0, flagged), never a 400: one odd rollout must not cost a per-sample trainer its retries.
 * The frameworks' request shapes, with the source file and commit each follows (slime
 * `slime/rollout/rm_hub/__init__.py` @624b824, verl `reward_loop/reward_manager/naive.py` @1dda039,
 * TRL `trl/trainer/grpo_trainer.py` @f2cd577), are built in `test/unit/serve/frameworkClients.ts`.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { HttpError } from "../HttpError.js";
import { messageChars, oversize } from "../inputSize.js";
import type { RewardService } from "../RewardService.js";
import { readJsonBody } from "../readJsonBody.js";
import type { RewardItem } from "../rewardGroup.js";
import { trimEndTokens, unwrapTemplate } from "../splitQuery.js";
import { promptInputSchema, type RouteDeps, type ServeEnv } from "../types.js";
import { groupIdSchema, openRlhfBody } from "./getReward.js";

export function rewardRequestSchema(maxResponses: number) {
  return z
    .object({
      prompt: promptInputSchema,
      response: z.string().optional(),
      responses: z.array(z.string()).min(1).max(maxResponses).optional(),
      // slime sends `label: null` for a dataset without labels.
      label: z.unknown().optional(),
      group_id: groupIdSchema.nullable().optional(),
    })
    .superRefine((body, ctx) => {
      if ((body.response === undefined) === (body.responses === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["response"],
          message: "send either response (one rollout) or responses (the rollouts of this prompt)",
        });
      }
    });
}

export function rewardRoute(app: Hono<ServeEnv>, deps: RouteDeps, rewards: RewardService): void {
  const schema = rewardRequestSchema(deps.config.maxCandidates);
  const mode = deps.config.rewardMode;
  app.post("/v1/reward", async (c) => {
    const body = await readJsonBody(c, schema);
    const prompt = typeof body.prompt === "string" ? unwrapTemplate(body.prompt) : body.prompt;
    const reference =
      mode !== "group" && typeof body.label === "string" && body.label.trim().length > 0
        ? body.label
        : undefined;
    if (mode === "reference" && reference === undefined) {
      throw new HttpError(400, "invalid_request", 'label: rewardMode "reference" needs a reference answer', {
        field: "label",
      });
    }
    const groupId = body.group_id == null ? undefined : String(body.group_id);
    const responses = body.responses ?? [body.response!];
    const items = responses.map((raw, i): RewardItem => {
      const field = body.responses ? `responses[${i}]` : "response";
      const tooLong = oversize(
        [
          { field: "prompt", chars: messageChars(prompt) },
          { field, chars: raw.length },
          ...(reference !== undefined ? [{ field: "label", chars: reference.length }] : []),
        ],
        deps.config.maxInputChars,
      );
      if (tooLong !== null) return { prompt, groupId, failure: { code: "too_long", message: tooLong } };
      const response = trimEndTokens(raw);
      if (response.trim().length === 0) {
        return {
          prompt,
          groupId,
          failure: { code: "empty_response", message: `${field}: empty once end tokens are dropped` },
        };
      }
      return { prompt, response, reference, groupId };
    });
    const outcomes = await rewards.reward(items, c.var.signal);
    if (body.responses) return c.json(openRlhfBody(outcomes));
    const o = outcomes[0]!;
    return c.json({
      reward: o.reward,
      score: o.score,
      comparisons: o.comparisons,
      group_size: o.groupSize,
      partial_group: o.partialGroup,
      failed: o.failure ? 1 : 0,
      no_baseline: o.noBaseline,
      error: o.failure,
    });
  });
}
