/**
 * Records produced by evaluation. An EvalSummary is plain JSON: it can be written next to the
 * judgments it summarises and compared across runs. Metric names and formulas: docs/metrics.md.
 */
import type { JudgeProvenance } from "../judge/types.js";

/** How a verdict is scored against a human label (RewardBench: 1 / 0, and 0.5 for an error). */
export interface ScoreOptions {
  /** Score of a "tie" verdict. Defaults to 0.5. */
  tieScore?: number;
  /** Score of an "error" verdict; 0 counts it as wrong. Defaults to 0.5 (RewardBench). */
  errorScore?: number;
}

export interface BootstrapOptions {
  /** Bootstrap resamples. Defaults to 1000. */
  resamples?: number;
  /** Two-sided confidence level. Defaults to 0.95. */
  level?: number;
  /** Seed of the resampling. Defaults to 0. */
  seed?: number;
}

export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
}

export interface AccuracyResult {
  /** Pairs scored (pairs labelled "tie" are not). */
  n: number;
  /** Mean score; null when n = 0. */
  accuracy: number | null;
  ci: ConfidenceInterval | null;
}

export interface RewardBenchSectionScore {
  /** Metric-key form: "chat", "chat_hard", "safety", "reasoning". */
  key: string;
  /** RewardBench's name: "Chat", "Chat Hard", "Safety", "Reasoning". */
  name: string;
  /** Σ acc·count / Σ count over the subsets present; null when none is. */
  score: number | null;
  subsetsScored: string[];
  subsetsMissing: string[];
}

export interface RewardBenchScores {
  sections: RewardBenchSectionScore[];
  /** Unweighted mean of the section scores present (a missing section is left out). */
  overall: number | null;
  /**
   * Unweighted mean of all four sections with a missing one scored 0, as allenai/reward-bench's
   * `calculate_scores_per_section` scores it; equals `overall` on a complete run.
   */
  overallMissingAsZero: number;
  /** All four sections had at least one subset. */
  complete: boolean;
  sectionsMissing: string[];
  /** Subsets in the data that no RewardBench section lists (not in any section score). */
  unknownSubsets: string[];
}

export interface TiesScore {
  /** The weighted Ties score; null when no tied prompt has its reference prompt (numpy's NaN). */
  score: number | null;
  refAccuracy: number;
  tiedAccuracy: number;
  correctnessPreferred: number | null;
  correctnessPreferredHard: number | null;
  marginScore: number | null;
  refPrompts: number;
  tiedPrompts: number;
  /** Tied prompts whose reference prompt is present: the margin terms are over these. */
  pairedPrompts: number;
}

export interface RewardBench2Scores {
  /** Every subset present, RewardBench 2's six first in leaderboard order. */
  subsets: { name: string; score: number | null; rows: number }[];
  /** Mean of RewardBench 2's own subsets present (the leaderboard number when all six are). */
  score: number | null;
  /** All six subsets present and every row fully judged. */
  complete: boolean;
  subsetsMissing: string[];
  /** Rows left out because some of their comparisons have no judgment. */
  incompleteRows: number;
  ties: TiesScore | null;
}

export interface JudgeBenchScores {
  overall: { score: number | null; pairs: number };
  /** JudgeBench's four source groups present. */
  categories: { name: string; score: number | null; pairs: number }[];
  /** Pairs judged in both orders (JudgeBench's default protocol). */
  bothOrders: number;
}

export interface RmBenchAccuracy {
  hard: number;
  normal: number;
  easy: number;
  /** Mean of hard, normal and easy. */
  average: number;
  rows: number;
}

export interface RmBenchScores extends RmBenchAccuracy {
  /** Per domain, when rows name one; the top-level numbers are then their means. */
  domains: (RmBenchAccuracy & { name: string })[];
  incompleteRows: number;
}

/** Official scores of the multi-response and two-order benchmarks found in the data. */
export interface BenchmarkScores {
  rewardBench2?: RewardBench2Scores;
  judgeBench?: JudgeBenchScores;
  rmBench?: RmBenchScores;
}

export interface MajAtKPoint {
  k: number;
  accuracy: number;
  /** Pairs with samples that were scored. */
  n: number;
}

