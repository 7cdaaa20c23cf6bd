/**
 * genrm's own JSONL format: one `PreferencePair` per line, exactly as `writePairsJsonl` writes it.
 * Records are validated against the schema and kept as they are, ids included, so any adapter's
 * output reloads unchanged.
 */
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { validatePair } from "../validatePair.js";
import { hasKeys } from "./fieldAccess.js";

export const genrm: PairAdapter = {
  name: "genrm",
  description:
    "genrm canonical JSONL: {id, source, subset, prompt: messages, responseA, responseB, label, meta}",
  detect: (r) => hasKeys(r, ["prompt", "responseA", "responseB", "label"]),
  toPairs: (record: unknown, at: RecordLocation): PreferencePair[] => [validatePair(record, at)],
};
