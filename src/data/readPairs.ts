/**
 * The loading pipeline: files → raw records → (joined records) → adapter → validated pairs with
 * unique ids. `readPairs` streams; `loadPairs` collects and reports what was skipped.
 *
 * Duplicate ids: see uniqueIds.ts (the same pair read again is renamed, a different pair under a
 * taken id is a `duplicate-id` record).
 */
import { ConfigError, throwIfAborted } from "../errors.js";
import type { PairId } from "../types.js";
import { InvalidRecordError } from "./InvalidRecordError.js";
import { readRecords } from "./readers/readRecords.js";
import { type ResolveDatasetOptions, type ResolvedDataset, resolveDataset } from "./resolveDataset.js";
import type { PreferencePair, RawRecord, SkipReport } from "./types.js";
import { UniqueIds } from "./uniqueIds.js";
import { validatePair } from "./validatePair.js";

export interface ReadPairsOptions extends ResolveDatasetOptions {
  /** Skip records that cannot become valid pairs, and report them, instead of throwing. Defaults to false. */
  skipInvalid?: boolean;
  /** Stop after this many pairs. Defaults to no limit. */
  limit?: number;
  signal?: AbortSignal;
  /** Called for each skipped record (only with `skipInvalid`). */
  onSkip?: (error: InvalidRecordError) => void;
  /** Records read so far; called every 1,000 records and at the end. */
  onProgress?: (progress: { done: number }) => void;
}

export async function* readPairs(
  target: string,
  options: ReadPairsOptions = {},
): AsyncGenerator<PreferencePair> {
  const dataset = await resolveDataset(target, options);
  yield* streamPairs(dataset, options);
}

export interface LoadPairsResult {
  pairs: PreferencePair[];
  skipped: SkipReport;
  /** The adapter used ("map" for a field mapping). */
  format: string;
  files: string[];
  /** Pairs whose id was already taken and got a `~n` suffix. */
  renamedIds: number;
}

const MAX_EXAMPLES = 5;

export async function loadPairs(target: string, options: ReadPairsOptions = {}): Promise<LoadPairsResult> {
  const { onSkip } = options;
  const dataset = await resolveDataset(target, options);
  const skipped: SkipReport = { count: 0, byReason: {}, examples: [] };
  const stats = { renamedIds: 0 };
  const pairs: PreferencePair[] = [];
  const stream = streamPairs(
    dataset,
    {
      ...options,
      onSkip: (error) => {
        skipped.count++;
        skipped.byReason[error.reason] = (skipped.byReason[error.reason] ?? 0) + 1;
        if (skipped.examples.length < MAX_EXAMPLES) skipped.examples.push(error.message);
        onSkip?.(error);
      },
    },
    stats,
  );
  for await (const pair of stream) pairs.push(pair);
  return { pairs, skipped, format: dataset.format, files: dataset.files, renamedIds: stats.renamedIds };
}

async function* recordsOf(
  dataset: ResolvedDataset,
  options: ReadPairsOptions,
  onInvalid: (e: InvalidRecordError) => void,
) {
  for (const file of dataset.files) {
    yield* readRecords(file, {
      reader: dataset.reader,
      signal: options.signal,
      maxRecordBytes: options.maxRecordBytes,
      onInvalid,
    });
  }
}

async function* streamPairs(
  dataset: ResolvedDataset,
  options: ReadPairsOptions,
  stats: { renamedIds: number } = { renamedIds: 0 },
): AsyncGenerator<PreferencePair> {
  const { skipInvalid = false, limit = Number.POSITIVE_INFINITY, signal, onSkip, onProgress } = options;
  if (!(limit >= 0)) throw new ConfigError([`limit: must be a number ≥ 0, got ${limit}`]);
  if (limit === 0) return;
  const onInvalid = (error: InvalidRecordError) => {
    if (!skipInvalid) throw error;
    onSkip?.(error);
  };
  const { adapter } = dataset;
  let records: AsyncIterable<RawRecord> = recordsOf(dataset, options, onInvalid);
  if (adapter.dataset) {
    records = adapter.dataset.assemble(records, { onInvalid: (e) => onInvalid(e as InvalidRecordError) });
  }
  const ids = new UniqueIds();
  let emitted = 0;
  let read = 0;
  for await (const raw of records) {
    throwIfAborted(signal);
    if (++read % 1000 === 0) onProgress?.({ done: read });
    const at = { file: raw.file, line: raw.line, unit: raw.unit };
    let pairs: PreferencePair[];
    try {
      pairs = adapter.toPairs(raw.record, at).map((p) => validatePair(withSubset(p, raw.subset), at));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      onInvalid(error);
      continue;
    }
    for (const pair of pairs) {
      const id = ids.claim(pair, at);
      if (id instanceof InvalidRecordError) {
        onInvalid(id);
        continue;
      }
      stats.renamedIds = ids.renamed;
      yield id === pair.id ? pair : renamed(pair, id);
      if (++emitted >= limit) {
        onProgress?.({ done: read });
        return;
      }
    }
  }
  onProgress?.({ done: read });
}

/** A record read from a JSON object of arrays takes the array's key as subset, unless it names its own. */
function withSubset(pair: PreferencePair, subset: string | undefined): PreferencePair {
  return subset === undefined || pair.subset !== undefined ? pair : { ...pair, subset };
}

/**
 * A pair read again under a `~n` id. A row expanded into pairs is read again as a whole, so its
 * link takes the same suffix and the two copies stay two rows.
 */
function renamed(pair: PreferencePair, id: PairId): PreferencePair {
  if (!pair.item) return { ...pair, id };
  const suffix = id.slice(pair.id.length);
  return { ...pair, id, item: { ...pair.item, id: `${pair.item.id}${suffix}` } };
}
