/**
 * A pointwise reward from a pairwise judge (PR-2, paper Eq. 6): r(x, y) = logit(clip(p̂(y ≻ y_ref),
 * ε, 1 − ε)), where y_ref is a reference answer (a sample of the SFT policy in Eq. 5; any fixed
 * answer works, since the optimum of Eq. 5 does not depend on the baseline).
 *
 * The response is shown as the pair's responseA; a both-orders judge (the default) already
 * symmetrises p̂ over positions. `swap: true` adds a second judgment with the two answers exchanged
 * and averages p̂ = ½[p̂(y ≻ y_ref) + 1 − p̂(y_ref ≻ y)], for judges that show a single order.
 */
import { throwIfAborted } from "../errors.js";
import type { Judge, Judgment } from "../judge/types.js";
import type { ChatMessage } from "../types.js";
import { ComparisonLedger, referenceIndex } from "./ComparisonLedger.js";
import { defaultEpsilon, preferenceLogit } from "./preferenceLogit.js";
import type { ProbabilityOptions } from "./types.js";

export interface RewardVsReferenceOptions {
  /** Clip of p̂ before the logit. Defaults to 1e-3 (`defaultEpsilon`). */
  epsilon?: number;
  /** Also judge (reference, response) and average. Defaults to false. */
  swap?: boolean;
  probability?: ProbabilityOptions;
  signal?: AbortSignal;
}

export interface RewardVsReferenceResult {
  /** logit(clip(p̂)); null when the judge produced no probability (verdict "error"). */
  reward: number | null;
  /** p̂(response ≻ reference), unclipped; null on failure. */
  p: number | null;
  judgments: Judgment[];
  promptTokens: number;
  completionTokens: number;
}

export async function rewardVsReference(
  judge: Judge,
  input: { prompt: ChatMessage[]; response: string; reference: string },
  options: RewardVsReferenceOptions = {},
): Promise<RewardVsReferenceResult> {
  const { epsilon = defaultEpsilon, swap = false, probability, signal } = options;
  throwIfAborted(signal);
  const ledger = new ComparisonLedger(
    judge,
    { prompt: input.prompt, candidates: [input.response], reference: input.reference },
    { probability, signal, concurrency: 2 },
  );
  const games = await Promise.all([
    ledger.play(0, referenceIndex, "open"),
    ...(swap ? [ledger.play(referenceIndex, 0, "open")] : []),
  ]);
  // p̂ of each game, turned into p̂(response ≻ reference).
  const ps = games.map((g) => (g === null || g.pA === null ? null : g.a === 0 ? g.pA : 1 - g.pA));
  const p = ps.includes(null) ? null : (ps as number[]).reduce((s, x) => s + x, 0) / ps.length;
  const usage = ledger.usage();
  return {
    reward: p === null ? null : preferenceLogit(p, epsilon),
    p,
    judgments: ledger.comparisons.flatMap((c) => (c.judgment ? [c.judgment] : [])),
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
  };
}
