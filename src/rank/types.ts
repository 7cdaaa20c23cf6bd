/**
 * Records of turning pairwise judgments into selections and scalar rewards: candidate sets, the
 * comparisons a scheme played, and what it selected. Types only; no implementation is imported.
 */
import type { Judgment, PairVerdict } from "../judge/types.js";
import type { ChatMessage, PairId } from "../types.js";

/** One prompt with N candidate responses (Best-of-N, a GRPO group, a /v1/rank request). */
export interface CandidateSet {
  /** The conversation up to the response; the last message is a user turn. */
  prompt: ChatMessage[];
  candidates: string[];
  /** A reference answer for scheme "reference" (e.g. a sample of the SFT policy, paper Eq. 5). */
  reference?: string;
}

/**
 * How a selection is made:
 * - "knockout": single elimination, N−1 games (Chen et al. 2024; PairRM's "bubble").
 * - "copeland": round robin, N(N−1)/2 games, score = (wins − losses) / games.
 * - "bradley-terry": the same games, strengths fitted by Newton with a prior (`fitBradleyTerry`).
 * - "reference": every candidate against `reference`, score = logit p̂(y ≻ y_ref) (Eq. 6).
 * - "scalar": a pointwise scorer (`ScalarScorer`), no pairwise games.
 */
export type SelectionScheme = "knockout" | "copeland" | "bradley-terry" | "reference" | "scalar";

export const selectionSchemes = [
  "knockout",
  "copeland",
  "bradley-terry",
  "reference",
  "scalar",
] as const satisfies readonly SelectionScheme[];

/** Where p̂(a ≻ b) comes from; see `preferenceProbability`. */
export interface ProbabilityOptions {
  /**
   * "laplace": (k_A + ½) / (k_A + k_B + 1) over the sampled verdicts of both orders (PR-2), which
   * keeps a unanimous vote finite under the logit; "none": k_A / (k_A + k_B). Judgments without
   * sampled verdicts (the direct protocol's renormalised token probabilities, baselines) use the
   * judge's own pA either way. Defaults to "laplace".
   */
  smoothing?: "laplace" | "none";
}

/** Caps on what one selection or reward computation may spend. */
export interface ComparisonBudget {
  /** Judge calls (one call = one game, in every order the judge shows). Defaults to unlimited. */
  maxComparisons?: number;
  /**
   * Prompt + completion tokens. Checked before each game starts, so games already in flight may
   * overshoot it by at most `concurrency − 1` games. Defaults to unlimited.
   */
  maxTokens?: number;
}

/** How a game's winner was decided. */
export type DecidedBy = "judge" | "tiebreak" | "budget" | "identical";

/** One pairwise game between candidates `a` and `b` (indices into the candidate set). */
export interface Comparison {
  a: number;
  b: number;
  /** The pair judged: candidate `a` is its responseA. */
  pairId: PairId;
  verdict: PairVerdict;
  /** p̂(candidate a ≻ candidate b); null when the game was not played or nothing parsed. */
  pA: number | null;
  /** Index of the winner; null for a round-robin game that ended even (counted as a tie). */
  winner: number | null;
  decidedBy: DecidedBy;
  promptTokens: number;
  completionTokens: number;
  /** The judge's full record; absent for games the budget or identical texts decided. */
  judgment?: Judgment;
}

export interface RankUsage {
  /** Judge calls made. */
  comparisons: number;
  promptTokens: number;
  completionTokens: number;
  /** Scalar scorer calls (scheme "scalar"). */
  scorerCalls: number;
  wallMs: number;
}

export interface SelectionResult {
  scheme: SelectionScheme;
  /** Index of the selected candidate. */
  selected: number;
  /** Candidate indices, best first. */
  ranking: number[];
  /**
   * Per-candidate score under the scheme (higher is better): knockout games won; Copeland
   * (wins − losses) / games; Bradley–Terry log-strength (mean 0); reference logit p̂(y ≻ y_ref);
   * the scalar score. null for a candidate the budget left unscored.
   */
  scores: (number | null)[];
  comparisons: Comparison[];
  /**
   * A scorer that splits ties (`ScalarScorer.ties`): every candidate sharing the top score, in index
   * order; `selected` is the first of them. A pick among them is worth its expected value.
   */
  tiedTop?: number[];
  usage: RankUsage;
  budget: {
    maxComparisons: number | null;
    maxTokens: number | null;
    /** True when the budget stopped at least one game from being played. */
    exhausted: boolean;
    /** Games decided without the judge because the budget was spent. */
    unplayed: number;
  };
  seed: number;
}

/**
 * A pointwise reward model: one number per (prompt, response), higher is better. A trained
 * Bradley–Terry reward model plugs in here; `createLengthScorer` is the model-free baseline.
 */
export interface ScalarScorer {
  readonly name: string;
  score(prompt: ChatMessage[], response: string, options?: { signal?: AbortSignal }): Promise<number>;
  /** `score` with the tokens it spent, where the scorer knows them (a model's rating judge). */
  scoreWithUsage?(
    prompt: ChatMessage[],
    response: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ score: number; promptTokens: number; completionTokens: number }>;
  /**
   * "split": candidates sharing the top score share the pick (`SelectionResult.tiedTop`), as
   * RewardBench 2 credits ratings tied at the top; absent: the first of them is the pick.
   */
  readonly ties?: "split";
}
