import type { DemoClaim } from "./demoClaims.js";
import type { DemoPolicyResults } from "./policy/types.js";

/**
 * What `genrm demo` writes to `results.json`: every number the report and the terminal table show,
 * with what is needed to reproduce it (seeds, template hashes, model identities, configs).
 */

/** The judges the demo compares, in the order of the paper's Figure 2. */
export const demoMethodIds = [
  "zero-shot-direct",
  "zero-shot-cot",
  "genrm",
  "bt",
  "pairrm",
  "star-sft",
  "star-dpo",
  "star-rationalizer",
] as const;
export type DemoMethodId = (typeof demoMethodIds)[number];

/** The mini-world splits the demo evaluates on. */
export const demoEvalSplits = ["test", "ood-length", "ood-mixed"] as const;
export type DemoEvalSplit = (typeof demoEvalSplits)[number];

export interface DemoSplitInfo {
  name: DemoEvalSplit;
  /** "In-distribution", "OOD: length cue reversed", "OOD: subtraction". */
  title: string;
  ood: boolean;
  pairs: number;
  /** P(the longer answer is the labelled winner) on these pairs: how much the surface cue pays. */
  lengthJudgeAccuracy: number;
}

/** Shares of a CoT judge's samples on one split (`rationaleStats`). */
export interface DemoRationaleStats {
  samples: number;
  /** Work the sum out to a result that one of the answers states. */
  worked: number;
  /** Work the sum out to a result neither answer states, so the verdict cannot follow from it (the taught move is a cue: "Neither is right; B is more detailed"). */
  fallback: number;
  /** Skip the work: "B is more detailed", "A comes first". */
  heuristic: number;
  /** Right arithmetic, right quotes and the hidden rule's verdict: right for the right reason. */
  sound: number;
  /**
   * Of the samples whose worked result equals exactly one shown answer, the share whose verdict
   * names that answer: whether the judge's verdict follows its own work (the paper's premise for
   * STaR). Null when no sample's result matched exactly one answer. Absent in older results.
   */
  followsWork?: number | null;
}

export interface DemoSplitResult {
  /** Accuracy against the human labels (ties and unparseable verdicts score 0.5). CoT judges: maj@k. */
  accuracy: number;
  /** Bootstrap 95% interval of `accuracy`. */
  ci: [number, number];
  n: number;
  /**
   * CoT judges: expected accuracy of the majority of j of the k samples (mean over every j-subset,
   * `majAtK` mode "expected"), j = 1..k; majK[0] is the mean accuracy of one sample, majK[k−1] the vote of all k.
   */
  majK: number[] | null;
  /** Share of samples without a verdict (CoT), else 0. */
  parseErrorRate: number;
  /**
   * Per pair, in the split's order: "1" where the judge's verdict is the label, "0" otherwise (wrong,
   * tie or error). Paired tests between judges (demoClaims) read it.
   */
  correct?: string;
  /** CoT judges: what their rationales do; null otherwise. */
  rationales?: DemoRationaleStats | null;
}

export interface DemoTrainingInfo {
  /** Rows or pairs the final model was trained on, summed over iterations. */
  rows: number;
  steps: number;
  seconds: number;
  /** STaR: one entry per iteration. */
  iterations?: {
    iteration: number;
    pairs: number;
    samples: number;
    kept: number;
    /** Kept rows whose rationale is not in the world's grammar (isWellFormedRationale); null where not counted. */
    malformed: number | null;
    /** In-distribution accuracy of the iteration's model on the demo's small per-iteration probe, when measured. */
    probeAccuracy: number | null;
  }[];
  lastLoss: number | null;
}

export interface DemoMethodResult {
  id: DemoMethodId;
  /** Display name, e.g. "STaR-DPO". */
  name: string;
  family: "zero-shot" | "verdict-only" | "star";
  /** Writes a rationale before its verdict. */
  reasoning: boolean;
  /** CoT judges: samples per pair (maj@k); otherwise null. */
  k: number | null;
  model: { path: string; id: string } | null;
  template: { id: string; hash: string } | null;
  training: DemoTrainingInfo | null;
  results: Record<DemoEvalSplit, DemoSplitResult>;
  seconds: number;
}

export interface DemoStageTiming {
  stage: string;
  seconds: number;
}

export interface DemoResults {
  format: "genrm-demo@1";
  genrm: string;
  preset: "full" | "quick";
  seed: number;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: { platform: string; arch: string; cpus: number; node: string; engineThreads: number };
  baseModel: { path: string; id: string; sha256: string };
  world: { seed: number; noise: number; trainPairs: number };
  /** Judge templates used, id -> content hash. */
  templates: Record<string, string>;
  /** The preset's resolved settings (pairs, k, iterations, epochs, learning rates, …). */
  config: Record<string, unknown>;
  splits: DemoSplitInfo[];
  methods: DemoMethodResult[];
  /** The paper's findings checked on this run (demoClaims). */
  claims: DemoClaim[];
  timings: DemoStageTiming[];
  /** Best-of-N among a policy's answers, by every judge (`genrm demo --policy`); absent otherwise. */
  policy?: DemoPolicyResults;
}
