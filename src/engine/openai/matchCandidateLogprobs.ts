/**
 * Reads candidate next-token log-probabilities out of an OpenAI `top_logprobs` list. Over HTTP the
 * engine cannot tokenize, so a candidate is matched by token text:
 *   1. entries whose token text equals the candidate (several token ids can share one text, e.g. a
 *      byte-level duplicate; their probabilities add up);
 *   2. otherwise entries whose text is the longest non-empty prefix of the candidate (the
 *      candidate's first token, e.g. "Yes" for "Yes!");
 *   3. otherwise -Infinity, and the candidate is listed as missing: it is either less likely than
 *      every listed token or not a token start at all.
 * Leading-space variants (" A") are deliberately not matched: after a forced prefix such as "[[",
 * " A" is a different continuation from "A".
 */
import type { TopLogprob } from "./types.js";

export interface CandidateLogprobs {
  logprobs: Record<string, number>;
  /** Candidates absent from the list (their logprob is -Infinity). */
  missing: string[];
}

export function matchCandidateLogprobs(
  top: readonly TopLogprob[],
  candidates: readonly string[],
): CandidateLogprobs {
  const logprobs: Record<string, number> = {};
  const missing: string[] = [];
  for (const candidate of candidates) {
    let matched = top.filter((t) => t.token === candidate);
    if (matched.length === 0) {
      const prefixes = top.filter((t) => t.token.length > 0 && candidate.startsWith(t.token));
      const longest = Math.max(0, ...prefixes.map((t) => t.token.length));
      matched = prefixes.filter((t) => t.token.length === longest);
    }
    if (matched.length === 0) {
      logprobs[candidate] = Number.NEGATIVE_INFINITY;
      missing.push(candidate);
    } else {
      logprobs[candidate] = logSumExp(matched.map((t) => t.logprob));
    }
  }
  return { logprobs, missing };
}

/** log(sum(exp(x))) with the max subtracted first, so very negative logprobs do not underflow to 0. */
export function logSumExp(values: readonly number[]): number {
  if (values.length === 0) return Number.NEGATIVE_INFINITY;
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}
