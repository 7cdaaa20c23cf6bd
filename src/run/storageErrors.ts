/**
 * Disk failures (a full disk, a read-only mount, missing permissions) as `StorageError`s that name
 * the file and say that rerunning resumes, instead of a raw errno stack trace. Everything genrm
 * writes is either appended whole, renamed into place or committed by SQLite, so whatever was done
 * before the failure is still there for the rerun.
 */
import { GenrmError, StorageError } from "../errors.js";

const reasons: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "I/O error",
  SQLITE_FULL: "no space left on the device",
  SQLITE_READONLY: "the database is read-only",
  SQLITE_CANTOPEN: "the database cannot be opened",
  SQLITE_IOERR: "I/O error",
  SQLITE_PERM: "permission denied",
};

/** `ENOSPC`, `SQLITE_IOERR_WRITE`, …: the entry of `reasons` an error's code falls under. */
function reasonOf(code: string): string | undefined {
  if (code in reasons) return code;
  // SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED) refine a primary one.
  return Object.keys(reasons).find((k) => k.startsWith("SQLITE_") && code.startsWith(`${k}_`));
}

export interface StorageContext {
  /** The file being written (fd writes carry no path; a temp file's path is not the user's file). */
  file?: string;
  /** Else the directory being written to, when the error carries no path. */
  dir?: string;
  /** The SQLite sample store, for SQLite errors (they carry no path). */
  store?: string;
  /** How to go on once there is room: defaults to "the same command". */
  rerun?: string;
}

/**
 * `err` as a `StorageError` when it is a disk failure, else `err` itself. GenrmErrors pass
 * through: they already say what went wrong.
 */
export function asStorageError(err: unknown, context: StorageContext = {}): unknown {
  if (err instanceof GenrmError || !(err instanceof Error)) return err;
  const { code, path: errPath } = err as NodeJS.ErrnoException;
  if (typeof code !== "string") return err;
  const reason = reasonOf(code);
  if (reason === undefined) return err;
  const sqlite = code.startsWith("SQLITE_");
  // The caller's file over the error's own path, which may be a temp file renamed into place.
  const file = sqlite ? (context.store ?? errPath) : (context.file ?? errPath);
  const where =
    file !== undefined
      ? `${sqlite ? "the sample store " : ""}${file}`
      : context.dir !== undefined
        ? `in ${context.dir}`
        : "to disk";
  return new StorageError(
    file ?? context.dir ?? "",
    code,
    `cannot write ${where}: ${reasons[reason]} (${code})`,
    {
      cause: err,
      hint: `free space or fix permissions there, then rerun ${context.rerun ?? "the same command"}: the work already written is kept and the run resumes`,
    },
  );
}

/** Runs `fn`, turning a disk failure into a `StorageError` (see `asStorageError`). */
export function withStorageErrors<T>(fn: () => T, context: StorageContext = {}): T {
  try {
    return fn();
  } catch (err) {
    throw asStorageError(err, context);
  }
}
