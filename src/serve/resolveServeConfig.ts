/** The server's options resolved in one place; every problem is reported together. */
import { ConfigError } from "../errors.js";
import { createLengthScorer } from "../rank/createLengthScorer.js";
import type { ServeConfig, ServeOptions } from "./types.js";

export const defaultServeOptions = {
  concurrency: 8,
  maxQueue: 256,
  timeoutMs: 120_000,
  maxBodyBytes: 1 << 20,
  maxCandidates: 64,
  maxQueries: 1024,
  scheme: "knockout",
  rewardMode: "auto",
  seed: 0,
  groupTimeoutMs: 60_000,
  groupScheme: "round-robin",
  groupNormalize: "none",
} satisfies ServeOptions;

/**
 * `defaultMaxInputChars` is the engine's part of the defaults (from its context size), given by
 * createServeApp, which knows the engine.
 */
export function resolveServeConfig(options: ServeOptions = {}, defaultMaxInputChars?: number): ServeConfig {
  const {
    judge = {},
    scorer = createLengthScorer(),
    rating,
    concurrency = defaultServeOptions.concurrency,
    maxQueue = defaultServeOptions.maxQueue,
    timeoutMs = defaultServeOptions.timeoutMs,
    maxBodyBytes = defaultServeOptions.maxBodyBytes,
    maxInputChars = defaultMaxInputChars,
    token,
    maxCandidates = defaultServeOptions.maxCandidates,
    maxQueries = defaultServeOptions.maxQueries,
    scheme = defaultServeOptions.scheme,
    rewardMode = defaultServeOptions.rewardMode,
    seed = defaultServeOptions.seed,
    groupSize,
    groupTimeoutMs = defaultServeOptions.groupTimeoutMs,
    maxOpenGroups = maxQueue,
    groupScheme = defaultServeOptions.groupScheme,
    groupNormalize = defaultServeOptions.groupNormalize,
  } = options;
  const issues: string[] = [];
  const positive = {
    concurrency,
    maxQueue,
    timeoutMs,
    maxBodyBytes,
    maxCandidates,
    maxQueries,
    groupTimeoutMs,
    maxOpenGroups,
    ...(maxInputChars !== undefined ? { maxInputChars } : {}),
    ...(groupSize !== undefined ? { groupSize } : {}),
  };
  for (const [name, v] of Object.entries(positive)) {
    if (!Number.isInteger(v) || v < 1) issues.push(`${name}: must be a positive integer, got ${v}`);
  }
  if (
    groupSize !== undefined &&
    Number.isInteger(groupSize) &&
    (groupSize < 2 || groupSize > maxCandidates)
  ) {
    issues.push(`groupSize: must be from 2 to maxCandidates (${maxCandidates}), got ${groupSize}`);
  }
  if (groupSize !== undefined && groupTimeoutMs >= timeoutMs) {
    // A held request would meet its own deadline (504) before its group is judged.
    issues.push(`groupTimeoutMs: must be below timeoutMs (${timeoutMs}), got ${groupTimeoutMs}`);
  }
  if (rating !== undefined && options.rewardMode === "reference") {
    issues.push('rewardMode: a rating judge rates each rollout on its own; "reference" does not apply');
  }
  if (token !== undefined && token.length < 8) {
    issues.push("token: must be at least 8 characters (a short bearer token is guessable)");
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    judge,
    scorer,
    rating,
    concurrency,
    maxQueue,
    timeoutMs,
    maxBodyBytes,
    maxInputChars,
    token,
    maxCandidates,
    maxQueries,
    scheme,
    rewardMode,
    seed,
    groupSize,
    groupTimeoutMs,
    maxOpenGroups,
    groupScheme,
    groupNormalize,
  };
}
