/**
 * RewardBench rows (`allenai/reward-bench`, also the prior sets in `allenai/pref-test-sets`):
 * `prompt` (string, or a message list ending with a user turn), `chosen`, `rejected`, `subset`, `id`,
 * `chosen_model`, `rejected_model`. Chosen goes in A with label "A". RewardBench 2 rows carry lists of
 * chosen and rejected answers; each chosen × rejected combination becomes a pair with id
 * `<id>:<i>-<j>`.
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
  const pairs: PreferencePair[] = [];
  chosen.forEach((c, i) => {
    rejected.forEach((r, j) => {
      pairs.push(
        buildPair({
          source,
          sourceId: id === undefined ? undefined : `${id}:${i}-${j}`,
          subset,
          prompt,
          responseA: checkResponse(c, `chosen.${i}`, at),
          responseB: checkResponse(r, `rejected.${j}`, at),
          label: "A",
          meta: { ...meta, num_correct: row.num_correct },
        }),
      );
    });
  });
  return pairs;
}

export const rewardbench: PairAdapter = {
  name: source,
  description:
    "RewardBench v1/v2 rows: prompt, chosen, rejected, subset, id (+ chosen_model, rejected_model)",
  detect: (r) => hasKeys(r, ["prompt", "chosen", "rejected"]) && ("subset" in r || "chosen_model" in r),
  toPairs,
};
