/**
 * RM-Bench rows (THU-KEG/RM-Bench at 73c52d7b27b361621361ec959ac6c0eb9bb7a689, `data/*.json`; the
 * Hugging Face copy THU-KEG/RM-Bench): `id`, `prompt`, `chosen` and `rejected` (three responses
 * each: concise, detailed plain text, detailed markdown), `subset`, and in `total_dataset.json` a
 * `domain` (chat, code, math, safety-refuse, safety-response). Every chosen style is played against
 * every rejected style, the 3 × 3 matrix that `compute_accuracy` (scripts/utils.py at
 * 659399cef37e334f784194b2547fa215c10f724a) turns into hard / normal / easy accuracy. The subset is
 * the domain where the row has one, else its own `subset`.
 */
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { chosenByRejected, expandItem } from "./expandItem.js";
import {
  hasKeys,
  isStringList,
  optionalId,
  optionalString,
  requireFields,
  requireResponseList,
} from "./fieldAccess.js";
import { toPrompt } from "./toMessages.js";

/** Concise, detailed plain text, detailed markdown: RM-Bench's three styles, in its order. */
export const rmBenchStyles = 3;

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const domain = optionalString(row, "domain", at);
  const subset = optionalString(row, "subset", at);
  const id = optionalId(row, "id", at);
  return expandItem({
    benchmark: "rm-bench",
    // RM-Bench numbers rows per domain file, so the domain is part of a row's identity.
    sourceId: id === undefined ? undefined : domain === undefined ? id : `${domain}/${id}`,
    subset: domain ?? subset,
    prompt: toPrompt(row.prompt, "prompt", at),
    chosen: requireResponseList(row, "chosen", at, rmBenchStyles),
    rejected: requireResponseList(row, "rejected", at, rmBenchStyles),
    group: domain,
    meta: domain !== undefined && subset !== undefined ? { subset } : undefined,
    comparisons: chosenByRejected(rmBenchStyles, rmBenchStyles),
  });
}

export const rmBench: PairAdapter = {
  name: "rm-bench",
  description: "RM-Bench rows: id, prompt, chosen[3], rejected[3] (three styles), domain (3×3 style matrix)",
  detect: (r) =>
    hasKeys(r, ["prompt", "chosen", "rejected"]) &&
    isStringList(r.chosen, rmBenchStyles) &&
    isStringList(r.rejected, rmBenchStyles) &&
    !("num_correct" in r) &&
    !("total_completions" in r),
  toPairs,
};
