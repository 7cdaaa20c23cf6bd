/**
 * JSON Lines reader, plain or gzip (by the `.gz` suffix), streamed one line at a time so a large
 * file never sits in memory. Blank lines are skipped; line numbers are 1-based and count them.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { throwIfAborted } from "../../errors.js";
import { describeValue, InvalidRecordError, SKIP_HINT } from "../InvalidRecordError.js";
import type { RawRecord } from "../types.js";

export interface ReaderOptions {
  signal?: AbortSignal;
  /** Receives each malformed record instead of throwing it; reading goes on. Defaults to throwing. */
  onInvalid?: (error: InvalidRecordError) => void;
}

export async function* readJsonl(file: string, options: ReaderOptions = {}): AsyncGenerator<RawRecord> {
  const { signal, onInvalid } = options;
  const raw = createReadStream(file);
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      throwIfAborted(signal);
      if (text.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (cause) {
        const error = new InvalidRecordError(
          "malformed-record",
          `malformed JSON line: ${(cause as Error).message}`,
          { file, line, unit: "line", expected: "one JSON value per line", got: describeValue(text) },
          { cause, hint: SKIP_HINT },
        );
        if (!onInvalid) throw error;
        onInvalid(error);
        continue;
      }
      yield { record, file, line, unit: "line" };
    }
  } finally {
    lines.close();
    raw.destroy();
  }
}
