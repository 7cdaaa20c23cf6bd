/**
 * Auto-J pairwise test set (`testdata_pairwise.jsonl`): `prompt`, `"response 1"`, `"response 2"`
 * (keys with a space), `scenario`, and a 0-indexed `label`: 0 → response 1 preferred ("A"),
 * 1 → response 2 ("B"), 2 → tie. The subset is the scenario. Records have no id: content hash.
 */
import { buildPair } from "../buildPair.js";
import type { Label, PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  hasKeys,
  invalidLabel,
  lookupLabel,
  optionalString,
  requireFields,
  requireResponse,
  requireString,
  requireValue,
} from "./fieldAccess.js";

const source = "auto-j";
const labels: Record<string, Label> = { "0": "A", "1": "B", "2": "tie" };

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const raw = requireValue(row, "label", at, "0, 1 or 2");
  const label = lookupLabel(labels, raw);
  if (!label) throw invalidLabel("label", at, "0 (response 1), 1 (response 2) or 2 (tie)", raw);
  return [
    buildPair({
      source,
      subset: optionalString(row, "scenario", at),
      prompt: [{ role: "user", content: requireString(row, "prompt", at) }],
      responseA: requireResponse(row, "response 1", at),
      responseB: requireResponse(row, "response 2", at),
      label,
    }),
  ];
}

export const autoJ: PairAdapter = {
  name: source,
  description: 'Auto-J pairwise test: prompt, "response 1"/"response 2", label 0/1/2 (2 = tie), scenario',
  detect: (r) => hasKeys(r, ["prompt", "response 1", "response 2", "label"]),
  toPairs,
};
