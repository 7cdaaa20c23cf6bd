/**
 * Errors from below a reader (the file system, zlib) become InputErrors that name the file and, for
 * compressed data, the line where the data broke off. Errors that already say where (InputErrors,
 * aborts) pass through unchanged.
 */
import { GenrmError, InputError } from "../../errors.js";

export interface ReadPosition {
  /** The line being read when the failure happened; omitted before the first line. */
  line?: number;
  /** Bytes read from the file itself (compressed bytes for gzip). */
  bytesRead?: number;
}

export function readFailure(cause: unknown, file: string, position: ReadPosition = {}): unknown {
  if (cause instanceof GenrmError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return cause;
  if (code.startsWith("Z_")) return gzipFailure(cause as Error, code, file, position);
  if (/^E[A-Z]+$/.test(code) || code.startsWith("ERR_FS_")) {
    return new InputError(`cannot read: ${(cause as Error).message}`, { file }, { cause });
  }
  return cause;
}

function gzipFailure(
  cause: Error,
  code: string,
  file: string,
  { line, bytesRead }: ReadPosition,
): InputError {
  const headerProblem = /header|unknown compression method/.test(cause.message);
  if (bytesRead === 0 || headerProblem) {
    return new InputError(
      "not gzip data",
      {
        file,
        expected: "gzip data",
        got: bytesRead === 0 ? "an empty file" : "bytes without the gzip header",
      },
      { cause, hint: "a name ending in .gz means gzip; rename a plain file to .jsonl" },
    );
  }
  const at = { file, ...(line !== undefined ? { line, unit: "line" as const } : {}) };
  if (code === "Z_BUF_ERROR") {
    return new InputError(
      "gzip data ends early: the file is truncated",
      { ...at, expected: "complete gzip data", got: `${bytesRead ?? "?"} compressed bytes` },
      {
        cause,
        hint: "the file was cut short (an interrupted download or copy); fetch or compress it again. Records before this line were read, but a truncated file is never loaded in part",
      },
    );
  }
  return new InputError(
    `corrupt gzip data (${cause.message})`,
    { ...at, expected: "intact gzip data" },
    { cause, hint: "the file is damaged; fetch or compress it again" },
  );
}
