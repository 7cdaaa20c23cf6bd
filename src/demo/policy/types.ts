/**
 * Records of the demo's policy stage: Best-of-N selection by every judge among a policy's answers
 * to the mini world's questions. Types only.
 */
import type { DemoEvalSplit, DemoMethodId } from "../types.js";
import type { PolicyPreset, PolicyTrainingPreset } from "./policyPresets.js";

/** "in-distribution": the test split's questions; "ood": the ood-mixed split's (subtraction). */
export type PolicyQuestionSet = "in-distribution" | "ood";
export const policyQuestionSets = ["in-distribution", "ood"] as const satisfies readonly PolicyQuestionSet[];
/** Where a question comes from: an evaluation set, or the train split (expert iteration's questions). */
export type PolicyAnswerSet = PolicyQuestionSet | "train";

/** Selectors that are not judges: the hidden rule, a seeded coin, the longest answer in bytes. */
export type PolicyReferenceId = "oracle" | "random" | "longest";
export type PolicySelectorId = DemoMethodId | PolicyReferenceId;

/** A policy's answers to one question, as sampled (first N of them = the answers for N). */
export interface PolicyAnswers {
  set: PolicyAnswerSet;
  question: string;
  /** The true result. */
  value: number;
  answers: string[];
}

/** One selector's picks on one question: answer index per N of the stage's `ns`. */
export interface PolicySelection {
  set: PolicyAnswerSet;
  question: string;
  picks: number[];
  /** Games settled by a coin (a tie, an unparseable game or identical answers); 0 for non-pairwise. */
  coinGames: number;
}

/** A share of questions with its bootstrap 95% interval. */
export interface PolicyShare {
  share: number;
  ci: [number, number];
}

export interface PolicyCurvePoint {
  n: number;
  right: PolicyShare;
  verbose: PolicyShare;
  /** Per question in set order, "1" where the pick is right / verbose: what paired tests read. */
  rightBits: string;
  verboseBits: string;
}

export interface PolicySelectorResult {
  id: PolicySelectorId;
  name: string;
  /** "knockout": pairwise judge, in-order bracket, both orders; "scalar": argmax of a score. */
  scheme: "knockout" | "scalar";
  reference: boolean;
  /** Per question set: one point per N. */
  curves: Record<PolicyQuestionSet, PolicyCurvePoint[]>;
  /** Share of games settled by a coin, over both sets (pairwise judges; else 0). */
  coinGameShare: number;
  seconds: number;
}

/** The policy after one round of expert iteration on a selector's picks (round 0: the base model). */
export interface PolicyTrainingRound {
  round: number;
  /** Picks it was fine-tuned on (0 for round 0). */
  rows: number;
  model: { path: string; id: string };
  seconds: number;
  /** Its answers to the evaluation questions: share right / verbose (mean over questions of the per-question share). */
  sets: Record<
    PolicyQuestionSet,
    { right: PolicyShare; verbose: PolicyShare; rightByQuestion: number[]; verboseByQuestion: number[] }
  >;
}

export interface PolicyTrainingResult {
  id: PolicySelectorId;
  name: string;
  rounds: PolicyTrainingRound[];
}

export interface DemoPolicyResults {
  settings: PolicyPreset;
  /** The policy: the base model, answering in the pretraining corpus's "answer" format. */
  policy: {
    model: { path: string; id: string };
    sampling: { temperature: number; topP: number; maxTokens: number };
  };
  sets: { name: PolicyQuestionSet; split: DemoEvalSplit; title: string; questions: number }[];
  /** The policy's own rates over every sampled answer, per set. */
  base: Record<PolicyQuestionSet, { answers: number; right: number; verbose: number }>;
  selectors: PolicySelectorResult[];
  /** Expert iteration per selector (`policyTrainingPresets`); absent when the stage ran without it. */
  training?: { settings: PolicyTrainingPreset; selectors: PolicyTrainingResult[] };
  seconds: number;
}
