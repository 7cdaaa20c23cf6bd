/**
 * The one limit on the size of a single source record. A record far beyond any model's context is a
 * broken export (a whole dataset on one line, a runaway field), and parsing, validating and hashing
 * it costs seconds and gigabytes before anything else fails, so readers stop at the limit instead.
 * Raise it per load with `maxRecordBytes`, or for any genrm command with GENRM_MAX_RECORD_BYTES.
 */
import { ConfigError } from "../errors.js";
import { InvalidRecordError } from "./InvalidRecordError.js";
import type { RecordLocation } from "./types.js";

/** 8 MiB: about 2M tokens of text, and 400× the largest record in the shared sets (21 kB, Auto-J). */
export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
export const MAX_RECORD_BYTES_ENV = "GENRM_MAX_RECORD_BYTES";

/** The limit in force: the caller's, else the environment's, else the default. */
export function resolveMaxRecordBytes(option?: number): number {
  if (option !== undefined) return positive(option, "maxRecordBytes", String(option));
  const env = process.env[MAX_RECORD_BYTES_ENV];
  if (env === undefined || env.trim() === "") return DEFAULT_MAX_RECORD_BYTES;
  return positive(Number(env), MAX_RECORD_BYTES_ENV, JSON.stringify(env));
}

function positive(value: number, name: string, shown: string): number {
  if (!(value > 0)) throw new ConfigError([`${name}: must be a number of bytes > 0, got ${shown}`]);
  return value;
}

export function recordTooLarge(at: RecordLocation, limit: number): InvalidRecordError {
  return new InvalidRecordError(
    "record-too-large",
    "record is larger than the limit",
    { ...at, expected: `at most ${limit} bytes per record`, got: `more than ${limit} bytes` },
    {
      hint: `raise the limit with ${MAX_RECORD_BYTES_ENV}=<bytes> (maxRecordBytes when loading from code)`,
    },
  );
}

/**
 * Whether a parsed record exceeds `limit`, counting string characters and a few bytes per other
 * value. Stops as soon as it knows, and walks with its own stack because parsed JSON can nest deeper
 * than the call stack.
 */
export function exceedsRecordSize(record: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [record];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") size += value.length + 2;
    else if (ArrayBuffer.isView(value)) size += value.byteLength;
    else if (Array.isArray(value)) {
      size += 2;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === "object") {
      size += 2;
      for (const [key, item] of Object.entries(value)) {
        size += key.length + 3;
        stack.push(item);
      }
    } else size += 8;
    if (size > limit) return true;
  }
  return false;
}
