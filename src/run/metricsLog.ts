/**
 * `metrics.jsonl` of a training run: one JSON line per optimizer step or evaluation, appended as
 * each ends. On resume, lines past the checkpoint being resumed are dropped (those steps are taken
 * again) and so is a line torn by a kill mid-append, and the file is replaced atomically, so a
 * kill during the rewrite cannot lose the steps before the checkpoint.
 */
import fs from "node:fs";
import { writeAll, writeJsonLinesFile } from "./jsonFile.js";
import { asStorageError } from "./storageErrors.js";

/**
 * One line: a step's or an evaluation's metrics (the trainer's `TrainLogEntry`). Spelled out here
 * rather than imported, because the trainer writes this file and `run/` must not import it back.
 */
export type MetricsEntry = { step: number } & Record<string, number>;

/** Every complete entry; a torn or foreign line is skipped. */
export function readMetrics(file: string): MetricsEntry[] {
  if (!fs.existsSync(file)) return [];
  const entries: MetricsEntry[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as MetricsEntry;
      if (typeof entry.step === "number") entries.push(entry);
    } catch {
      // Torn by a kill mid-append; the step it belonged to is after the checkpoint and runs again.
    }
  }
  return entries;
}

/** Keeps the entries of steps up to `step` (all of them gone for 0). */
export function keepMetricsUpTo(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  writeJsonLinesFile(
    file,
    readMetrics(file).filter((e) => e.step <= step),
  );
}

/** Appends one entry as one whole line; on a failed write the partial line is cut back off. */
export function appendMetrics(file: string, entry: MetricsEntry): void {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, "utf8");
  let fd: number | undefined;
  let size = 0;
  try {
    fd = fs.openSync(file, "a");
    size = fs.fstatSync(fd).size;
    writeAll(fd, line);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        // A torn last line is skipped by readMetrics.
      }
    }
    throw asStorageError(err, { file });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
