/**
 * POST /v1/rank: one prompt, N candidates → the selected candidate, a ranking and a reward per
 * candidate, under the same schemes as `genrm bon` (knockout, copeland, bradley-terry, reference,
 * scalar), within an optional comparison budget.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { grpoNormalize } from "../../rank/grpoNormalize.js";
import { selectBest } from "../../rank/selectBest.js";
import { selectionSchemes } from "../../rank/types.js";
import { HttpError } from "../HttpError.js";
import { assertFits, messageChars } from "../inputSize.js";
import { readJsonBody } from "../readJsonBody.js";
import { answerSchema, promptInputSchema, type RouteDeps, type ServeEnv, toMessages } from "../types.js";

export function rankRequestSchema(maxCandidates: number) {
  return z.object({
    prompt: promptInputSchema,
    candidates: z.array(answerSchema).min(1).max(maxCandidates),
    scheme: z.enum(selectionSchemes).optional(),
    reference: answerSchema.optional(),
    budget: z
      .object({
        max_comparisons: z.number().int().nonnegative().optional(),
        max_tokens: z.number().int().nonnegative().optional(),
      })
      .optional(),
    /** "grpo": rewards normalised over the candidates, (r − mean) / (std + 1e-4). */
    normalize: z.enum(["none", "grpo"]).optional(),
    seed: z.number().int().nonnegative().optional(),
  });
}

export function rankRoute(app: Hono<ServeEnv>, deps: RouteDeps): void {
  const schema = rankRequestSchema(deps.config.maxCandidates);
  app.post("/v1/rank", async (c) => {
    const body = await readJsonBody(c, schema);
    const scheme = body.scheme ?? deps.config.scheme;
    if (scheme === "reference" && body.reference === undefined) {
      throw new HttpError(400, "invalid_request", 'reference: required by scheme "reference"', {
        field: "reference",
      });
    }
    const prompt = toMessages(body.prompt);
    // Each candidate is judged with the prompt and one other text; a candidate that cannot fit even
    // beside the prompt (and the reference) is refused before any game tokenizes it.
    const promptPart = { field: "prompt", chars: messageChars(prompt) };
    const referencePart =
      body.reference === undefined ? [] : [{ field: "reference", chars: body.reference.length }];
    for (const [i, candidate] of body.candidates.entries()) {
      assertFits(
        [promptPart, ...referencePart, { field: `candidates[${i}]`, chars: candidate.length }],
        deps.config.maxInputChars,
      );
    }
    const result = await selectBest(
      { prompt, candidates: body.candidates, reference: body.reference },
      {
        scheme,
        judge: deps.judge,
        scorer: deps.config.scorer,
        seed: body.seed ?? deps.config.seed,
        // One request may fill every engine slot; the scheduler shares them between requests.
        concurrency: deps.config.concurrency,
        budget: {
          ...(body.budget?.max_comparisons !== undefined
            ? { maxComparisons: body.budget.max_comparisons }
            : {}),
          ...(body.budget?.max_tokens !== undefined ? { maxTokens: body.budget.max_tokens } : {}),
        },
        signal: c.var.signal,
      },
    );
    const rewards = body.normalize === "grpo" ? grpoNormalize(result.scores) : result.scores;
    return c.json({
      scheme: result.scheme,
      selected: result.selected,
      ranking: result.ranking,
      rewards,
      comparisons: result.comparisons.map((g) => ({
        a: g.a,
        b: g.b,
        p_a: g.pA,
        winner: g.winner,
        decided_by: g.decidedBy,
      })),
      usage: {
        comparisons: result.usage.comparisons,
        prompt_tokens: result.usage.promptTokens,
        completion_tokens: result.usage.completionTokens,
        scorer_calls: result.usage.scorerCalls,
        wall_ms: Math.round(result.usage.wallMs),
      },
      budget: {
        max_comparisons: result.budget.maxComparisons,
        max_tokens: result.budget.maxTokens,
        exhausted: result.budget.exhausted,
        unplayed: result.budget.unplayed,
      },
      seed: result.seed,
    });
  });
}
