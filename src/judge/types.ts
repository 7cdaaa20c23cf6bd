/**
 * Records produced by judging. A Judgment is self-describing: it carries its provenance (model,
 * template hash, seed, sampling) so a results file can be reproduced without any side "meta".
 */
import type { SamplingConfig } from "../engine/types.js";
import type { ModelId, PairId, TemplateHash } from "../types.js";

/**
 * Display order of a pair. "AB": the pair's responseA is shown as "Assistant A". "BA": swapped,
 * responseA is shown as "Assistant B".
 */
export type Order = "AB" | "BA";

/** Verdict as parsed from judge text, in display slots (what the judge literally said). */
export type ParsedVerdict = { verdict: "A" | "B" } | { verdict: "error"; reason: string };

/** A verdict about the pair's own responses (A = pair.responseA), after undoing the display order. */
export type PairVerdict = "A" | "B" | "tie" | "error";

export type Protocol = "cot" | "direct" | "rationalizer";

/** One sampled judge completion. Keyed in the store by (model, template, pair, order, index, seed). */
export interface JudgeSample {
  order: Order;
  /** Index of this sample among the k drawn for (pair, order). */
  index: number;
  seed: number;
  text: string;
  /** Verdict about the pair's responses, display order undone; "error" when unparseable. */
  verdict: "A" | "B" | "error";
  /** Why parsing failed, when it did. */
  parseError?: string;
  completionTokens: number;
  stopReason: string;
  /** True when this sample was read from the store instead of generated. */
  cached?: boolean;
}

/** Verdict-token probability read-out (direct GenRM), per order. */
export interface OrderProbability {
  order: Order;
  /** P(pair.responseA preferred), renormalised over the two verdict tokens, display order undone. */
  pA: number;
  logprobA: number;
  logprobB: number;
}

export interface JudgeProvenance {
  modelId: ModelId;
  modelName: string;
  protocol: Protocol;
  templateId: string;
  templateHash: TemplateHash;
  seed: number;
  sampling: SamplingConfig;
  orderMode: string;
  /** Samples requested per order (upper bound when adaptive voting stops early). */
  k: number;
  adaptive: boolean;
}

export interface JudgeUsage {
  promptTokens: number;
  completionTokens: number;
  /** Samples drawn (generated or read from the store). */
  samples: number;
  /** Samples served from the store. */
  cachedSamples: number;
  wallMs: number;
}

export interface Judgment {
  pairId: PairId;
  verdict: PairVerdict;
  /** Estimated P(pair.responseA preferred over responseB); null when nothing parsed. */
  pA: number | null;
  votes: { A: number; B: number; error: number };
  orders: Order[];
  samples: JudgeSample[];
  probabilities?: OrderProbability[];
  /** True when adaptive voting stopped before k samples. */
  stoppedEarly: boolean;
  usage: JudgeUsage;
  /** Engine/transport errors met while judging (not parse errors, which are in votes.error). */
  errors: string[];
  provenance: JudgeProvenance;
}
