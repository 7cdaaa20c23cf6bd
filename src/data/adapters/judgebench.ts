/**
 * JudgeBench pairs (ScalerLab/JudgeBench at e2c52c284e735e139b3daa61c206ee208f36c461,
 * `data/dataset=judgebench,response_model=*.jsonl`): `pair_id`, `original_id`, `source` (e.g.
 * "mmlu-pro-law", "livebench-math", "livecodebench"), `question`, `response_model`, `response_A`,
 * `response_B`, `label` ("A>B" or "B>A"). `source` becomes the subset; the official score groups
 * subsets by prefix (eval/benchmarkScores.ts).
 */
import { buildPair } from "../buildPair.js";
import type { Label, PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  getPath,
  hasKeys,
  invalidLabel,
  lookupLabel,
  optionalId,
  optionalString,
  requireFields,
  requireResponse,
} from "./fieldAccess.js";
import { toPrompt } from "./toMessages.js";

const source = "judgebench";
const labels: Readonly<Record<string, Label>> = { "A>B": "A", "B>A": "B" };

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const label = lookupLabel(labels, row.label);
  if (label === undefined) throw invalidLabel("label", at, '"A>B" or "B>A"', row.label);
  return [
    buildPair({
      source,
      sourceId: optionalId(row, "pair_id", at),
      subset: optionalString(row, "source", at),
      prompt: toPrompt(row.question, "question", at),
      responseA: requireResponse(row, "response_A", at),
      responseB: requireResponse(row, "response_B", at),
      label,
      meta: {
        original_id: getPath(row, "original_id"),
        response_model: optionalString(row, "response_model", at),
      },
    }),
  ];
}

export const judgebench: PairAdapter = {
  name: source,
  description: 'JudgeBench pairs: question, response_A, response_B, label "A>B"/"B>A", source (category)',
  detect: (r) => hasKeys(r, ["question", "response_A", "response_B", "label"]),
  toPairs,
};
