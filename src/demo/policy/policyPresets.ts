/**
 * Sizes of the demo's policy stage (Best-of-N in the mini world), per demo preset. Kept apart from
 * `demoPresets` so adding the stage leaves the judges' configuration hash (and their cached stages)
 * as it was.
 */

export interface PolicyPreset {
  /** Distinct questions per question set (the first ones of the split, in split order). */
  questions: number;
  /** Answers sampled per question; every N reported is a prefix of them, so N ≤ this. */
  samples: number;
  /** Best-of-N sizes reported: powers of two up to `samples`. */
  ns: number[];
  /**
   * Chain-of-thought judges: rationales per order per game. 1 keeps the stage in its time budget
   * (15 games × 2 orders × 1 sample per question); the vote is then over the two orders.
   */
  cotKPerOrder: number;
  /** Most tokens of one policy answer: a verbose world answer is ~14 tokens. */
  answerTokens: number;
}

export const policyPresets: Record<"full" | "quick", PolicyPreset> = {
  full: { questions: 50, samples: 16, ns: [1, 2, 4, 8, 16], cotKPerOrder: 1, answerTokens: 24 },
  quick: { questions: 8, samples: 16, ns: [1, 2, 4, 8, 16], cotKPerOrder: 1, answerTokens: 24 },
};