/** Reliability of P(A), see `calibration` (eval/calibration.ts) for the binning. */
export interface Calibration {
  /** Judgments with a pA and an A/B label. */
  n: number;
  bins: number;
  /** Σ_b (n_b / n) |meanPA_b − fractionA_b|. */
  ece: number;
  /** One row per bin [lower, upper) (the last closed); meanPA and fractionA null for an empty bin. */
  reliability: { lower: number; upper: number; n: number; meanPA: number | null; fractionA: number | null }[];
}

export interface PositionConsistency {
  /** Judgments judged in both orders. */
  bothOrderJudgments: number;
  /** Of those, judgments where each order on its own picked A or B. */
  decidedPairs: number;
  consistentPairs: number;
  /** consistentPairs / decidedPairs; null when no pair was decided in both orders. */
  rate: number | null;
  /** Per-order verdicts that picked A or B, over every judgment and order. */
  decidedOrders: number;
  /** Share of those verdicts naming the first-shown slot ("Assistant A"); 0.5 = no slot preference. */
  aSlotRate: number | null;
}

export interface Distribution {
  n: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
}

export interface UsageStats {
  totalTokens: Distribution;
  promptTokens: Distribution;
  completionTokens: Distribution;
  wallMs: Distribution;
  samples: Distribution;
  /** Σ cached samples / Σ samples; null when no samples. */
  cachedSampleRate: number | null;
}

export interface ParseStats {
  samples: number;
  parseErrors: number;
  /** Samples whose text hit the token cap without a verdict. */
  truncated: number;
  parseErrorRate: number | null;
  truncationRate: number | null;
}

export interface McNemarResult {
  /** Pairs the first judge got right and the second wrong. */
  b: number;
  /** Pairs the second judge got right and the first wrong. */
  c: number;
  /** Discordant pairs, b + c. */
  n: number;
  /** χ² with continuity correction; null for the exact test. */
  statistic: number | null;
  pValue: number;
  method: "exact" | "chi2";
}

export interface EvalOptions extends ScoreOptions {
  bootstrap?: BootstrapOptions;
  /** maj@k curve settings, or false to skip it. Defaults to `{ mode: "first" }`. */
  majAtK?: false | { maxK?: number; mode?: "first" | "expected" };
  /** RewardBench section scores: "auto" when any subset is a RewardBench subset. Defaults to "auto". */
  rewardBench?: "auto" | boolean;
}

export interface EvalSummary {
  counts: {
    pairs: number;
    judgments: number;
    /** Pairs without a judgment. */
    missing: number;
    /** Judgments whose pair is not in the data. */
    unmatched: number;
    /** Pairs labelled "tie", left out of accuracy. */
    tieLabels: number;
    scored: number;
  };
  verdicts: { A: number; B: number; tie: number; error: number };
  accuracy: AccuracyResult;
  subsets: Record<string, AccuracyResult>;
  rewardBench: RewardBenchScores | null;
  /** Present only when the data holds RewardBench 2, JudgeBench or RM-Bench rows. */
  benchmarks?: BenchmarkScores;
  /** maj@k with k samples per order (with both orders a point spends 2k samples). */
  majAtK: MajAtKPoint[];
  /** maj@k with k samples in all, the paper's Maj@k by samples spent; k is the total. */
  majAtKTotal: MajAtKPoint[];
  positionConsistency: PositionConsistency;
  parse: ParseStats;
  /** Judgments with verdict "error", and those with engine errors. */
  errors: {
    errorVerdicts: number;
    engineErrors: number;
    errorRate: number | null;
    engineErrorRate: number | null;
  };
  adaptive: { stoppedEarly: number; stoppedEarlyRate: number | null };
  /** Mean (pA − 1[label = A])² over judgments with a pA. */
  brier: number | null;
  /** Reliability table and ECE of pA; null when pA is only ever 0, ½ or 1. */
  calibration: Calibration | null;
  usage: UsageStats;
  /** Distinct provenances of the judgments (one for a normal run). */
  provenance: JudgeProvenance[];
  /** The resolved options the summary was computed with. */
  options: Required<ScoreOptions> & {
    bootstrap: Required<BootstrapOptions>;
    majAtK: false | { maxK: number | null; mode: "first" | "expected" };
    rewardBench: "auto" | boolean;
  };
  /** Every number above under its namespaced key (docs/metrics.md). */
  metrics: Record<string, number | null>;
}
