/**
 * POST /v1/judge: one prompt, two responses → the judge's verdict, P(A), the rationales it wrote,
 * its votes and what it cost. The verdict is about `response_a` vs `response_b` as sent; display
 * order (both orders by default) is the judge's business and is reported in `orders`.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { contentHash } from "../../data/pairId.js";
import type { Judgment } from "../../judge/types.js";
import type { PairId } from "../../types.js";
import { assertFits, messageChars } from "../inputSize.js";
import { readJsonBody } from "../readJsonBody.js";
import { answerSchema, promptInputSchema, type RouteDeps, type ServeEnv, toMessages } from "../types.js";

export const judgeRequestSchema = z.object({
  prompt: promptInputSchema,
  response_a: answerSchema,
  response_b: answerSchema,
});

export function judgeRoute(app: Hono<ServeEnv>, deps: RouteDeps): void {
  app.post("/v1/judge", async (c) => {
    const body = await readJsonBody(c, judgeRequestSchema);
    const prompt = toMessages(body.prompt);
    assertFits(
      [
        { field: "prompt", chars: messageChars(prompt) },
        { field: "response_a", chars: body.response_a.length },
        { field: "response_b", chars: body.response_b.length },
      ],
      deps.config.maxInputChars,
    );
    const pair = {
      id: `serve:${contentHash({ prompt, responseA: body.response_a, responseB: body.response_b })}` as PairId,
      prompt,
      responseA: body.response_a,
      responseB: body.response_b,
      label: "tie" as const,
    };
    const judgment = await deps.judge.judge(pair, { signal: c.var.signal });
    return c.json(judgmentBody(judgment));
  });
}

export function judgmentBody(j: Judgment) {
  return {
    pair_id: j.pairId,
    verdict: j.verdict,
    p_a: j.pA,
    votes: { a: j.votes.A, b: j.votes.B, error: j.votes.error },
    orders: j.orders,
    rationales: j.samples.map((s) => ({
      order: s.order,
      verdict: s.verdict,
      text: s.text,
      ...(s.parseError ? { parse_error: s.parseError } : {}),
    })),
    probabilities: (j.probabilities ?? []).map((p) => ({ order: p.order, p_a: p.pA })),
    stopped_early: j.stoppedEarly,
    errors: j.errors,
    usage: {
      prompt_tokens: j.usage.promptTokens,
      completion_tokens: j.usage.completionTokens,
      samples: j.usage.samples,
      wall_ms: Math.round(j.usage.wallMs),
    },
    provenance: {
      model_id: j.provenance.modelId,
      model_name: j.provenance.modelName,
      protocol: j.provenance.protocol,
      template_id: j.provenance.templateId,
      template_hash: j.provenance.templateHash,
      seed: j.provenance.seed,
      k: j.provenance.k,
      order_mode: j.provenance.orderMode,
      sampling: {
        temperature: j.provenance.sampling.temperature,
        top_p: j.provenance.sampling.topP,
        max_tokens: j.provenance.sampling.maxTokens,
      },
    },
  };
}
