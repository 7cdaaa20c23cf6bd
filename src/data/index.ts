/** Public API of the data layer: preference pairs in, from any supported format. */

export { type FieldMap, fieldMapAdapter, parseFieldMap } from "./adapters/fieldMap.js";
export { adapters, detectAdapter, getAdapter, listAdapters } from "./adapters/registry.js";
export { buildPair, type PairFields } from "./buildPair.js";
export { InvalidRecordError } from "./InvalidRecordError.js";
export { contentHash, type PairContent, pairId } from "./pairId.js";
export type { ReaderOptions } from "./readers/readJsonl.js";
export { listDataFiles, type ReadRecordsOptions, readerForFile, readRecords } from "./readers/readRecords.js";
export { type LoadPairsResult, loadPairs, type ReadPairsOptions, readPairs } from "./readPairs.js";
export { DEFAULT_MAX_RECORD_BYTES, MAX_RECORD_BYTES_ENV, resolveMaxRecordBytes } from "./recordLimit.js";
export { type ResolveDatasetOptions, type ResolvedDataset, resolveDataset } from "./resolveDataset.js";
export { defaultSplitFractions, type SplitPairsOptions, slicePairs, splitPairs } from "./splitPairs.js";
export type {
  AssembleOptions,
  Label,
  PairAdapter,
  PreferencePair,
  PreferencePairRecord,
  RawRecord,
  ReaderName,
  RecordLocation,
  SkipReason,
  SkipReport,
} from "./types.js";
export { labelSchema, messageSchema, preferencePairSchema } from "./types.js";
export { validatePair } from "./validatePair.js";
export { pairToJsonLine, type WritePairsOptions, writePairsJsonl } from "./writePairsJsonl.js";
