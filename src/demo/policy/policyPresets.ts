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
  full: { questions: 40, samples: 16, ns: [1, 2, 4, 8, 16], cotKPerOrder: 1, answerTokens: 24 },
  quick: { questions: 8, samples: 16, ns: [1, 2, 4, 8, 16], cotKPerOrder: 1, answerTokens: 24 },
};

/** Expert iteration (judge-guided policy training) after the Best-of-N curves. */
export interface PolicyTrainingPreset {
  /** Selectors whose picks train a policy, where the run has them. */
  selectors: string[];
  rounds: number;
  /** Distinct train-split questions per round. */
  questions: number;
  /** Answers per training question the selector picks among. */
  samples: number;
  /** Answers per evaluation question the trained policy is measured on. */
  evalSamples: number;
  epochs: number;
  lr: number;
  batchSize: number;
}

export const policyTrainingPresets: Record<"full" | "quick", PolicyTrainingPreset> = {
  full: {
    selectors: ["bt", "star-dpo", "oracle", "longest"],
    rounds: 2,
    questions: 48,
    samples: 8,
    evalSamples: 8,
    epochs: 2,
    lr: 3e-4,
    batchSize: 8,
  },
  quick: {
    selectors: ["bt", "star-dpo", "oracle", "longest"],
    rounds: 2,
    questions: 16,
    samples: 4,
    evalSamples: 4,
    epochs: 1,
    lr: 3e-4,
    batchSize: 8,
  },
};
