/**
 * Typed reads of source-record fields that fail with an `InvalidRecordError` naming the field, what
 * was expected and what was found. Adapters use these instead of casting, so every bad record gets
 * the same kind of message. Field names are dot paths (`responses.0`, `chosen.1.content`).
 */
import { invalidRecord } from "../InvalidRecordError.js";
import type { RecordLocation } from "../types.js";

export type Fields = Record<string, unknown>;

/** Follows a dot path; numeric segments index arrays. Undefined when any step is missing. */
export function getPath(record: unknown, fieldPath: string): unknown {
  let value: unknown = record;
  for (const key of fieldPath.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** True when the record is an object having every one of the keys (any value, even null). */
export function hasKeys(record: unknown, keys: readonly string[]): record is Fields {
  return isFields(record) && keys.every((k) => k in record);
}

export function requireFields(record: unknown, at: RecordLocation): Fields {
  if (!isFields(record)) {
    throw invalidRecord("wrong-type", "record is not an object", at, {
      expected: "a JSON object",
      got: record,
    });
  }
  return record;
}

export function requireValue(record: unknown, field: string, at: RecordLocation, expected: string): unknown {
  const value = getPath(record, field);
  if (value === undefined || value === null) {
    throw invalidRecord("missing-field", "missing field", at, { field, expected, got: value });
  }
  return value;
}

export function requireString(record: unknown, field: string, at: RecordLocation): string {
  const value = requireValue(record, field, at, "a string");
  if (typeof value !== "string") {
    throw invalidRecord("wrong-type", "field has the wrong type", at, {
      field,
      expected: "a string",
      got: value,
    });
  }
  return value;
}

/** A response text: a string with something other than whitespace in it. */
export function requireResponse(record: unknown, field: string, at: RecordLocation): string {
  const value = requireValue(record, field, at, "a non-empty response string");
  return checkResponse(value, field, at);
}

export function checkResponse(value: unknown, field: string, at: RecordLocation): string {
  if (typeof value !== "string") {
    throw invalidRecord("wrong-type", "field has the wrong type", at, {
      field,
      expected: "a string",
      got: value,
    });
  }
  if (value.trim() === "") {
    throw invalidRecord("empty-response", "response is empty", at, {
      field,
      expected: "a non-empty response",
      got: value,
    });
  }
  return value;
}

export function optionalString(record: unknown, field: string, at: RecordLocation): string | undefined {
  const value = getPath(record, field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw invalidRecord("wrong-type", "field has the wrong type", at, {
      field,
      expected: "a string",
      got: value,
    });
  }
  return value;
}

/** A string or number id field, as a string; undefined when absent. */
export function optionalId(record: unknown, field: string, at: RecordLocation): string | undefined {
  const value = getPath(record, field);
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string" || typeof value === "number") return String(value);
  throw invalidRecord("wrong-type", "id has the wrong type", at, {
    field,
    expected: "a string or number",
    got: value,
  });
}

/** A string or number id field, as a string; a missing one is an error. */
export function requireId(record: unknown, field: string, at: RecordLocation): string {
  const id = optionalId(record, field, at);
  if (id === undefined) {
    throw invalidRecord("missing-field", "missing field", at, { field, expected: "a string or number id" });
  }
  return id;
}

/**
 * A label value as text, or undefined for anything but a string, number or boolean: String() would
 * turn `[1]` into "1" and let a list pass for a label.
 */
export function labelText(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : undefined;
}

/** The outcome `value` stands for in `table`; own keys only, so "toString" is no label. */
export function lookupLabel<T>(table: Readonly<Record<string, T>>, value: unknown): T | undefined {
  const key = labelText(value);
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

export function invalidLabel(field: string, at: RecordLocation, expected: string, got: unknown) {
  return invalidRecord("invalid-label", "unknown label value", at, { field, expected, got });
}

/** A non-empty list of response strings (of exactly `length` entries when given). */
export function requireResponseList(
  record: unknown,
  field: string,
  at: RecordLocation,
  length?: number,
): string[] {
  const expected =
    length === undefined ? "a non-empty list of response strings" : `a list of ${length} response strings`;
  const value = requireValue(record, field, at, expected);
  if (!Array.isArray(value) || value.length === 0 || (length !== undefined && value.length !== length)) {
    throw invalidRecord("wrong-type", "field has the wrong type", at, { field, expected, got: value });
  }
  return value.map((v, i) => checkResponse(v, `${field}.${i}`, at));
}

/** True when the value is a list of strings (a multi-response row's `chosen` / `rejected`). */
export function isStringList(value: unknown, length?: number): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    (length === undefined || value.length === length) &&
    value.every((v) => typeof v === "string")
  );
}
