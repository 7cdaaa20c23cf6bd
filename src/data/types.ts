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
});

export type PreferencePairRecord = z.infer<typeof preferencePairSchema>;
export type PreferencePair = Omit<PreferencePairRecord, "id"> & { id: PairId };
