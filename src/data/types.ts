/**
 * The canonical preference pair. Every reader and adapter produces these; every judge consumes them.
 * Validated with zod at the boundaries (files, HTTP bodies); inside genrm the TS type is trusted.
 */
import { z } from "zod";
import type { PairId } from "../types.js";

export const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

/**
 * Human label: which of the two responses people preferred. "A" means `responseA` is preferred.
 * Readers that know "chosen/rejected" put chosen in A and rejected in B; the judge decides the
 * display order separately (see judge/order), so this never leaks position into evaluation.
 */
export const labelSchema = z.enum(["A", "B", "tie"]);
export type Label = z.infer<typeof labelSchema>;

/** Benchmarks whose rows hold more than two responses, scored per row (eval/benchmarkScores.ts). */
export const multiResponseBenchmarks = ["rewardbench2", "rm-bench"] as const;
export type MultiResponseBenchmark = (typeof multiResponseBenchmarks)[number];

/**
 * Where a pair sits in the multi-response row it was expanded from. The row's responses are
 * numbered chosen first, then rejected (RewardBench 2's own unrolling order), so response `i` is
 * correct when `i < correct`; the pair compares response `a` (its responseA) with response `b`.
 * Every pair of a row carries the same `id`, `benchmark`, `correct`, `total` and `group`, so the
 * row is rebuilt from its pairs (`itemsFromPairs`) without a second record type in the data path.
 */
export const itemLinkSchema = z
  .object({
    benchmark: z.enum(multiResponseBenchmarks),
    /** The row's key, unique within a load. */
    id: z.string().min(1),
    a: z.number().int().min(0),
    b: z.number().int().min(0),
    /** Responses 0 … correct − 1 are the chosen ones. */
    correct: z.number().int().min(1),
    total: z.number().int().min(2),
    /** RM-Bench's `domain` (chat, code, math, safety-…), where the row names one. */
    group: z.string().optional(),
  })
  .strict();
export type ItemLink = z.infer<typeof itemLinkSchema>;

export const preferencePairSchema = z.object({
  id: z.string().min(1),
  /** The conversation up to (not including) the final assistant turn. Last message is "user". */
  prompt: z.array(messageSchema).min(1),
  /** The final assistant turn of response A (text only). */
  responseA: z.string().min(1),
  responseB: z.string().min(1),
  label: labelSchema,
  /** Fine-grained subset, e.g. RewardBench's "alpacaeval-easy". */
  subset: z.string().optional(),
  /** Dataset / adapter name the pair came from, e.g. "rewardbench", "llmbar". */
  source: z.string().optional(),
  /** Anything else worth keeping (model names, votes, scores). */
  meta: z.record(z.string(), z.unknown()).optional(),
  /** Set on pairs expanded from a multi-response row (RewardBench 2, RM-Bench). */
  item: itemLinkSchema.optional(),
});

export type PreferencePairRecord = z.infer<typeof preferencePairSchema>;
export type PreferencePair = Omit<PreferencePairRecord, "id"> & { id: PairId };

/** How a reader parses a file. Chosen from the extension unless the caller names one. */
export type ReaderName = "jsonl" | "json" | "parquet" | "csv";

/** Where a raw record came from. JSONL/CSV count 1-based lines; JSON arrays and Parquet 0-based rows. */
export interface RecordLocation {
  file: string;
  line: number;
  unit: "line" | "row";
}

/** One record as a reader yields it, before any adapter has looked at it. */
export interface RawRecord extends RecordLocation {
  record: unknown;
  /**
   * The key of the array the record came from in a JSON object of arrays
   * (`{"length bias": [...], "concreteness": [...]}`): the subset of its pairs that name none.
   */
  subset?: string;
}

/** Why a record was rejected; the keys of `SkipReport.byReason`. */
export type SkipReason =
  | "malformed-record"
  | "missing-field"
  | "wrong-type"
  | "invalid-label"
  | "empty-response"
  | "invalid-prompt"
  | "prompt-mismatch"
  | "join-mismatch"
  | "invalid-pair"
  | "invalid-encoding"
  | "record-too-large"
  | "duplicate-id";

export interface SkipReport {
  count: number;
  byReason: Partial<Record<SkipReason, number>>;
  /** The first few error messages, each naming file, line and field. */
  examples: string[];
}

/**
 * Turns one source record into canonical pairs. `toPairs` is pure: it depends only on the record and
 * its location (llmbar and hh-rlhf read their subset from the file path), and throws
 * `InvalidRecordError` for bad input. Most adapters return exactly one pair; XSTest returns several.
 */
export interface PairAdapter {
  name: string;
  /** One line for `genrm data formats` and docs. */
  description: string;
  /** Whether a raw record (as read from a file) looks like this format. Used by `format: "auto"`. */
  detect(record: unknown): boolean;
  toPairs(record: unknown, location: RecordLocation): PreferencePair[];
  /**
   * Set for formats whose pairs are joined from several files (LLMFAO, XSTest). `files` are base-name
   * globs searched under the dataset folder; `assemble` consumes every raw record of those files and
   * yields the joined records that `toPairs` converts.
   */
  dataset?: {
    files: readonly string[];
    assemble(records: AsyncIterable<RawRecord>, options: AssembleOptions): AsyncIterable<RawRecord>;
  };
}

export interface AssembleOptions {
  /** Receives a bad record; throws it unless the caller skips invalid input. */
  onInvalid: (error: InputErrorLike) => void;
}

/** Structural view of `InvalidRecordError` so this file imports no implementation. */
export interface InputErrorLike extends Error {
  readonly reason: SkipReason;
}
