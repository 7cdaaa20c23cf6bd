/**
 * CSV reader (csv-parse) for files with a header row; each record is an object keyed by column name
 * with string values. Line numbers are the 1-based line where a record starts, counted here
 * because csv-parse's own count drifts on CRLF line breaks inside quoted fields (csv-parse 7.0.3).
 * A record with the wrong number of columns is a malformed record that `onInvalid` can skip.
 * Invalid UTF-8, an unclosed quote and a record over the size limit fail the file at their line:
 * csv-parse cannot resume after them (past the limit it would report every further byte).
 */
import { createReadStream } from "node:fs";
import { type CsvError, parse } from "csv-parse";
import { InputError, throwIfAborted } from "../../errors.js";
import { describeValue, InvalidRecordError, SKIP_HINT } from "../InvalidRecordError.js";
import { recordTooLarge, resolveMaxRecordBytes } from "../recordLimit.js";
import type { RawRecord } from "../types.js";
import { readFailure } from "./readFailure.js";
import type { ReaderOptions } from "./readJsonl.js";
import { utf8Guard } from "./utf8.js";

const LINE_BREAK = /\r\n|\r|\n/g;
const LEADING_BREAKS = /^(?:\r\n|\r|\n)+/;

export async function* readCsv(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal, onInvalid } = options;
  const maxBytes = resolveMaxRecordBytes(options.maxRecordBytes);
  // The header is assumed to sit on line 1; records are numbered from the line after it.
  let cursor = 2;
  let emitted = 0;
  const pending: Array<{ before: number; error: InvalidRecordError }> = [];
  const startLine = (raw: string): number => {
    const start = cursor + (LEADING_BREAKS.exec(raw)?.[0].match(LINE_BREAK)?.length ?? 0);
    cursor += raw.match(LINE_BREAK)?.length ?? 0;
    return start;
  };
  const parser = parse({
    columns: true,
    bom: true,
    raw: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: Number.isFinite(maxBytes) ? maxBytes : 0,
    on_record: (rec: { record: Record<string, string>; raw: string }) => {
      emitted++;
      return { record: rec.record, line: startLine(rec.raw) };
    },
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = startLine(raw ?? "");
      // Thrown here, csv-parse fails the parse with it.
      if (err?.code === "CSV_MAX_RECORD_SIZE") throw recordTooLarge({ file, line, unit: "line" }, maxBytes);
      if (err?.code === "CSV_QUOTE_NOT_CLOSED") {
        // Everything after the quote became one field: the records lost with it cannot be counted.
        throw new InvalidRecordError("malformed-record", "malformed CSV: a quote is never closed", {
          file,
          line,
          unit: "line",
          expected: "a closing quote before the end of the file",
          got: describeValue(raw?.slice(0, 200)),
        });
      }
      pending.push({
        before: emitted,
        error: new InvalidRecordError(
          "malformed-record",
          `malformed CSV record: ${err?.message ?? "unreadable"}`,
          { file, line, unit: "line", expected: "one value per header column", got: describeValue(raw) },
          { cause: err, hint: SKIP_HINT },
        ),
      });
    },
  });
  const input = createReadStream(file);
  const guard = utf8Guard(file);
  input.on("error", (err) => parser.destroy(err));
  guard.on("error", (err) => parser.destroy(err));
  input.pipe(guard).pipe(parser);

  let consumed = 0;
  // Skipped records are reported in file order, interleaved with the records around them.
  const flush = (upTo: number) => {
    while (pending.length > 0 && pending[0]!.before <= upTo) {
      const { error } = pending.shift()!;
      if (!onInvalid) throw error;
      onInvalid(error);
    }
  };
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; line: number }>) {
      throwIfAborted(signal);
      flush(consumed);
      consumed++;
      yield { record: item.record, file, line: item.line, unit: "line" };
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    const err = cause as CsvError;
    if (typeof err.code !== "string" || !err.code.startsWith("CSV_")) throw readFailure(cause, file);
    throw new InvalidRecordError(
      "malformed-record",
      `malformed CSV: ${err.message}`,
      {
        file,
        line: Number(err.lines) || undefined,
        unit: "line",
        expected: "RFC 4180 CSV with a header row",
      },
      { cause },
    );
  } finally {
    input.destroy();
    guard.destroy();
  }
  flush(Number.POSITIVE_INFINITY);
}
