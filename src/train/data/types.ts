/**
 * Training rows (what a JSONL line holds, after validation) and training examples (token ids
 * ready for batching). Formats are documented in docs/training.md. No implementation here.
 */
import type { ChatMessage } from "../../types.js";

/** The five objectives `genrm train` knows. */
export type TrainMethod = "sft" | "dpo" | "bt" | "pairrm" | "genrm";

/** A prompt: plain text (TRL "standard", no chat template) or messages (conversational). */
export type RowPrompt = string | ChatMessage[];

/** Where a row came from, for errors and reports. */
export interface RowRef {
  file: string;
  line: number;
}

/** `{messages}` (last message is the assistant's) or `{prompt, completion}`. */
export interface SftRow {
  type: "sft";
  prompt: RowPrompt;
  completion: string;
  ref: RowRef;
}

/** TRL preference: `{prompt, chosen, rejected, margin?}`. */
export interface PreferenceRow {
  type: "preference";
  prompt: RowPrompt;
  chosen: string;
  rejected: string;
  margin?: number;
  ref: RowRef;
}

/** `{prompt, response_a, response_b, label}`; label 1 = A preferred, 0 = B, 0.5 = tie. */
export interface PairwiseRow {
  type: "pairwise";
  id: string;
  prompt: ChatMessage[];
  responseA: string;
  responseB: string;
  label: number;
  ref: RowRef;
}

export type TrainRow = SftRow | PreferenceRow | PairwiseRow;

/** One tokenized sequence, prompt then completion. */
export interface TokenSequence {
  tokens: Int32Array;
  /** Index of the first completion token: the loss covers tokens[completionStart..]. */
  completionStart: number;
}

/** SFT (and GenRM verdict: the completion is the single gold letter after `[[`). */
export interface SequenceExample {
  kind: "sequence";
  seq: TokenSequence;
  ref: RowRef;
}

/** DPO and Bradley–Terry. */
export interface PreferenceExample {
  kind: "preference";
  chosen: TokenSequence;
  rejected: TokenSequence;
  margin?: number;
  ref: RowRef;
}

/** PairRM: one sequence holding prompt and both responses, scored at its last token. */
export interface PairwiseExample {
  kind: "pairwise";
  seq: TokenSequence;
  /** Target probability that the response shown first is better. */
  label: number;
  ref: RowRef;
}

export type TrainExample = SequenceExample | PreferenceExample | PairwiseExample;

/** What happened to the rows on the way to examples; printed by the CLI and saved in the run. */
export interface EncodeReport {
  rows: number;
  examples: number;
  /** Examples cut to `maxLength` (policy "truncate"). */
  truncated: number;
  /** Examples dropped: over `maxLength` under "filter", or no completion left after truncation. */
  droppedTooLong: number;
  /** Ties dropped for GenRM verdicts (no gold letter). */
  droppedTies: number;
  /** Longest example in tokens, after truncation. */
  maxTokens: number;
  /** Total tokens over all examples. */
  totalTokens: number;
}

export interface TrainDataset {
  method: TrainMethod;
  examples: TrainExample[];
  report: EncodeReport;
  /** GenRM: token ids of the verdict letters [A, B]. */
  verdictTokens?: [number, number];
}
