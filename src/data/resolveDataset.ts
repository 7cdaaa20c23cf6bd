/**
 * Decides what a load will read: which adapter (named, given as a field map, or detected from the
 * first record) and which files (one file, every data file under a folder, or, for formats joined
 * from several files, the files that format names under the dataset folder).
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError, NotFoundError, UnsupportedError } from "../errors.js";
import { isFields } from "./adapters/fieldAccess.js";
import { fieldMapAdapter, parseFieldMap } from "./adapters/fieldMap.js";
import { detectAdapter, getAdapter } from "./adapters/registry.js";
import type { InvalidRecordError } from "./InvalidRecordError.js";
import { listDataFiles, readRecords } from "./readers/readRecords.js";
import type { PairAdapter, ReaderName } from "./types.js";

export interface ResolveDatasetOptions {
  /** Adapter name, or "auto" to detect it from the first record. Defaults to "auto". */
  format?: string;
  /** A field mapping (see parseFieldMap); replaces `format`. Defaults to none. */
  map?: string;
  /** Parse every file with this reader whatever its extension. Defaults to choosing by extension. */
  reader?: ReaderName;
  /** Largest record to read, in bytes. Defaults to the limit in recordLimit.ts. */
  maxRecordBytes?: number;
}

export interface ResolvedDataset {
  adapter: PairAdapter;
  /** Name of the adapter, or "map" for a field mapping. */
  format: string;
  files: string[];
  reader?: ReaderName;
}

export async function resolveDataset(
  target: string,
  options: ResolveDatasetOptions = {},
): Promise<ResolvedDataset> {
  const { format = "auto", map, reader, maxRecordBytes } = options;
  if (map !== undefined && format !== "auto" && format !== "map") {
    throw new ConfigError([`format: "${format}" and map were both given; a map replaces the format`]);
  }
  const info = await stat(target).catch((cause) => {
    throw new NotFoundError(`no such file or folder: ${target}`, { cause });
  });
  const isDir = info.isDirectory();
  const files = isDir ? await listDataFiles(target) : [target];
  if (files.length === 0) {
    throw new NotFoundError(`no data files under ${target}`, {
      hint: "data files end in .jsonl, .jsonl.gz, .json, .parquet or .csv",
    });
  }
  let adapter: PairAdapter;
  if (map !== undefined) adapter = fieldMapAdapter(parseFieldMap(map));
  else if (format === "auto") adapter = await detect(files, { reader, maxRecordBytes });
  else adapter = getAdapter(format);

  if (!adapter.dataset) return { adapter, format: adapter.name, files, reader };
  const root = isDir ? target : path.dirname(target);
  const patterns = adapter.dataset.files.map(globToRegExp);
  const joined = (await listDataFiles(root)).filter((f) => patterns.some((p) => p.test(path.basename(f))));
  if (joined.length === 0) {
    throw new NotFoundError(`no ${adapter.name} files under ${root}`, {
      hint: `${adapter.name} reads ${adapter.dataset.files.join(", ")} from the dataset folder`,
    });
  }
  return { adapter, format: adapter.name, files: joined, reader };
}

/**
 * The adapter for the first readable record. Malformed records before it are passed over here: the
 * load itself meets them again and throws or counts them as the caller asked.
 */
async function detect(
  files: string[],
  options: { reader?: ReaderName; maxRecordBytes?: number },
): Promise<PairAdapter> {
  let passedOver: InvalidRecordError | undefined;
  for (const file of files) {
    const records = readRecords(file, {
      ...options,
      onInvalid: (error) => {
        passedOver ??= error;
      },
    });
    let first: unknown;
    try {
      const next = await records.next();
      if (next.done) continue;
      first = next.value.record;
    } finally {
      await records.return(undefined);
    }
    const adapter = detectAdapter(first);
    if (adapter) return adapter;
    throw new UnsupportedError(
      `cannot detect the format of ${file}: its first record has fields ${isFields(first) ? Object.keys(first).join(", ") : typeof first}`,
      {
        hint: "name a format, or map the fields, e.g. --map prompt=input,a=output_1,b=output_2,label=winner,labelA=1,labelB=2",
      },
    );
  }
  if (passedOver) throw passedOver;
  throw new NotFoundError(`no records in ${files.join(", ")}`);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}
