/**
 * A source record that cannot become a valid pair. It is an `InputError` (code GENRM_INPUT) with a
 * machine-readable `reason`, which `skipInvalid` uses to count skips by cause.
 */
import { InputError, type InputLocation } from "../errors.js";
import type { RecordLocation, SkipReason } from "./types.js";

export class InvalidRecordError extends InputError {
  readonly reason: SkipReason;

  constructor(
    reason: SkipReason,
    problem: string,
    location: InputLocation,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(problem, location, options);
    this.reason = reason;
  }
}

/** Short description of a value for the "got" part of an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return value.trim() === "" ? `empty string ${JSON.stringify(value)}` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object")
    return `an object with keys ${Object.keys(value).slice(0, 8).join(", ") || "(none)"}`;
  return `${typeof value} ${String(value)}`;
}

export const SKIP_HINT = "skipInvalid: true (--skip-invalid) skips such records and reports them by reason";

export function invalidRecord(
  reason: SkipReason,
  problem: string,
  at: RecordLocation,
  detail: { field?: string; expected?: string; got?: unknown } = {},
): InvalidRecordError {
  return new InvalidRecordError(
    reason,
    problem,
    {
      file: at.file,
      line: at.line,
      unit: at.unit,
      field: detail.field,
      expected: detail.expected,
      got: "got" in detail ? describeValue(detail.got) : undefined,
    },
    { hint: SKIP_HINT },
  );
}
