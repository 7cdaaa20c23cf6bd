/**
 * The last gate before a pair leaves the data layer: `preferencePairSchema`, plus the two rules the
 * schema cannot express (the prompt ends with a user turn; a response is more than whitespace).
 * A failure becomes an `InvalidRecordError` that names the first offending field of the pair.
 */
import type { z } from "zod";
import { invalidRecord } from "./InvalidRecordError.js";
import type { PreferencePair, RecordLocation, SkipReason } from "./types.js";
import { preferencePairSchema } from "./types.js";

export function validatePair(value: unknown, at: RecordLocation): PreferencePair {
  const parsed = preferencePairSchema.safeParse(value);
  if (!parsed.success) throw fromIssue(parsed.error.issues[0]!, value, at);
  const pair = parsed.data as PreferencePair;
  if (pair.prompt.at(-1)!.role !== "user") {
    throw invalidRecord("invalid-prompt", "prompt does not end with a user turn", at, {
      field: "prompt",
      expected: "a conversation whose last message has role user",
      got: `last role ${pair.prompt.at(-1)!.role}`,
    });
  }
  for (const field of ["responseA", "responseB"] as const) {
    if (pair[field].trim() === "") {
      throw invalidRecord("empty-response", "response is empty", at, {
        field,
        expected: "a non-empty response",
        got: pair[field],
      });
    }
  }
  return pair;
}

function fromIssue(issue: z.core.$ZodIssue, value: unknown, at: RecordLocation) {
  const field = issue.path.map(String).join(".");
  let got: unknown = value;
  for (const key of issue.path)
    got = got !== null && typeof got === "object" ? (got as never)[key] : undefined;
  let reason: SkipReason = "invalid-pair";
  if (issue.code === "invalid_type") reason = got === undefined ? "missing-field" : "wrong-type";
  else if (issue.code === "invalid_value" && field === "label") reason = "invalid-label";
  else if (issue.code === "too_small" && (field === "responseA" || field === "responseB"))
    reason = "empty-response";
  else if (issue.code === "too_small" && field === "prompt") reason = "invalid-prompt";
  const expected =
    issue.code === "invalid_value" ? issue.values.map((v) => JSON.stringify(v)).join(" | ") : undefined;
  return invalidRecord(reason, issue.message, at, { field, expected, got });
}
