/**
 * Self-consistency vote over the parsed verdicts of k samples (paper §1.12): p̂(A) = #A / #valid,
 * decision = majority. Ties and parse errors follow explicit policies (OQ-7, PR-9) so that how an
 * even split or an unparseable sample was scored is always stated, never implicit.
 */
import type { ErrorPolicy, PairVerdict, TiePolicy } from "./types.js";

export type Vote = "A" | "B" | "error";

export interface VoteCounts {
  A: number;
  B: number;
  error: number;
}

export interface MajorityVoteOptions {
  /** Defaults to "half" (`defaultTiePolicy`), RewardBench's 0.5 for an undecided item. */
  tiePolicy?: TiePolicy;
  /** Defaults to "ignore" (`defaultErrorPolicy`). */
  errorPolicy?: ErrorPolicy;
  /**
   * "laplace" gives pA = (#A + ½) / (#valid + 1), which keeps a unanimous vote away from 0 and 1
   * so that logit(pA) stays finite when it becomes a reward (PR-2). Defaults to "none".
   */
  smoothing?: "none" | "laplace";
  /** P(A) from verdict-token probabilities; decides ties under tiePolicy "logprob". */
  tieBreakPA?: number;
}

export const defaultTiePolicy: TiePolicy = "half";
export const defaultErrorPolicy: ErrorPolicy = "ignore";

export interface VoteResult {
  verdict: PairVerdict;
  /** Share of valid votes for A (smoothed if asked); null when no vote parsed. */
  pA: number | null;
  counts: VoteCounts;
}

export function countVotes(votes: readonly Vote[]): VoteCounts {
  const counts: VoteCounts = { A: 0, B: 0, error: 0 };
  for (const v of votes) counts[v] += 1;
  return counts;
}

export function majorityVote(votes: readonly Vote[], options: MajorityVoteOptions = {}): VoteResult {
  return voteFromCounts(countVotes(votes), options);
}

/** `majorityVote` on counts already tallied. */
export function voteFromCounts(counts: VoteCounts, options: MajorityVoteOptions = {}): VoteResult {
  const {
    tiePolicy = defaultTiePolicy,
    errorPolicy = defaultErrorPolicy,
    smoothing = "none",
    tieBreakPA,
  } = options;
  const valid = counts.A + counts.B;
  const pA = valid === 0 ? null : smoothing === "laplace" ? (counts.A + 0.5) / (valid + 1) : counts.A / valid;
  const result = (verdict: PairVerdict): VoteResult => ({ verdict, pA, counts: { ...counts } });

  if (valid === 0) return result("error");
  if (errorPolicy === "strict" && counts.error > 0) return result("error");
  if (errorPolicy === "plurality" && counts.error > Math.max(counts.A, counts.B)) return result("error");
  if (counts.A > counts.B) return result("A");
  if (counts.B > counts.A) return result("B");
  return result(breakTie(tiePolicy, tieBreakPA));
}

/** The verdict of an exact tie under a policy. */
export function breakTie(tiePolicy: TiePolicy, tieBreakPA?: number): PairVerdict {
  switch (tiePolicy) {
    case "half":
      return "tie";
    case "A":
    case "B":
    case "error":
      return tiePolicy;
    case "logprob":
      if (tieBreakPA === undefined || tieBreakPA === 0.5 || Number.isNaN(tieBreakPA)) return "tie";
      return tieBreakPA > 0.5 ? "A" : "B";
  }
}
