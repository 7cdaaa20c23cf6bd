/**
 * RewardBench rows (`allenai/reward-bench`, also the prior sets in `allenai/pref-test-sets`):
 * `prompt` (string, or a message list ending with a user turn), `chosen`, `rejected`, `subset`, `id`,
 * `chosen_model`, `rejected_model`. Chosen goes in A with label "A". A row with lists of chosen and
 * rejected answers is a RewardBench 2 row, expanded as `rewardbench2` expands it.
 */
import { buildPair } from "../buildPair.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  checkResponse,
  hasKeys,
  optionalId,
  optionalString,
  requireFields,
  requireValue,
} from "./fieldAccess.js";
import { rewardbench2 } from "./rewardbench2.js";
import { toPrompt } from "./toMessages.js";

const source = "rewardbench";

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const prompt = toPrompt(requireValue(row, "prompt", at, "a string or message list"), "prompt", at);
  const subset = optionalString(row, "subset", at);
  const id = optionalId(row, "id", at);
  const meta = {
    chosen_model: optionalString(row, "chosen_model", at),
    rejected_model: optionalString(row, "rejected_model", at),
  };
  const chosen = requireValue(row, "chosen", at, "a response string");
  const rejected = requireValue(row, "rejected", at, "a response string");
  if (!Array.isArray(chosen) || !Array.isArray(rejected)) {
    return [
      buildPair({
        source,
        sourceId: id,
        subset,
        prompt,
        responseA: checkResponse(chosen, "chosen", at),
        responseB: checkResponse(rejected, "rejected", at),
        label: "A",
        meta,
      }),
    ];
  }
  return rewardbench2.toPairs(record, at);
}

export const rewardbench: PairAdapter = {
  name: source,
  description:
    "RewardBench v1/v2 rows: prompt, chosen, rejected, subset, id (+ chosen_model, rejected_model)",
  detect: (r) => hasKeys(r, ["prompt", "chosen", "rejected"]) && ("subset" in r || "chosen_model" in r),
  toPairs,
};
