/**
 * Whole-file JSON reader: a top-level array, or an object with exactly one array-valued field
 * (`{"data": [...]}`). Locations are 0-based row indexes into that array. The file is parsed at
 * once, so it is meant for files that fit in memory; use JSONL for large data.
 */
import { readFile } from "node:fs/promises";
import { throwIfAborted } from "../../errors.js";
import { describeValue, InvalidRecordError } from "../InvalidRecordError.js";
import type { RawRecord } from "../types.js";
import type { ReaderOptions } from "./readJsonl.js";

export async function* readJson(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal } = options;
  const text = await readFile(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    const message = (cause as Error).message;
    throw new InvalidRecordError(
      "malformed-record",
      `malformed JSON: ${message}`,
      { file, line: lineAtPosition(text, message), unit: "line", expected: "a JSON document" },
      { cause },
    );
  }
  const rows = topLevelArray(value, file);
  for (let row = 0; row < rows.length; row++) {
    throwIfAborted(signal);
    yield { record: rows[row], file, line: row, unit: "row" };
  }
}

function topLevelArray(value: unknown, file: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === "object") {
    const arrays = Object.entries(value).filter(([, v]) => Array.isArray(v));
    if (arrays.length === 1) return arrays[0]![1] as unknown[];
    throw new InvalidRecordError(
      "malformed-record",
      arrays.length === 0 ? "JSON object holds no array of records" : "JSON object holds several arrays",
      {
        file,
        expected: "a top-level array, or an object with exactly one array field",
        got: arrays.length === 0 ? describeValue(value) : `array fields ${arrays.map(([k]) => k).join(", ")}`,
      },
    );
  }
  throw new InvalidRecordError("malformed-record", "JSON file holds no records", {
    file,
    expected: "a top-level array, or an object with exactly one array field",
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
