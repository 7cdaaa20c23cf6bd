/**
 * The JSON files of a run directory (config.json, summary.json, run.json, manifest.json, …) and
 * its JSON-lines files that are written at once (STaR's training rows).
 *
 * Written atomically: a temp file in the same directory, fsynced, then renamed over the target, so a
 * reader (or a rerun after a kill) sees the old file or the new one, never half of one. Read back
 * with `readJsonFile`, which turns a file that is not JSON (torn by a disk failure or a copy,
 * edited by hand) into an error that names it, instead of a bare SyntaxError.
 */
import fs from "node:fs";
import { InputError } from "../errors.js";
import { asStorageError } from "./storageErrors.js";

export function writeJsonFile(file: string, value: unknown): void {
  writeFileWhole(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** JSON lines (`rows` one a line), written whole like `writeJsonFile`. */
export function writeJsonLinesFile(file: string, rows: readonly unknown[]): void {
  writeFileWhole(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/** Any text file written whole like `writeJsonFile` (`genrm report`'s page). */
export function writeTextFile(file: string, text: string): void {
  writeFileWhole(file, text);
}

/** A temp file in the same directory, fsynced, then renamed over `file`. */
function writeFileWhole(file: string, text: string): void {
  // The pid keeps two processes (a refused second run, a test) from sharing one temp file.
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      writeAll(fd, Buffer.from(text, "utf8"));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw asStorageError(err, { file });
  }
}

/** `fs.writeSync` may write part of a buffer (a nearly full disk); the rest must follow or fail. */
export function writeAll(fd: number, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

export interface ReadJsonFileOptions {
  /** What to do about a file that is not JSON, e.g. "rerun with --fresh to start the run over". */
  hint: string;
}

/** Parses `file`; a file that is not valid JSON is an `InputError` naming it, with `hint`. */
export function readJsonFile<T>(file: string, { hint }: ReadJsonFileOptions): T {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new InputError(
      text.trim() === "" ? "empty file (it was never completely written)" : "not valid JSON (torn or edited)",
      { file, expected: "a complete JSON document", got: `${text.length} bytes` },
      { cause, hint },
    );
  }
}
