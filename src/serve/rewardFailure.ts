/**
 * Why one /get_reward sample got no reward. A training batch holds hundreds of rollouts, and a
 * policy produces odd ones (empty, endless, multi-turn); one of them must not cost the trainer the
 * whole batch, so it is answered as "no signal" with a reason, and the others are rewarded.
 * Problems with the request itself (bad JSON, a query with nothing to split at, a missing
 * reference in reference mode) still fail the request: every sample would fail the same way.
 */
import { ConfigError, InputError, UnsupportedError } from "../errors.js";

export type RewardFailureCode =
  /** The sample's text cannot fit the judge's context (see inputSize.ts). */
  | "too_long"
  /** `prompts[i]` does not start `query[i]`. */
  | "prompt_mismatch"
  /** Nothing but whitespace and end tokens after the prompt. */
  | "empty_response"
  /** The judge cannot judge this sample as configured (a multi-turn prompt, a template without a multi-turn form). */
  | "unsupported"
  /** The sample's text was refused as input (by the engine, before judging). */
  | "invalid_sample"
  /** Judgments were made but gave no probability (engine errors, unparseable verdicts). */
  | "judgment_failed";

export interface RewardFailure {
  code: RewardFailureCode;
  message: string;
}

/**
 * The failure a judge error means for the sample it was judging, or null when the error is not the
 * sample's (an abort, an engine outage, a bug): those fail the request as before.
 */
export function sampleFailureOf(error: unknown): RewardFailure | null {
  if (error instanceof ConfigError) return { code: "unsupported", message: error.issues.join("; ") };
  if (error instanceof UnsupportedError) return { code: "unsupported", message: error.message };
  if (error instanceof InputError) return { code: "invalid_sample", message: error.message };
  return null;
}

/** A judgments-failed reason from the judgments' own error strings. */
export function judgmentFailure(errors: readonly string[]): RewardFailure {
  return {
    code: "judgment_failed",
    message: errors.length > 0 ? errors[0]! : "the judge gave no verdict probability",
  };
}
