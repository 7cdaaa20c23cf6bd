/**
 * Plays the pairwise games of one candidate set through a Judge and keeps the books: every game
 * played, the tokens it cost, and what the budget refused. Schemes (knockout, round robin,
 * reference) only decide which games to ask for; the ledger owns concurrency, the budget, tie-breaks
 * and the pair each game becomes.
 *
 * A game shows candidate `a` as the pair's responseA. Position bias is the judge's business: a judge
 * with orderMode "both" (the default) shows every game in both orders and symmetrises p̂.
 */
import pLimit, { type LimitFunction } from "p-limit";
import { contentHash } from "../data/pairId.js";
import type { PreferencePair } from "../data/types.js";
import { throwIfAborted } from "../errors.js";
import { hash32 } from "../judge/hash32.js";
import type { Judge } from "../judge/types.js";
import type { PairId } from "../types.js";
import { preferenceProbability } from "./preferenceProbability.js";
import type {
  CandidateSet,
  Comparison,
  ComparisonBudget,
  ProbabilityOptions,
  RankUsage,
  SelectionResult,
} from "./types.js";

/** Index standing for the candidate set's reference answer in a Comparison. */
export const referenceIndex = -1;

export interface ComparisonLedgerOptions {
  budget?: ComparisonBudget;
  /** Games judged at once; the engine batches concurrent judgments. Defaults to 4. */
  concurrency?: number;
  /** Seeds tie-breaks and budget fallbacks. Defaults to 0. */
  seed?: number;
  probability?: ProbabilityOptions;
  signal?: AbortSignal;
}

export const defaultLedgerOptions = { concurrency: 4, seed: 0 } satisfies ComparisonLedgerOptions;

/**
 * "decisive": the game must produce a winner (knockout); an even or failed game, or one the budget
 * refused, is settled by a coin seeded with (seed, pair). "open": an even game stays a tie, a failed
 * one has pA null, and a refused game is not played at all (`play` returns null).
 */
export type GameMode = "decisive" | "open";

export class ComparisonLedger {
  readonly comparisons: Comparison[] = [];
  readonly seed: number;
  #judge: Judge;
  #set: CandidateSet;
  #budget: ComparisonBudget;
  #limit: LimitFunction;
  #probability: ProbabilityOptions;
  #signal: AbortSignal | undefined;
  #started = 0;
  #tokens = 0;
  #unplayed = 0;
  #exhausted = false;
  #startedAt = performance.now();

  constructor(judge: Judge, set: CandidateSet, options: ComparisonLedgerOptions = {}) {
    const {
      budget = {},
      concurrency = defaultLedgerOptions.concurrency,
      seed = defaultLedgerOptions.seed,
      probability = {},
      signal,
    } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    for (const key of ["maxComparisons", "maxTokens"] as const) {
      const v = budget[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
        throw new RangeError(`budget.${key} must be a non-negative integer, got ${v}`);
      }
    }
    this.#judge = judge;
    this.#set = set;
    this.#budget = budget;
    this.#limit = pLimit(concurrency);
    this.#probability = probability;
    this.#signal = signal;
    this.seed = seed;
  }

  /** Text of candidate `i`, or the reference for `referenceIndex`. */
  text(i: number): string {
    if (i === referenceIndex) {
      if (this.#set.reference === undefined) throw new RangeError("the candidate set has no reference");
      return this.#set.reference;
    }
    const text = this.#set.candidates[i];
    if (text === undefined) throw new RangeError(`no candidate ${i} among ${this.#set.candidates.length}`);
    return text;
  }

  pairFor(a: number, b: number): PreferencePair {
    const prompt = this.#set.prompt;
    const responseA = this.text(a);
    const responseB = this.text(b);
    // Content-addressed, so a game replayed in another request or run hits the same sample cache.
    const id = `rank:${contentHash({ prompt, responseA, responseB })}` as PairId;
    return { id, prompt, responseA, responseB, label: "tie" };
  }

  /** Whether the budget lets one more game start now. */
  #canStart(): boolean {
    const { maxComparisons, maxTokens } = this.#budget;
    if (maxComparisons !== undefined && this.#started >= maxComparisons) return false;
    if (maxTokens !== undefined && this.#tokens >= maxTokens) return false;
    return true;
  }

  play(a: number, b: number, mode: "decisive"): Promise<Comparison>;
  play(a: number, b: number, mode: "open"): Promise<Comparison | null>;
  play(a: number, b: number, mode: GameMode): Promise<Comparison | null> {
    return this.#limit(() => this.#play(a, b, mode));
  }

  async #play(a: number, b: number, mode: GameMode): Promise<Comparison | null> {
    throwIfAborted(this.#signal);
    const pair = this.pairFor(a, b);
    const base = { a, b, pairId: pair.id, promptTokens: 0, completionTokens: 0 };
    if (pair.responseA === pair.responseB) {
      return this.#record({
        ...base,
        verdict: "tie",
        pA: 0.5,
        winner: mode === "decisive" ? this.#coin(pair.id, a, b) : null,
        decidedBy: "identical",
      });
    }
    if (!this.#canStart()) {
      this.#exhausted = true;
      this.#unplayed++;
      if (mode === "open") return null;
      return this.#record({
        ...base,
        verdict: "error",
        pA: null,
        winner: this.#coin(pair.id, a, b),
        decidedBy: "budget",
      });
    }
    this.#started++;
    const judgment = await this.#judge.judge(pair, { signal: this.#signal });
    const promptTokens = judgment.usage.promptTokens;
    const completionTokens = judgment.usage.completionTokens;
    this.#tokens += promptTokens + completionTokens;
    const pA = preferenceProbability(judgment, this.#probability);
    const decided = pA === null || pA === 0.5 ? null : pA > 0.5 ? a : b;
    const comparison: Comparison = {
      ...base,
      verdict: judgment.verdict,
      pA,
      winner: decided ?? (mode === "decisive" ? this.#coin(pair.id, a, b) : null),
      decidedBy: decided === null && mode === "decisive" ? "tiebreak" : "judge",
      promptTokens,
      completionTokens,
      judgment,
    };
    return this.#record(comparison);
  }

  #record(comparison: Comparison): Comparison {
    this.comparisons.push(comparison);
    return comparison;
  }

  /** A fair coin that depends only on (seed, pair), never on timing or concurrency. */
  #coin(pairId: PairId, a: number, b: number): number {
    return (hash32("genrm/rank/tiebreak", this.seed, pairId) & 1) === 0 ? a : b;
  }

  /** Records a game the budget refused without asking to play it (schemes that plan ahead). */
  markUnplayed(count: number): void {
    if (count > 0) {
      this.#unplayed += count;
      this.#exhausted = true;
    }
  }

  usage(): RankUsage {
    let promptTokens = 0;
    let completionTokens = 0;
    let comparisons = 0;
    for (const c of this.comparisons) {
      if (!c.judgment) continue;
      comparisons++;
      promptTokens += c.promptTokens;
      completionTokens += c.completionTokens;
    }
    return {
      comparisons,
      promptTokens,
      completionTokens,
      scorerCalls: 0,
      wallMs: performance.now() - this.#startedAt,
    };
  }

  budgetReport(): SelectionResult["budget"] {
    return {
      maxComparisons: this.#budget.maxComparisons ?? null,
      maxTokens: this.#budget.maxTokens ?? null,
      exhausted: this.#exhausted,
      unplayed: this.#unplayed,
    };
  }
}
