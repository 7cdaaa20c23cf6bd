/**
 * Best-of-N records: a prompt with N candidate responses and, where people judged them, a human
 * score per candidate; what a selection picked; and the evaluation against the human ranking.
 */
import { z } from "zod";
import type { SelectionScheme } from "../rank/types.js";
import type { ChatMessage } from "../types.js";

export interface BonCandidate {
  text: string;
  /** Model that wrote it, when known. */
  model?: string;
  /**
   * Human preference score, higher is better (XSTest: 1 intended behaviour, ½ partial refusal, 0
   * the wrong behaviour; LLMFAO: Bradley–Terry strength fitted to the crowd votes). Absent for
   * unlabelled or generated candidates.
   */
  humanScore?: number;
  /** The human label behind the score (XSTest `final_label`). */
  label?: string;
}

export interface BonItem {
  id: string;
  /** Dataset name: "xstest", "llmfao", "mt-bench", "jsonl". */
  source: string;
  prompt: ChatMessage[];
  candidates: BonCandidate[];
  /** Reference answer for scheme "reference" (MT-Bench GPT-4 answers, or from the file). */
  reference?: string;
  /** Dataset category (XSTest type, LLMFAO slug, MT-Bench category). */
  category?: string;
}

export type BonFormat = "jsonl" | "xstest" | "llmfao" | "mt-bench";

/**
 * One line of a BoN JSONL file. Candidates are strings, or objects with the text and optionally a
 * human `score` (higher is better) and the `model` that wrote it.
 */
export const bonJsonlRecordSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).optional(),
  prompt: z.union([
    z.string().min(1),
    z.array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })).min(1),
  ]),
  candidates: z
    .array(
      z.union([
        z.string(),
        z.object({ text: z.string(), score: z.number().optional(), model: z.string().optional() }),
      ]),
    )
    .min(1),
  reference: z.string().optional(),
  category: z.string().optional(),
});

/** How one item went: the selection and the two model-free baselines, in human terms. */
export interface BonItemResult {
  id: string;
  category?: string;
  n: number;
  selected: number;
  ranking: number[];
  scores: (number | null)[];
  /** Indices of the human-best candidates (all ties at the top); empty when unlabelled. */
  humanBest: number[];
  /** Human rank of the selection, 1 = best, ties sharing the mean of their places; null when unlabelled. */
  humanRank: number | null;
  hit: boolean | null;
  /**
   * Candidates sharing the top score of a scorer that splits ties (a rating judge), and what a
   * uniform pick among them is worth: the share of them that are human-best (RewardBench 2's
   * `(0 in winners) / len(winners)`) and their mean human rank. The summary counts these instead of
   * `hit` and `humanRank`, which describe `selected` (the first of them). Absent otherwise.
   */
  tiedTop?: { candidates: number[]; hit: number | null; humanRank: number | null };
  longest: { selected: number; humanRank: number | null; hit: boolean | null };
  /** Expected values for a uniformly random pick. */
  random: { humanRank: number | null; hitRate: number | null };
  comparisons: number;
  promptTokens: number;
  completionTokens: number;
  budgetExhausted: boolean;
  unplayed: number;
}

export interface BonMethodSummary {
  /** Share of items whose selection is among the human-best, with a bootstrap 95% CI. */
  hitRate: { estimate: number; lower: number; upper: number } | null;
  meanHumanRank: number | null;
  /** Mean of (rank − 1) / (N − 1): 0 = always the best, 1 = always the worst; comparable across N. */
  meanNormalizedRank: number | null;
}

export interface BonSummary {
  items: number;
  /** Items with human scores that are not all equal: the ones selection can be scored on. */
  evaluable: number;
  meanCandidates: number;
  scheme: SelectionScheme;
  selection: BonMethodSummary;
  random: BonMethodSummary;
  longest: BonMethodSummary;
  comparisons: { total: number; perItem: number };
  tokens: { prompt: number; completion: number; perItem: number };
  budgetExhaustedItems: number;
}
