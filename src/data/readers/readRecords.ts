/**
 * Picks a reader for a file from its extension (or the caller's choice) and lists the data files
 * under a folder. Folder listings are sorted by relative path so every run sees the same order.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { UnsupportedError } from "../../errors.js";
import type { RawRecord, ReaderName } from "../types.js";
import { readCsv } from "./readCsv.js";
import { readFailure } from "./readFailure.js";
import { readJson } from "./readJson.js";
import { type ReaderOptions, readJsonl } from "./readJsonl.js";
import { readParquet } from "./readParquet.js";

const readers: Record<ReaderName, (file: string, options?: ReaderOptions) => AsyncGenerator<RawRecord>> = {
  jsonl: readJsonl,
  json: readJson,
  parquet: readParquet,
  csv: readCsv,
};

const extensions: ReadonlyArray<[suffix: string, reader: ReaderName]> = [
  [".jsonl", "jsonl"],
  [".jsonl.gz", "jsonl"],
  [".ndjson", "jsonl"],
  [".ndjson.gz", "jsonl"],
  [".json", "json"],
  [".parquet", "parquet"],
  [".csv", "csv"],
];

/** The reader for a file name, or undefined when its extension is not a data format. */
export function readerForFile(file: string): ReaderName | undefined {
  const lower = file.toLowerCase();
  return extensions.find(([suffix]) => lower.endsWith(suffix))?.[1];
}

export interface ReadRecordsOptions extends ReaderOptions {
  /** Parse with this reader whatever the extension. Defaults to choosing by extension. */
  reader?: ReaderName;
}

/** Raw records of one file, each with its file and line (or row). */
export function readRecords(file: string, options: ReadRecordsOptions = {}): AsyncGenerator<RawRecord> {
  const { reader = readerForFile(file), ...rest } = options;
  if (!reader) {
    throw new UnsupportedError(`cannot tell the format of ${file} from its extension`, {
      hint: `name a reader (${Object.keys(readers).join(", ")}) or rename the file to one of ${extensions.map(([s]) => s).join(", ")}`,
    });
  }
  return readers[reader](file, rest);
}

/** Data files under a folder (recursive, hidden entries skipped), sorted by relative path. */
export async function listDataFiles(dir: string): Promise<string[]> {
  let entries: Awaited<ReturnType<typeof readdirEntries>>;
  try {
    entries = await readdirEntries(dir);
  } catch (cause) {
    throw readFailure(cause, dir);
  }
  return (
    entries
      .filter((e) => e.isFile() && readerForFile(e.name) !== undefined)
      // Dirent.parentPath arrived in Node 20.12; earlier 20.x releases call it `path`.
      .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
      .filter(
        (file) =>
          !path
            .relative(dir, file)
            .split(path.sep)
            .some((part) => part.startsWith(".")),
      )
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  );
}

function readdirEntries(dir: string) {
  return readdir(dir, { recursive: true, withFileTypes: true });
}
