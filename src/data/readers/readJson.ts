/**
 * Whole-file JSON reader: a top-level array, an object with exactly one array-valued field
 * (`{"data": [...]}`), or an object of several arrays of records, one per subset
 * (`{"length bias": [...], "concreteness": [...]}`), whose keys become the `subset` of the records'
 * pairs. Locations are 0-based row indexes into the record's array. The file is parsed at
 * once, so it is meant for files that fit in memory; use JSONL for large data. Because the whole
 * document is one value, invalid UTF-8 or a syntax error anywhere fails the file (naming the line);
 * a row over the record limit is one malformed record that `onInvalid` may skip.
 */
import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import { InputError, throwIfAborted } from "../../errors.js";
import { describeValue, InvalidRecordError } from "../InvalidRecordError.js";
import { exceedsRecordSize, recordTooLarge, resolveMaxRecordBytes } from "../recordLimit.js";
import type { RawRecord } from "../types.js";
import { readFailure } from "./readFailure.js";
import type { ReaderOptions } from "./readJsonl.js";
import { firstInvalidUtf8, invalidUtf8, startsWithBom } from "./utf8.js";

export async function* readJson(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal, onInvalid } = options;
  const maxBytes = resolveMaxRecordBytes(options.maxRecordBytes);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw readFailure(cause, file);
  }
  const text = decode(file, bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    throw new InvalidRecordError(
      "malformed-record",
      `malformed JSON: ${message}`,
      { file, line: lineAtPosition(text, message), unit: "line", expected: "a JSON document" },
      { cause },
    );
  }
  for (const { key, rows } of topLevelArrays(value, file)) {
    for (let row = 0; row < rows.length; row++) {
      throwIfAborted(signal);
      const at = { file, line: row, unit: "row" as const };
      if (exceedsRecordSize(rows[row], maxBytes)) {
        const error = recordTooLarge(at, maxBytes);
        if (!onInvalid) throw error;
        onInvalid(error);
        continue;
      }
      yield { record: rows[row], ...at, ...(key !== undefined ? { subset: key } : {}) };
    }
  }
}

/** The file's text without its byte-order mark; invalid UTF-8 fails the file at its line. */
function decode(file: string, bytes: Buffer): string {
  const body = startsWithBom(bytes) ? bytes.subarray(3) : bytes;
  if (!isUtf8(body)) {
    const offset = firstInvalidUtf8(body);
    const lineStart = body.lastIndexOf(0x0a, offset) + 1;
    let line = 1;
    for (let i = body.indexOf(0x0a); i >= 0 && i < offset; i = body.indexOf(0x0a, i + 1)) line++;
    throw invalidUtf8({ file, line, unit: "line" }, body.subarray(offset), offset - lineStart);
  }
  try {
    return body.toString("utf8");
  } catch (cause) {
    throw new InputError(
      "file is too large for the JSON reader",
      { file, got: `${bytes.length} bytes` },
      { cause, hint: "convert it to JSON Lines (one record per line), which is read as a stream" },
    );
  }
}

const expectedShape =
  "a top-level array, an object with one array field, or an object whose fields are arrays of records";

/** The file's arrays of records; `key` names the subset when there are several. */
function topLevelArrays(value: unknown, file: string): { key?: string; rows: unknown[] }[] {
  if (Array.isArray(value)) return [{ rows: value }];
  if (value !== null && typeof value === "object") {
    const arrays = Object.entries(value).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
    if (arrays.length === 1) return [{ rows: arrays[0]![1] }];
    // Several arrays are subsets only when each holds records; otherwise which one holds the data
    // is a guess, and guessing would read the wrong one.
    const ofRecords = arrays.every(([, rows]) =>
      rows.every((r) => r !== null && typeof r === "object" && !Array.isArray(r)),
    );
    if (arrays.length > 1 && ofRecords) return arrays.map(([key, rows]) => ({ key, rows }));
    throw new InvalidRecordError(
      "malformed-record",
      arrays.length === 0
        ? "JSON object holds no array of records"
        : "JSON object holds several arrays, not all of them arrays of records",
      {
        file,
        expected: expectedShape,
        got: arrays.length === 0 ? describeValue(value) : `array fields ${arrays.map(([k]) => k).join(", ")}`,
      },
    );
  }
  throw new InvalidRecordError("malformed-record", "JSON file holds no records", {
    file,
    expected: expectedShape,
    got: describeValue(value),
  });
}

/** V8 reports "at position N" (and newer versions "line L column C"); turn that into a 1-based line. */
function lineAtPosition(text: string, message: string): number | undefined {
  const explicit = /line (\d+)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return undefined;
  let line = 1;
  const end = Math.min(Number(pos[1]), text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
