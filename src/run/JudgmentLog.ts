/**
 * Append-only JSONL logs of finished records, the resume point of a run: `JudgmentLog` for pairwise
 * judgments (`judgments.jsonl`, keyed by pair), and the same log for any record with a key
 * (`RecordLog.open`; listwise runs keep their `item-judgments.jsonl` in one, keyed by row).
 *
 * A record is appended the moment it is final. A process killed mid-write leaves at most one
 * partial last line; `open` drops it (and truncates the file back to the last complete line) so the
 * record is simply made again, with its samples served from the sample store.
 *
 * An append that fails part way (a full disk writes what fits, then fails) is cut back off, so the
 * log never holds a torn line followed by more lines, and the error names the file.
 */
import fs from "node:fs";
import { InputError } from "../errors.js";
import type { Judgment } from "../judge/types.js";
import { writeAll } from "./jsonFile.js";
import { asStorageError } from "./storageErrors.js";

export interface RecordLogOptions {
  /** false: start the file over instead of reading what it holds. Defaults to true. */
  resume?: boolean;
  /** What one line holds, for the error a corrupt line raises. Defaults to "a JSON record". */
  expected?: string;
}

export class RecordLog<T> {
  readonly path: string;
  /** The records already in the file, by key, in file order. */
  readonly existing: Map<string, T>;
  #fd: number | null;
  /** Bytes of complete lines: where a failed append is cut back to. */
  #size: number;

  private constructor(file: string, existing: Map<string, T>, fd: number) {
    this.path = file;
    this.existing = existing;
    this.#fd = fd;
    this.#size = fs.fstatSync(fd).size;
  }

  static open<T>(file: string, keyOf: (record: T) => string, options: RecordLogOptions = {}): RecordLog<T> {
    const { resume = true, expected = "a JSON record" } = options;
    const existing = new Map<string, T>();
    if (resume && fs.existsSync(file)) {
      const text = fs.readFileSync(file, "utf8");
      const { goodBytes } = parseRecordLog(text, file, keyOf, expected, existing);
      if (goodBytes < Buffer.byteLength(text, "utf8")) fs.truncateSync(file, goodBytes);
    } else if (!resume && fs.existsSync(file)) {
      fs.truncateSync(file, 0);
    }
    try {
      return new RecordLog(file, existing, fs.openSync(file, "a"));
    } catch (err) {
      throw asStorageError(err, { file });
    }
  }

  append(record: T): void {
    if (this.#fd === null) throw new Error(`log ${this.path} is closed`);
    const line = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
    try {
      writeAll(this.#fd, line);
    } catch (err) {
      try {
        fs.ftruncateSync(this.#fd, this.#size);
      } catch {
        // The torn line stays last; open() drops it on the next run.
      }
      throw asStorageError(err, { file: this.path });
    }
    this.#size += line.length;
  }

  close(): void {
    if (this.#fd === null) return;
    fs.closeSync(this.#fd);
    this.#fd = null;
  }
}

/**
 * The complete lines of a log into `into` by key; returns the bytes they take (where a torn tail
 * starts). Only the final line can be torn by a kill; garbage elsewhere means someone edited it.
 */
function parseRecordLog<T>(
  text: string,
  file: string,
  keyOf: (record: T) => string,
  expected: string,
  into: Map<string, T>,
): { goodBytes: number } {
  let goodBytes = 0;
  let offset = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isLast = i === lines.length - 1;
    const lineBytes = Buffer.byteLength(line, "utf8") + (isLast ? 0 : 1);
    if (line.trim() === "") {
      offset += lineBytes;
      if (!isLast) goodBytes = offset;
      continue;
    }
    let parsed: T;
    try {
      parsed = JSON.parse(line) as T;
    } catch (cause) {
      if (isLast || i === lines.length - 2) break;
      throw new InputError("corrupt log", { file, line: i + 1, expected }, { cause });
    }
    if (isLast) break; // a last line without its newline was not completely written
    into.set(keyOf(parsed), parsed);
    offset += lineBytes;
    goodBytes = offset;
  }
  return { goodBytes };
}

/**
 * The judgments of a log without opening it for writing (`genrm report`): a torn last line is
 * skipped, as `open` would drop it, but the file is left as it is.
 */
export function readJudgmentLog(file: string): Map<string, Judgment> {
  const judgments = new Map<string, Judgment>();
  parseRecordLog<Judgment>(
    fs.readFileSync(file, "utf8"),
    file,
    (j) => j.pairId,
    "a JSON judgment",
    judgments,
  );
  return judgments;
}

/** The pairwise judgments of a run (`judgments.jsonl`), keyed by pair id. */
export type JudgmentLog = RecordLog<Judgment>;

export const JudgmentLog = {
  open(file: string, options: Omit<RecordLogOptions, "expected"> = {}): JudgmentLog {
    return RecordLog.open<Judgment>(file, (j) => j.pairId, { ...options, expected: "a JSON judgment" });
  },
};
