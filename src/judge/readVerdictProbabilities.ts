/**
 * Direct GenRM read-out (paper-spec §1.6, OQ-9): with the answer forced to start with "[[", the
 * next token is the verdict letter; P(A) is renormalised over the two letters only, so mass on
 * other tokens does not count as a vote either way.
 */
import type { Engine } from "../engine/types.js";
import type { ChatMessage } from "../types.js";
import type { Order, OrderProbability } from "./types.js";

/** Prefix forced before the verdict letter when a template names none. */
export const defaultVerdictPrefix = "[[";

export async function readVerdictProbabilities(
  engine: Engine,
  messages: ChatMessage[],
  order: Order,
  options: { assistantPrefix?: string; signal?: AbortSignal } = {},
): Promise<{ probability: OrderProbability | null; promptTokens: number; error?: string }> {
  const { assistantPrefix = defaultVerdictPrefix, signal } = options;
  const result = await engine.tokenProbabilities({
    messages,
    assistantPrefix,
    candidates: ["A", "B"],
    signal,
  });
  const shownA = result.logprobs.A ?? Number.NEGATIVE_INFINITY;
  const shownB = result.logprobs.B ?? Number.NEGATIVE_INFINITY;
  if (shownA === Number.NEGATIVE_INFINITY && shownB === Number.NEGATIVE_INFINITY) {
    return {
      probability: null,
      promptTokens: result.promptTokens,
      error: `${order}: neither "A" nor "B" is possible`,
    };
  }
  // σ(lA − lB) = e^lA / (e^lA + e^lB), without exponentiating large log-probabilities.
  const pShownA = 1 / (1 + Math.exp(shownB - shownA));
  const [logprobA, logprobB] = order === "AB" ? [shownA, shownB] : [shownB, shownA];
  const pA = order === "AB" ? pShownA : 1 - pShownA;
  return { probability: { order, pA, logprobA, logprobB }, promptTokens: result.promptTokens };
}
