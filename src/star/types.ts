/**
 * Records of a STaR run (paper-spec §1.8–1.11): the resolved config, per-iteration lineage and the
 * manifest that ties them together. No implementation here.
 */
import type { SamplingConfig } from "../engine/types.js";
import type { EvalSummary } from "../eval/types.js";
import type { Order } from "../judge/types.js";
import type { ChatMessage } from "../types.js";
import type { StarModelRef } from "./trainSpec.js";

export type { StarModelRef };

export type StarMethod = "star-sft" | "star-dpo" | "star-rationalizer";
export const starMethods = ["star-sft", "star-dpo", "star-rationalizer"] as const;

/** Where a kept training row came from: enough to find its sample in the store again. */
export interface SampleLineage {
  pairId: string;
  iteration: number;
  /** Identity (content hash) of the model that wrote the sample. */
  modelId: string;
  templateId: string;
  templateHash: string;
  order: Order;
  index: number;
  seed: number;
  samplingKey: string;
  /** Parsed verdict about the pair's responses (display order undone), or "error". */
  verdict: "A" | "B" | "error";
}

/** genrm's training row (docs/training.md) plus its lineage. */
export interface StarSftRow {
  prompt: ChatMessage[];
  completion: [{ role: "assistant"; content: string }];
  lineage: SampleLineage & { gold: "A" | "B"; hinted: boolean };
}

export interface StarDpoRow {
  prompt: ChatMessage[];
  chosen: [{ role: "assistant"; content: string }];
  rejected: [{ role: "assistant"; content: string }];
  lineage: { chosen: SampleLineage; rejected: SampleLineage; gold: "A" | "B" };
}

/** Why samples or pairs did not become training data. */
export interface StarCounts {
  pairs: number;
  /** Pairs labelled "tie": no gold winner, nothing to filter or hint with. */
  tiePairs: number;
  samples: number;
  /** Samples read from the store instead of generated (a resumed iteration). */
  cachedSamples: number;
  correct: number;
  wrongVerdict: number;
  /** Finished without a parseable verdict. */
  unparseable: number;
  /** Stopped at the token cap without a verdict (OQ-13: never training data). */
  truncated: number;
  /** Engine failures (no text to train on). */
  engineErrors: number;
  /** Pairs with at least one correct and one wrong sample (OQ-1's logged fraction). */
  pairsMixed: number;
  pairsAllCorrect: number;
  pairsAllWrong: number;
  /** SFT: correct samples dropped as duplicates of a kept one (OQ-5). */
  droppedDuplicate: number;
  /** SFT: correct samples over the per-pair cap (OQ-5). */
  droppedOverCap: number;
  /** Rationalizer: rationales whose verdict contradicts the hint (dropped unless keepInconsistent). */
  droppedInconsistent: number;
  /** Rationalizer, failed-only mode: pairs skipped because self-sampling already solved them. */
  skippedSolved: number;
  /** Rows written to the training set. */
  rows: number;
  /** Rows whose rationale the run's `rationaleCheck` finds malformed (trained on all the same); absent without a check. */
  malformedRows?: number;
}

export interface StarIterationRecord {
  iteration: number;
  status: "pending" | "sampled" | "trained" | "done";
  /** The model that sampled this iteration's data (M_{t-1}). */
  samplingModel: StarModelRef;
  /** Model training started from: M_{t-1}, or the base with `restartFromBase`. */
  startModel: StarModelRef;
  /** DPO only: the frozen reference. */
  referenceModel: StarModelRef | null;
  slice: { index: number; pairs: number; pairIds: string[] };
  seed: number;
  template: { id: string; hash: string };
  sampling: SamplingConfig;
  samplingKey: string;
  k: number;
  orders: "random" | "both";
  counts: StarCounts | null;
  files: {
    samples: string;
    train: string;
    trl: string;
    /** Rows of earlier iterations also trained on (restart-from-base mode). */
    cumulative: string[];
  };
  training: {
    runDir: string;
    encoded: { rows: number; examples: number; droppedTooLong: number; truncated: number } | null;
    steps: number | null;
    resumedFrom: number | null;
    lastLoss: number | null;
    checkpoint: string | null;
    /** `--trainer command`: the command run and its files (relative to the run directory). */
    external?: { command: string; spec: string; log: string; result: string };
  } | null;
  /** M_t, with the trainer run that made it (`producedBy`) when an external trainer did. */
  model: StarModelRef | null;
  evals: StarEvalRecord[];
}

export interface StarEvalRecord {
  name: string;
  /** The model evaluated (the iteration's output; iteration 0 is the base model). */
  modelId: string;
  summaryFile: string;
  accuracy: number | null;
  n: number;
  parseErrorRate: number | null;
}

export interface StarManifest {
  format: "genrm-star";
  version: 1;
  genrm: string;
  method: StarMethod;
  configHash: string;
  config: unknown;
  baseModel: StarModelRef;
  data: { source: string | null; pairs: number; slices: number[]; sliceSeed: number };
  store: string;
  /** Evaluations of the base model (iteration 0), when eval sets are given. */
  baseEvals: StarEvalRecord[];
  iterations: StarIterationRecord[];
  finalModel: StarModelRef | null;
  status: "running" | "done";
  updatedAt: string;
}

export interface StarEvalSet {
  name: string;
  pairs: import("../data/types.js").PreferencePair[];
}

export type { EvalSummary };
