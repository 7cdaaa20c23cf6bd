/**
 * The one catalog of genrm errors. Every error has a stable `code` so scripts and the HTTP server
 * can branch on it without parsing messages. Expected outcomes (an unparseable verdict, a
 * generation that hit its token cap) are values, not exceptions; these classes are for failures.
 */

export type ErrorCode =
  | "GENRM_INPUT"
  | "GENRM_CONFIG"
  | "GENRM_UNSUPPORTED"
  | "GENRM_ENGINE"
  | "GENRM_DISPOSED"
  | "GENRM_ABORTED"
  | "GENRM_NOT_FOUND"
  | "GENRM_LOCKED"
  | "GENRM_STORAGE"
  | "GENRM_EXTERNAL"
  | "GENRM_INTERNAL";

export class GenrmError extends Error {
  readonly code: ErrorCode;
  /** A next step for the user: a command or flag to try. Printed by the CLI under the message. */
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

export interface InputLocation {
  /** File the bad input came from, when it came from a file. */
  file?: string;
  /** 1-based line (JSONL/CSV) or 0-based row index (JSON array, Parquet); see `unit`. */
  line?: number;
  unit?: "line" | "row";
  /** Dot path of the offending field, e.g. `chosen[1].content`. */
  field?: string;
  expected?: string;
  got?: string;
}

/** Bad user data: always says where (file, line, field) and what was expected. */
export class InputError extends GenrmError {
  readonly location: InputLocation;

  constructor(
    problem: string,
    location: InputLocation = {},
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super("GENRM_INPUT", formatInputMessage(problem, location), options);
    this.location = location;
  }
}

function formatInputMessage(problem: string, loc: InputLocation): string {
  const where: string[] = [];
  if (loc.file) where.push(loc.file);
  if (loc.line !== undefined) where.push(`${loc.unit ?? "line"} ${loc.line}`);
  if (loc.field) where.push(`field "${loc.field}"`);
  let msg = where.length > 0 ? `${where.join(", ")}: ${problem}` : problem;
  if (loc.expected !== undefined) msg += ` (expected ${loc.expected}`;
  if (loc.got !== undefined) msg += `${loc.expected !== undefined ? ", " : " ("}got ${truncate(loc.got, 80)}`;
  if (loc.expected !== undefined || loc.got !== undefined) msg += ")";
  return msg;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Invalid configuration: lists every issue as `dot.path: message`, not just the first. */
export class ConfigError extends GenrmError {
  readonly issues: string[];

  constructor(issues: string[], options: { cause?: unknown; hint?: string } = {}) {
    super("GENRM_CONFIG", `invalid configuration:\n  ${issues.join("\n  ")}`, options);
    this.issues = issues;
  }
}

/** A model architecture, tensor type, file format or feature genrm does not handle; names it. */
export class UnsupportedError extends GenrmError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super("GENRM_UNSUPPORTED", message, options);
  }
}

/** An inference engine failed: names the endpoint, HTTP status and attempt where known. */
export class EngineError extends GenrmError {
  readonly endpoint?: string;
  readonly status?: number;
  readonly attempt?: number;
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { endpoint?: string; status?: number; attempt?: number; retryable?: boolean } = {},
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super("GENRM_ENGINE", message, options);
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.attempt = details.attempt;
    this.retryable = details.retryable ?? false;
  }
}

export class DisposedError extends GenrmError {
  constructor(what: string) {
    super("GENRM_DISPOSED", `${what} was used after dispose()`);
  }
}

export class AbortedError extends GenrmError {
  constructor(reason?: unknown) {
    super("GENRM_ABORTED", `aborted${reason instanceof Error ? `: ${reason.message}` : ""}`, {
      cause: reason,
    });
  }
}

export class NotFoundError extends GenrmError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super("GENRM_NOT_FOUND", message, options);
  }
}

/** Who holds a run directory's lock, as its lock file records it. */
export interface RunDirLockHolder {
  pid: number;
  hostname: string;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** Another live process works in this run directory; two writers would duplicate its records. */
export class RunDirLockedError extends GenrmError {
  readonly dir: string;
  readonly holder: RunDirLockHolder;

  constructor(dir: string, lockFile: string, holder: RunDirLockHolder, sameHost: boolean) {
    const who = `pid ${holder.pid}${sameHost ? "" : ` on host ${holder.hostname}`}`;
    super(
      "GENRM_LOCKED",
      `run directory ${dir} is in use by another genrm process (${who}, genrm ${holder.command}, since ${holder.since})`,
      {
        hint: sameHost
          ? `wait for pid ${holder.pid} to finish (or stop it), or pass another --out`
          : `wait for it to finish, or pass another --out; if no genrm runs on ${holder.hostname}, delete ${lockFile}`,
      },
    );
    this.dir = dir;
    this.holder = holder;
  }
}

/**
 * The disk refused a write or an open: full (ENOSPC, SQLITE_FULL), read-only or not permitted.
 * Names the file; whatever was written before it stays, so rerunning resumes.
 */
export class StorageError extends GenrmError {
  readonly path: string;
  /** The system's code: ENOSPC, EACCES, EROFS, SQLITE_FULL, … */
  readonly reason: string;

  constructor(
    path: string,
    reason: string,
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super("GENRM_STORAGE", message, options);
    this.path = path;
    this.reason = reason;
  }
}

/**
 * A command genrm ran for the user (an external trainer, a model server) failed: exited non-zero,
 * timed out, or did not produce what its contract says. Carries the command, its log file and the
 * log's last lines, so the CLI shows why without the user opening the log.
 */
export class ExternalCommandError extends GenrmError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly logFile: string | null;
  readonly logTail: string[];

  constructor(
    message: string,
    details: { command: string; exitCode?: number | null; logFile?: string | null; logTail?: string[] },
    options: { cause?: unknown; hint?: string } = {},
  ) {
    const tail = details.logTail ?? [];
    super(
      "GENRM_EXTERNAL",
      tail.length > 0
        ? `${message}\n  last lines of ${details.logFile ?? "its output"}:\n${tail.map((l) => `    ${l}`).join("\n")}`
        : message,
      options,
    );
    this.command = details.command;
    this.exitCode = details.exitCode ?? null;
    this.logFile = details.logFile ?? null;
    this.logTail = tail;
  }
}

/** Something that cannot happen did. The CLI asks for a bug report. */
export class InternalError extends GenrmError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("GENRM_INTERNAL", message, options);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

/**
 * An error as it crosses a thread or process boundary (a worker's message, a child's IPC): plain
 * data, so the other side can rebuild it.
 */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  hint?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof GenrmError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}

/** The other side's error here: a GenrmError keeps its code, hint and class name. */
export function deserializeError(e: SerializedError): Error {
  const error =
    e.code !== undefined
      ? new GenrmError(e.code as ErrorCode, e.message, e.hint !== undefined ? { hint: e.hint } : {})
      : new Error(e.message);
  error.name = e.name;
  return error;
}
