import type { Label } from "../data/types.js";
import type { PairVerdict } from "../judge/types.js";
import type { Slot } from "../types.js";
import type { ScoreOptions } from "./types.js";

export const defaultScoreOptions = { tieScore: 0.5, errorScore: 0.5 } satisfies Required<ScoreOptions>;

/**
 * Score of one verdict against the human label: 1 right, 0 wrong, `tieScore` for a tie and
 * `errorScore` for an error (RewardBench scores an unparseable judgment 0.5). Pairs labelled "tie"
 * have no right answer between A and B and are not scored (null).
 */
export function scorePair(verdict: PairVerdict, label: Slot, options?: ScoreOptions): number;
export function scorePair(verdict: PairVerdict, label: Label, options?: ScoreOptions): number | null;
export function scorePair(verdict: PairVerdict, label: Label, options: ScoreOptions = {}): number | null {
  const { tieScore = defaultScoreOptions.tieScore, errorScore = defaultScoreOptions.errorScore } = options;
  if (label === "tie") return null;
  if (verdict === "tie") return tieScore;
  if (verdict === "error") return errorScore;
  return verdict === label ? 1 : 0;
}
