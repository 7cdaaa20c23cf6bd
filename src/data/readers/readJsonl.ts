/**
 * JSON Lines reader, plain or gzip (by the `.gz` suffix), streamed one line at a time so a large
 * file never sits in memory. Blank lines are skipped; line numbers are 1-based and count them.
 * Lines end in LF or CRLF; a byte-order mark at the start of the file is dropped.
 *
 * Each line is its own record: invalid UTF-8, bad JSON or a line over the record limit is one
 * malformed record that `onInvalid` may skip. Damaged gzip data is not: what is lost cannot be
 * counted, so a truncated or corrupt file fails whole, naming the line where the data broke off.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { InputError, throwIfAborted } from "../../errors.js";
import { describeValue, InvalidRecordError, SKIP_HINT } from "../InvalidRecordError.js";
import { recordTooLarge, resolveMaxRecordBytes } from "../recordLimit.js";
import type { RawRecord } from "../types.js";
import { readFailure } from "./readFailure.js";
import { splitLines } from "./splitLines.js";
import { decodeUtf8, firstInvalidUtf8, invalidUtf8, startsWithBom } from "./utf8.js";

export interface ReaderOptions {
  signal?: AbortSignal;
  /** Receives each malformed record instead of throwing it; reading goes on. Defaults to throwing. */
  onInvalid?: (error: InvalidRecordError) => void;
  /** Largest record to read, in bytes. Defaults to `resolveMaxRecordBytes()` (see recordLimit.ts). */
  maxRecordBytes?: number;
}

export async function* readJsonl(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal, onInvalid } = options;
  const maxBytes = resolveMaxRecordBytes(options.maxRecordBytes);
  const raw = createReadStream(file);
  const gzip = file.toLowerCase().endsWith(".gz");
  const input = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (err) => input.destroy(err));
  const report = (error: InvalidRecordError) => {
    if (!onInvalid) throw error;
    onInvalid(error);
  };
  let line = 0;
  try {
    for await (const next of splitLines(input, maxBytes)) {
      line = next.line;
      throwIfAborted(signal);
      const at = { file, line, unit: "line" as const };
      if (next.bytes === undefined) {
        report(recordTooLarge(at, maxBytes));
        continue;
      }
      const bytes = lineContent(next.bytes, line);
      if (line === 1 && !gzip && bytes[0] === 0x1f && bytes[1] === 0x8b) {
        throw new InputError(
          "file is gzip-compressed",
          { file, expected: "plain JSON Lines" },
          { hint: "name it .jsonl.gz" },
        );
      }
      const text = decodeUtf8(bytes);
      if (text === undefined) {
        const offset = firstInvalidUtf8(bytes);
        report(invalidUtf8(at, bytes.subarray(offset), offset));
        continue;
      }
      if (text.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (cause) {
        report(
          new InvalidRecordError(
            "malformed-record",
            `malformed JSON line: ${(cause as Error).message}`,
            { ...at, expected: "one JSON value per line", got: describeValue(text.slice(0, 200)) },
            { cause, hint: SKIP_HINT },
          ),
        );
        continue;
      }
      yield { record, ...at };
    }
  } catch (cause) {
    throw readFailure(cause, file, { line: line + 1, bytesRead: raw.bytesRead });
  } finally {
    input.destroy();
    raw.destroy();
  }
}

/** The line without its CR, and without the byte-order mark that may open a file. */
function lineContent(bytes: Buffer, line: number): Buffer {
  let content = line === 1 && startsWithBom(bytes) ? bytes.subarray(3) : bytes;
  if (content.at(-1) === 0x0d) content = content.subarray(0, -1);
  return content;
}
