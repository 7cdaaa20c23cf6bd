/**
 * LLMBar and the sets packaged with it (`Dataset/<group>/<subset>/dataset.json`): `input`,
 * `output_1`, `output_2`, `label` 1 or 2 naming the better output (1 → "A", 2 → "B"; no ties).
 * The subset is the folder path under `Dataset/` (`LLMBar/Adversarial/Neighbor`,
 * `Processed/MT-Bench`, …), or the parent folder name when the file is not in such a tree.
 * Records have no id: content hash (which includes the subset, so a pair repeated in two subsets
 * keeps two ids).
 */
import path from "node:path";
import { buildPair } from "../buildPair.js";
import type { Label, PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  hasKeys,
  invalidLabel,
  lookupLabel,
  requireFields,
  requireResponse,
  requireString,
  requireValue,
} from "./fieldAccess.js";

const source = "llmbar";
const labels: Record<string, Label> = { "1": "A", "2": "B" };

export function llmbarSubset(file: string): string {
  const parts = path.resolve(path.dirname(file)).split(path.sep);
  const root = parts.lastIndexOf("Dataset");
  return root >= 0 && root < parts.length - 1 ? parts.slice(root + 1).join("/") : parts.at(-1)!;
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const raw = requireValue(row, "label", at, "1 or 2");
  const label = lookupLabel(labels, raw);
  if (!label) throw invalidLabel("label", at, "1 (output_1 better) or 2 (output_2 better)", raw);
  return [
    buildPair({
      source,
      subset: llmbarSubset(at.file),
      prompt: [{ role: "user", content: requireString(row, "input", at) }],
      responseA: requireResponse(row, "output_1", at),
      responseB: requireResponse(row, "output_2", at),
      label,
    }),
  ];
}

export const llmbar: PairAdapter = {
  name: source,
  description: "LLMBar Dataset/ tree: input, output_1/output_2, label 1/2; subset from the folder path",
  detect: (r) => hasKeys(r, ["input", "output_1", "output_2", "label"]),
  toPairs,
};
