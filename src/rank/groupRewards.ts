/**
 * Group-relative rewards for the G rollouts of one prompt (GRPO-style training with a pairwise
 * judge): every rollout plays every other once, and its reward aggregates its row of the
 * preference matrix P[i][j] = p̂(y_i ≻ y_j):
 * - "mean-logit": mean_j logit(clip(P[i][j])), i.e. Eq. 6 with each other rollout as the reference,
 *   averaged; it equals a Bradley–Terry-style score difference to the group mean when P is
 *   consistent.
 * - "win-rate": mean_j P[i][j], in [0, 1].
 * Optional "grpo" normalisation: (r − mean) / (std + 1e-4) over the group, with the unbiased std, as
 * TRL's GRPOTrainer normalises its group rewards.
 */
import type { Judge } from "../judge/types.js";
import { ComparisonLedger, type ComparisonLedgerOptions } from "./ComparisonLedger.js";
import { grpoNormalize } from "./grpoNormalize.js";
import { defaultEpsilon, preferenceLogit } from "./preferenceLogit.js";
import { roundRobinSchedule } from "./roundRobinSchedule.js";
import type { CandidateSet, Comparison, RankUsage, SelectionResult } from "./types.js";

export interface GroupRewardOptions {
  /** Defaults to "mean-logit". */
  aggregate?: "mean-logit" | "win-rate";
  /** Defaults to "none". */
  normalize?: "none" | "grpo";
  /** Clip before the logit. Defaults to 1e-3. */
  epsilon?: number;
}

export const defaultGroupRewardOptions = {
  aggregate: "mean-logit",
  normalize: "none",
  epsilon: defaultEpsilon,
} satisfies GroupRewardOptions;

/**
 * Rewards from a preference matrix. Entries that are null (games not played or failed) and the
 * diagonal are left out of the means; a rollout with no entries gets null.
 */
export function groupRewardsFromMatrix(
  matrix: readonly (readonly (number | null)[])[],
  options: GroupRewardOptions = {},
): (number | null)[] {
  const {
    aggregate = defaultGroupRewardOptions.aggregate,
    normalize = defaultGroupRewardOptions.normalize,
    epsilon = defaultGroupRewardOptions.epsilon,
  } = options;
  const raw = matrix.map((row, i) => {
    const values = row.flatMap((p, j) =>
      j === i || p === null ? [] : [aggregate === "mean-logit" ? preferenceLogit(p, epsilon) : p],
    );
    return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
  });
  return normalize === "grpo" ? grpoNormalize(raw) : raw;
}

/** The preference matrix of a set of games: P[a][b] = p̂, P[b][a] = 1 − p̂; null where unplayed. */
export function preferenceMatrix(n: number, comparisons: readonly Comparison[]): (number | null)[][] {
  const m: (number | null)[][] = Array.from({ length: n }, () => new Array<number | null>(n).fill(null));
  for (const c of comparisons) {
    if (c.pA === null || c.a < 0 || c.b < 0) continue;
    m[c.a][c.b] = c.pA;
    m[c.b][c.a] = 1 - c.pA;
  }
  return m;
}

export interface GroupRewardsResult {
  rewards: (number | null)[];
  matrix: (number | null)[][];
  comparisons: Comparison[];
  usage: RankUsage;
  budget: SelectionResult["budget"];
}

export async function groupRewards(
  judge: Judge,
  set: CandidateSet,
  options: GroupRewardOptions & ComparisonLedgerOptions = {},
): Promise<GroupRewardsResult> {
  const n = set.candidates.length;
  const ledger = new ComparisonLedger(judge, set, options);
  await Promise.all(roundRobinSchedule(n, ledger.seed).map(([a, b]) => ledger.play(a, b, "open")));
  const matrix = preferenceMatrix(n, ledger.comparisons);
  return {
    rewards: groupRewardsFromMatrix(matrix, options),
    matrix,
    comparisons: ledger.comparisons,
    usage: ledger.usage(),
    budget: ledger.budgetReport(),
  };
}
