/**
 * Append-only JSONL log of finished judgments, the resume point of an evaluation run.
 *
 * A judgment is appended the moment it is final. A process killed mid-write leaves at most one
 * partial last line; `open` drops it (and truncates the file back to the last complete line) so the
 * pair is simply judged again, with its samples served from the sample store.
 *
 * An append that fails part way (a full disk writes what fits, then fails) is cut back off, so the
 * log never holds a torn line followed by more lines, and the error names the file.
 */
import fs from "node:fs";
import { InputError } from "../errors.js";
import type { Judgment } from "../judge/types.js";
import { writeAll } from "./jsonFile.js";
import { asStorageError } from "./storageErrors.js";

export class JudgmentLog {
  readonly path: string;
  readonly existing: Map<string, Judgment>;
  #fd: number | null;
  /** Bytes of complete lines: where a failed append is cut back to. */
  #size: number;

  private constructor(file: string, existing: Map<string, Judgment>, fd: number) {
    this.path = file;
    this.existing = existing;
    this.#fd = fd;
    this.#size = fs.fstatSync(fd).size;
  }

  static open(file: string, { resume = true }: { resume?: boolean } = {}): JudgmentLog {
    let existing = new Map<string, Judgment>();
    if (resume && fs.existsSync(file)) {
      const text = fs.readFileSync(file, "utf8");
      const parsed = parseJudgmentLog(text, file);
      existing = parsed.judgments;
      if (parsed.goodBytes < Buffer.byteLength(text, "utf8")) fs.truncateSync(file, parsed.goodBytes);
    } else if (!resume && fs.existsSync(file)) {
      fs.truncateSync(file, 0);
    }
    try {
      return new JudgmentLog(file, existing, fs.openSync(file, "a"));
    } catch (err) {
      throw asStorageError(err, { file });
    }
  }

  append(judgment: Judgment): void {
    if (this.#fd === null) throw new Error("JudgmentLog is closed");
    const line = Buffer.from(`${JSON.stringify(judgment)}\n`, "utf8");
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
 * The judgments of a log without opening it for writing (`genrm report`): a torn last line is
 * skipped, as `open` would drop it, but the file is left as it is.
 */
export function readJudgmentLog(file: string): Map<string, Judgment> {
  return parseJudgmentLog(fs.readFileSync(file, "utf8"), file).judgments;
}

/** The complete lines of a log, by pair id, and the bytes they take (where a torn tail starts). */
function parseJudgmentLog(
  text: string,
  file: string,
): { judgments: Map<string, Judgment>; goodBytes: number } {
  const judgments = new Map<string, Judgment>();
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
    let parsed: Judgment;
    try {
      parsed = JSON.parse(line) as Judgment;
    } catch (cause) {
      // Only the final line can be torn by a kill; garbage elsewhere means someone edited it.
      if (isLast || i === lines.length - 2) break;
      throw new InputError(
        "corrupt judgment log",
        { file, line: i + 1, expected: "a JSON judgment" },
        { cause },
      );
    }
    if (isLast) break; // a last line without its newline was not completely written
    judgments.set(parsed.pairId, parsed);
    offset += lineBytes;
    goodBytes = offset;
  }
  return { judgments, goodBytes };
}
