/**
 * Options of the reward server and the request pieces its routes share. Route bodies have their
 * schemas beside their handlers in routes/; HTTP field names are snake_case, as OpenRLHF, verl and
 * OpenAI clients expect.
 */
import { z } from "zod";
import type { RatingJudge, RatingJudgeOptions } from "../judge/createRatingJudge.js";
import type { JudgeOptions } from "../judge/resolveJudgeConfig.js";
import type { ScalarScorer, SelectionScheme } from "../rank/types.js";
import type { ChatMessage } from "../types.js";

export interface ServeOptions {
  /** How every judgment is made (protocol, template, k, orders, sampling). Defaults to `defaultJudgeOptions`. */
  judge?: JudgeOptions;
  /**
   * Pointwise scorer for /v1/rank scheme "scalar". Defaults to the rating judge where `rating` is
   * set, the length scorer otherwise.
   */
  scorer?: ScalarScorer;
  /**
   * A rating judge (RewardBench 2's 1–10 prompt, k samples, their mean) for the reward routes:
   * every rollout is rated on its own, reward = its rating, score = (rating − 1) / 9; no reference
   * or sibling is needed, so `rewardMode` and `groupScheme` do not apply (grpo normalisation still
   * does, over the group's ratings). Undefined: the pairwise judge's schemes, as before.
   */
  rating?: RatingJudgeOptions;
  /** Judgments in flight to the engine. Defaults to 8, the embedded engine's parallel sequences. */
  concurrency?: number;
  /**
   * Requests admitted at once (running or waiting for the engine); one more is answered 429 with
   * Retry-After. Defaults to 256, so 64 clients each with a few requests in flight never see it.
   */
  maxQueue?: number;
  /** Per-request deadline in ms; past it the request is answered 504 and its work aborted. Defaults to 120000. */
  timeoutMs?: number;
  /** Largest request body in bytes (413 beyond). Defaults to 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Most characters of text one judgment may carry (prompt + the two answers), checked before
   * anything is tokenized. Defaults to 16 per token of the engine's context where the engine tells
   * its context size (the embedded engine), no bound otherwise. See inputSize.ts.
   */
  maxInputChars?: number;
  /** Bearer token; when set, every route but /health requires `Authorization: Bearer <token>`. Defaults to none. */
  token?: string;
  /** Most candidates in one /v1/rank request. Defaults to 64. */
  maxCandidates?: number;
  /** Most queries in one /get_reward request. Defaults to 1024. */
  maxQueries?: number;
  /** /v1/rank scheme when the request names none. Defaults to "knockout". */
  scheme?: SelectionScheme;
  /**
   * How /get_reward turns a query into a reward: "reference" uses `labels[i]` as the reference answer
   * (Eq. 6); "group" compares the rollouts of the same prompt within the request (group-relative);
   * "auto" uses the reference when a label is given, the group otherwise. Defaults to "auto".
   */
  rewardMode?: RewardMode;
  /** Seed of orders, brackets and tie-breaks. Defaults to 0. */
  seed?: number;
  /**
   * Server-side group assembly (see GroupAssembler.ts): rollouts of the same prompt (and group id,
   * where given) are held until this many have arrived, across requests, then judged together.
   * Undefined: each request's rollouts are grouped within the request only, as before.
   */
  groupSize?: number;
  /** How long a group waits for its members, from its first arrival, in ms. Defaults to 60000. */
  groupTimeoutMs?: number;
  /** Most groups open at once; one more closes the oldest early, as a partial group. Defaults to maxQueue. */
  maxOpenGroups?: number;
  /**
   * How the members of a group without references are judged against each other: "round-robin"
   * (every pair; mean logit), "knockout" (N−1 games; games won) or "anchor" (each against one member
   * of the group; logit). Defaults to "round-robin".
   */
  groupScheme?: GroupScheme;
  /** "grpo": each group's rewards become (r − mean) / (std + 1e-4). Defaults to "none". */
  groupNormalize?: "none" | "grpo";
}

export type RewardMode = "auto" | "reference" | "group";

export const groupSchemes = ["round-robin", "knockout", "anchor"] as const;
export type GroupScheme = (typeof groupSchemes)[number];

export interface ServeConfig {
  judge: JudgeOptions;
  scorer: ScalarScorer;
  /** Undefined: pairwise rewards. */
  rating: RatingJudgeOptions | undefined;
  concurrency: number;
  maxQueue: number;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Undefined: no bound. */
  maxInputChars: number | undefined;
  token: string | undefined;
  maxCandidates: number;
  maxQueries: number;
  scheme: SelectionScheme;
  rewardMode: RewardMode;
  seed: number;
  /** Undefined: no assembly across requests. */
  groupSize: number | undefined;
  groupTimeoutMs: number;
  maxOpenGroups: number;
  groupScheme: GroupScheme;
  groupNormalize: "none" | "grpo";
}

/**
 * An answer to judge (a response, a candidate, a reference): blank text has nothing to judge, and a
 * judge asked to compare it with a real answer still returns a preference, i.e. a reward for nothing.
 */
export const answerSchema = z.string().refine((s) => s.trim().length > 0, {
  message: "must not be empty or whitespace only",
});

/** A prompt: a plain string (one user turn) or chat messages ending with a user turn. */
export const promptInputSchema = z.union([
  z.string().min(1),
  z
    .array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() }))
    .min(1)
    .refine((m) => m.at(-1)?.role === "user", { message: "the last message must be a user turn" }),
]);

export function toMessages(prompt: z.output<typeof promptInputSchema>): ChatMessage[] {
  return typeof prompt === "string" ? [{ role: "user", content: prompt }] : prompt;
}

/** Hono environment of the app: what middleware hands to routes. */
export interface ServeEnv {
  Variables: {
    /** Aborts when the request times out, the client goes away, or the server force-closes. */
    signal: AbortSignal;
  };
}

/** What every route handler works with; built once per app. */
export interface RouteDeps {
  config: ServeConfig;
  /** The scheduled judge: every judgment waits for an engine slot. */
  judge: import("../judge/types.js").Judge;
  /** The scheduled rating judge, where the reward routes rate rollouts (`ServeOptions.rating`). */
  rating?: RatingJudge;
  engineInfo: import("../engine/types.js").EngineInfo;
}
