/**
 * Records produced by judging. A Judgment is self-describing: it carries its provenance (model,
 * template hash, seed, sampling) so a results file can be reproduced without any side "meta".
 */
import { z } from "zod";
import type { PreferencePair } from "../data/types.js";
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
  /** Token ids the engine sampled, where it reports them (`GeneratedSample.tokens`). */
  tokens?: number[];
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
  /** Log-probability of the verdict token naming pair.responseA (display order undone). */
  logprobA: number;
  /** Log-probability of the verdict token naming pair.responseB (display order undone). */
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
  /** Set when a model-free baseline produced the judgment instead of a model. */
  baseline?: "length" | "random";
}

export interface JudgeUsage {
  /** Prompt tokens the engine evaluated for this judgment (0 for samples served from the store). */
  promptTokens: number;
  /** Tokens of every sample the verdict rests on, cached ones included (the judgment's intrinsic cost). */
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

/** How the display order of each pair is chosen. */
export type OrderMode = "random" | "both" | "fixed";

/**
 * What an even split of valid votes becomes. "half": verdict "tie" (scored 0.5); "A"/"B": that
 * side; "error": verdict "error"; "logprob": the verdict-token probability read-out decides (a tie
 * when unavailable).
 */
export type TiePolicy = "half" | "A" | "B" | "error" | "logprob";

/**
 * What unparseable samples do to the vote. "ignore": dropped, pA = #A / (#A + #B); "plurality":
 * "error" is a third candidate that wins when it outnumbers both sides; "strict": any parse error
 * makes the verdict "error".
 */
export type ErrorPolicy = "ignore" | "plurality" | "strict";

/** Early stopping of self-consistency sampling, see `shouldStop`. */
export interface AdaptiveOptions {
  /**
   * "decided": the leader cannot be overtaken; "confidence": a Wilson bound excludes 0.5;
   * "posterior": the Beta-Binomial posterior probability that the full k-sample vote keeps the
   * current leader reaches `confidence`.
   */
  mode: "decided" | "confidence" | "posterior";
  /** Level for modes "confidence" (two-sided Wilson) and "posterior". Defaults to 0.95. */
  confidence?: number;
  /** Mode "posterior": the Beta(prior, prior) prior over a pair's vote share. Defaults to 0.5 (Jeffreys). */
  prior?: number;
}

/** Everything that determines one judge sample; the store's primary key. */
export interface SampleKey {
  modelId: ModelId;
  templateHash: TemplateHash;
  pairId: PairId;
  order: Order;
  index: number;
  seed: number;
  /** `samplingKey(sampling)`: temperature, top-p and token cap in a fixed textual form. */
  samplingKey: string;
}

/**
 * A synchronous store of judge samples (implemented on SQLite in `store/`). Samples found here are
 * not regenerated; new ones are put as soon as the engine returns them, so an interrupted run
 * resumes where it stopped.
 */
export interface SampleCache {
  get(key: SampleKey): JudgeSample | undefined;
  /** Never overwrites a stored sample, unless `replace` (a stored sample found not to match its tokens). */
  put(key: SampleKey, sample: JudgeSample, options?: { replace?: boolean; promptHash?: string }): void;
}

/** Identity of a verdict-token read-out (direct protocol, logprob tie-break). */
export interface VerdictProbabilityKey {
  modelId: ModelId;
  /** Hash of the template whose prompt was read (its forced prefix is part of the content). */
  templateHash: TemplateHash;
  pairId: PairId;
  order: Order;
}

/** A read-out as the engine returned it: log-probabilities of the letters "A" and "B" as displayed. */
export interface StoredVerdictProbability {
  logprobA: number;
  logprobB: number;
  promptTokens: number;
}

/** Store of verdict-token read-outs, like `SampleCache` for samples. */
export interface VerdictProbabilityCache {
  get(key: VerdictProbabilityKey): StoredVerdictProbability | undefined;
  put(key: VerdictProbabilityKey, value: StoredVerdictProbability): void;
}

/** Placeholders a judge template may use, by field. */
export const templatePlaceholders = {
  system: [],
  systemMultiTurn: [],
  user: ["question", "answer_a", "answer_b"],
  userMultiTurn: ["question", "answer_a", "answer_b", "conversation_a", "conversation_b"],
  hint: ["winner", "loser"],
} as const satisfies Record<string, readonly string[]>;

/**
 * The written form of a judge prompt template (built-in, or a user's JSON file). Placeholders are
 * `{name}`; `{{` and `}}` are literal braces (Python `str.format`, as FastChat templates use).
 */
export const judgeTemplateSchema = z
  .object({
    /** `name@version`, e.g. "cot-pair-v2@1". */
    id: z.string().min(1),
    protocol: z.enum(["cot", "direct", "rationalizer"]),
    /** System message for single-turn pairs; empty means no system message. */
    system: z.string().default(""),
    /** User message for single-turn pairs: `{question}`, `{answer_a}`, `{answer_b}`. */
    user: z.string().min(1),
    /** System message for multi-turn pairs. Defaults to `system`. */
    systemMultiTurn: z.string().optional(),
    /** User message for pairs whose prompt has more than one user turn; adds `{conversation_a|b}`. */
    userMultiTurn: z.string().optional(),
    /** Forced start of the judge's answer, e.g. "[[" so the next token is the verdict letter. */
    assistantPrefix: z.string().optional(),
    /** Rationalizer only: appended to the user message with the gold `{winner}` and `{loser}` slots. */
    hint: z.string().optional(),
  })
  .strict();

export type JudgeTemplate = z.output<typeof judgeTemplateSchema>;

/** What a judge is, for reports and result files. */
export interface JudgeInfo {
  name: string;
  modelId: ModelId;
  modelName: string;
  protocol: Protocol;
  templateId: string;
  templateHash: TemplateHash;
  /** Set for model-free baselines. */
  baseline?: "length" | "random";
}

/** Anything that turns a pair into a Judgment: LLM judges and model-free baselines alike. */
export interface Judge {
  readonly info: JudgeInfo;
  judge(pair: PreferencePair, options?: { signal?: AbortSignal }): Promise<Judgment>;
}
