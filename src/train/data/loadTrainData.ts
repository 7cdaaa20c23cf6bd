/**
 * Reads a training file (or folder) into validated rows. JSONL/JSON/Parquet/CSV records whose keys
 * are a training row (docs/training.md) are parsed as such; anything else is read as preference
 * pairs through the data layer's adapters (`loadPairs`: RewardBench, HH-RLHF, genrm pairs JSONL ...),
 * which suits every method but SFT.
 */
import { stat } from "node:fs/promises";
import { listDataFiles, readRecords } from "../../data/readers/readRecords.js";
import { loadPairs } from "../../data/readPairs.js";
import { InputError, NotFoundError } from "../../errors.js";
import { pairToTrainRow } from "./pairToTrainRow.js";
import { parseTrainRow, rowShape } from "./parseTrainRow.js";
import type { TrainRow } from "./types.js";

export interface LoadTrainRowsOptions {
  /** "rows": training rows only; "pairs": preference pairs via the data adapters; "auto": by the first record. Defaults to "auto". */
  format?: "auto" | "rows" | "pairs";
  /** Pair adapter name for "pairs" (see `genrm data formats`). Defaults to auto-detection. */
  pairFormat?: string;
  /** Skip records that are not valid rows or pairs instead of stopping at the first. Defaults to false. */
  skipInvalid?: boolean;
  /** Called for each skipped record (only with `skipInvalid`), with the error that named it. */
  onSkip?: (error: InputError) => void;
  signal?: AbortSignal;
}

export async function loadTrainRows(target: string, options: LoadTrainRowsOptions = {}): Promise<TrainRow[]> {
  const { format = "auto", pairFormat, skipInvalid = false, onSkip, signal } = options;
  const info = await stat(target).catch((cause) => {
    throw new NotFoundError(`no such file or folder: ${target}`, { cause });
  });
  const files = info.isDirectory() ? await listDataFiles(target) : [target];
  if (files.length === 0) throw new InputError("no data files", { file: target });

  let mode = format;
  if (mode === "auto") {
    mode = "pairs";
    for await (const raw of readRecords(files[0]!)) {
      mode = rowShape(raw.record) !== null ? "rows" : "pairs";
      break;
    }
  }
  if (mode === "pairs") {
    const { pairs, files: read } = await loadPairs(target, {
      ...(pairFormat !== undefined ? { format: pairFormat } : {}),
      ...(skipInvalid ? { skipInvalid, ...(onSkip ? { onSkip } : {}) } : {}),
      signal,
    });
    return pairs.map((p, i) =>
      pairToTrainRow(p, { file: read.length === 1 ? read[0]! : target, line: i + 1 }),
    );
  }
  const rows: TrainRow[] = [];
  for (const file of files) {
    for await (const raw of readRecords(file)) {
      signal?.throwIfAborted();
      try {
        rows.push(parseTrainRow(raw.record, { file: raw.file, line: raw.line }));
      } catch (error) {
        if (!skipInvalid || !(error instanceof InputError)) throw error;
        onSkip?.(error);
      }
    }
  }
  return rows;
}
