/**
 * PandaLM human test set (`testset-v1.json`): `instruction`, optional `input`, `response1`,
 * `response2`, and three annotators (`annotator1..3`) each saying 1 (response1 better),
 * 2 (response2 better) or 0 (tie). The label is the majority of the three (1 → "A", 2 → "B",
 * 0 → "tie"); with no majority it is "tie". The prompt is the instruction, then the input after a
 * blank line when there is one (the Alpaca layout PandaLM was built on). Id: `idx`.
 * Six records hold the JSON boolean `true` where a model answered "True" (rows 157–164, a
 * serialisation slip upstream); a boolean response is read as Python spells it, "True"/"False".
 */
import { buildPair } from "../buildPair.js";
import type { Label, PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  type Fields,
  hasKeys,
  invalidLabel,
  lookupLabel,
  optionalId,
  optionalString,
  requireFields,
  requireResponse,
  requireString,
  requireValue,
} from "./fieldAccess.js";

const source = "pandalm";
const verdicts: Record<string, Label> = { "1": "A", "2": "B", "0": "tie" };

function response(row: Fields, field: string, at: RecordLocation): string {
  const value = row[field];
  if (typeof value === "boolean") return value ? "True" : "False";
  return requireResponse(row, field, at);
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const instruction = requireString(row, "instruction", at);
  const input = optionalString(row, "input", at) ?? "";
  const votes = ["annotator1", "annotator2", "annotator3"].map((field) => {
    const value = requireValue(row, field, at, "0, 1 or 2");
    const label = lookupLabel(verdicts, value);
    if (!label) throw invalidLabel(field, at, "0 (tie), 1 (response1) or 2 (response2)", value);
    return label;
  });
  const counts = { A: 0, B: 0, tie: 0 };
  for (const v of votes) counts[v]++;
  const majority = (Object.keys(counts) as Label[]).find((l) => counts[l] >= 2) ?? "tie";
  return [
    buildPair({
      source,
      sourceId: optionalId(row, "idx", at),
      prompt: [{ role: "user", content: input.trim() === "" ? instruction : `${instruction}\n\n${input}` }],
      responseA: response(row, "response1", at),
      responseB: response(row, "response2", at),
      label: majority,
      meta: {
        annotators: votes,
        unanimous: votes.every((v) => v === votes[0]),
        cmp_key: row.cmp_key,
        motivation_app: row.motivation_app,
      },
    }),
  ];
}

export const pandalm: PairAdapter = {
  name: source,
  description:
    "PandaLM test set: instruction/input, response1/response2, majority of annotator1..3 (0 = tie)",
  detect: (r) => hasKeys(r, ["instruction", "response1", "response2", "annotator1"]),
  toPairs,
};
