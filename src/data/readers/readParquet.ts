/**
 * Parquet reader (hyparquet), one row group at a time so memory stays bounded by the largest
 * group. Locations are 0-based row indexes. INT64 values arrive as BigInt; they become numbers
 * when exact and decimal strings otherwise, so records stay JSON-serialisable.
 *
 * Strings are decoded strictly: a value that is not UTF-8 (or a JSON column that does not parse)
 * makes its row a malformed record naming the field, which `onInvalid` may skip, as may a row over
 * the record limit. A file or row group hyparquet cannot read fails whole.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { throwIfAborted } from "../../errors.js";
import { InvalidRecordError } from "../InvalidRecordError.js";
import { exceedsRecordSize, recordTooLarge, resolveMaxRecordBytes } from "../recordLimit.js";
import type { RawRecord } from "../types.js";
import { readFailure } from "./readFailure.js";
import type { ReaderOptions } from "./readJsonl.js";
import { firstInvalidUtf8, invalidUtf8 } from "./utf8.js";

/** Stands in for a value that could not be decoded, so the row, not the row group, is rejected. */
class Undecodable {
  constructor(
    readonly bytes: Uint8Array,
    readonly problem: "utf8" | "json",
    readonly message = "",
  ) {}
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const parsers = {
  stringFromBytes: (bytes: Uint8Array | undefined) => {
    if (!bytes) return bytes;
    try {
      return fatal.decode(bytes);
    } catch {
      return new Undecodable(bytes, "utf8");
    }
  },
  jsonFromBytes: (bytes: Uint8Array | undefined) => {
    if (!bytes) return bytes;
    let text: string;
    try {
      text = fatal.decode(bytes);
    } catch {
      return new Undecodable(bytes, "utf8");
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      return new Undecodable(bytes, "json", (cause as Error).message);
    }
  },
};

export async function* readParquet(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal, onInvalid } = options;
  const maxBytes = resolveMaxRecordBytes(options.maxRecordBytes);
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (cause) {
    throw readFailure(cause, file);
  }
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (cause) {
    throw new InvalidRecordError(
      "malformed-record",
      `not a readable Parquet file: ${(cause as Error).message}`,
      { file, expected: "a Parquet file" },
      { cause },
    );
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    throwIfAborted(signal);
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, parsers });
    } catch (cause) {
      throw new InvalidRecordError(
        "malformed-record",
        `unreadable Parquet data in rows ${rowStart}–${rowEnd - 1}: ${(cause as Error).message}`,
        { file, line: rowStart, unit: "row", expected: "a readable Parquet row group" },
        { cause, hint: "the file is damaged; write or fetch it again" },
      );
    }
    for (let i = 0; i < rows.length; i++) {
      throwIfAborted(signal);
      const at = { file, line: rowStart + i, unit: "row" as const };
      const problem = rowProblem(rows[i], at, maxBytes);
      if (problem) {
        if (!onInvalid) throw problem;
        onInvalid(problem);
        continue;
      }
      yield { record: jsonSafe(rows[i]), ...at };
    }
    rowStart = rowEnd;
  }
}

function rowProblem(
  row: unknown,
  at: { file: string; line: number; unit: "row" },
  maxBytes: number,
): InvalidRecordError | undefined {
  const bad = findUndecodable(row, []);
  if (bad) {
    const field = bad.path.join(".");
    if (bad.value.problem === "utf8") {
      const offset = firstInvalidUtf8(bad.value.bytes);
      return invalidUtf8({ ...at, field }, bad.value.bytes.subarray(offset), offset);
    }
    return new InvalidRecordError("malformed-record", `JSON column does not parse: ${bad.value.message}`, {
      ...at,
      field,
      expected: "valid JSON",
    });
  }
  return exceedsRecordSize(row, maxBytes) ? recordTooLarge(at, maxBytes) : undefined;
}

function findUndecodable(value: unknown, path: string[]): { value: Undecodable; path: string[] } | undefined {
  if (value instanceof Undecodable) return { value, path };
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || value instanceof Date) {
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = findUndecodable(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
