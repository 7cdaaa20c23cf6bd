/**
 * Parquet reader (hyparquet), one row group at a time so memory stays bounded by the largest
 * group. Locations are 0-based row indexes. INT64 values arrive as BigInt; they become numbers
 * when exact and decimal strings otherwise, so records stay JSON-serialisable.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { throwIfAborted } from "../../errors.js";
import { InvalidRecordError } from "../InvalidRecordError.js";
import type { RawRecord } from "../types.js";
import type { ReaderOptions } from "./readJsonl.js";

export async function* readParquet(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal } = options;
  const buffer = await asyncBufferFromFile(file);
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
    const rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
    for (let i = 0; i < rows.length; i++) {
      throwIfAborted(signal);
      yield { record: jsonSafe(rows[i]), file, line: rowStart + i, unit: "row" };
    }
    rowStart = rowEnd;
  }
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
