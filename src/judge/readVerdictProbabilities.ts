/**
 * Direct GenRM read-out (paper-spec §1.6, OQ-9): with the answer forced to start with "[[", the
 * next token is the verdict letter; P(A) is renormalised over the two letters only, so mass on
 * other tokens does not count as a vote either way.
 */
import type { Engine } from "../engine/types.js";
import type { ChatMessage } from "../types.js";
import type { Order, OrderProbability, VerdictProbabilityCache, VerdictProbabilityKey } from "./types.js";

/** Prefix forced before the verdict letter when a template names none. */
export const defaultVerdictPrefix = "[[";

export interface VerdictReadout {
  /** Null when neither letter is possible (an unparseable vote). */
  probability: OrderProbability | null;
  /** Prompt tokens evaluated; 0 when served from the cache. */
  promptTokens: number;
  cached: boolean;
}

export async function readVerdictProbabilities(
  engine: Engine,
  messages: ChatMessage[],
  order: Order,
  options: {
    assistantPrefix?: string;
    signal?: AbortSignal;
    /** Read-outs found here are not recomputed; new ones are put as soon as they arrive. */
    cache?: { store: VerdictProbabilityCache; key: VerdictProbabilityKey };
  } = {},
): Promise<VerdictReadout> {
  const { assistantPrefix = defaultVerdictPrefix, signal, cache } = options;
  const hit = cache?.store.get(cache.key);
  let shownA: number;
  let shownB: number;
  let promptTokens = 0;
  if (hit) {
    shownA = hit.logprobA;
    shownB = hit.logprobB;
  } else {
    const result = await engine.tokenProbabilities({
      messages,
      assistantPrefix,
      candidates: ["A", "B"],
      signal,
    });
    shownA = result.logprobs.A ?? Number.NEGATIVE_INFINITY;
    shownB = result.logprobs.B ?? Number.NEGATIVE_INFINITY;
    promptTokens = result.promptTokens;
    cache?.store.put(cache.key, { logprobA: shownA, logprobB: shownB, promptTokens });
  }
  const cached = hit !== undefined;
  if (shownA === Number.NEGATIVE_INFINITY && shownB === Number.NEGATIVE_INFINITY) {
    return { probability: null, promptTokens, cached };
  }
  // σ(lA − lB) = e^lA / (e^lA + e^lB), without exponentiating large log-probabilities.
  const pShownA = 1 / (1 + Math.exp(shownB - shownA));
  const [logprobA, logprobB] = order === "AB" ? [shownA, shownB] : [shownB, shownA];
  const pA = order === "AB" ? pShownA : 1 - pShownA;
  return { probability: { order, pA, logprobA, logprobB }, promptTokens, cached };
}
