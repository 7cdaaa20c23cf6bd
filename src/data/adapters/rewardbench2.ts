/**
 * RewardBench 2 rows (`allenai/reward-bench-2`, test split, 1,865 rows): `id`, `prompt` (string),
 * `chosen` and `rejected` (lists of strings), `num_correct`, `num_incorrect`, `total_completions`,
 * `models`, `subset` (Factuality, Precise IF, Math, Safety, Focus, Ties), `additional_metadata`.
 *
 * Expansion follows how the reference scores a row (allenai/reward-bench at
 * fd72033ea50678505a64998e0a381764f5c23576, rewardbench/utils.py `reroll_and_score_dataset` and
 * `process_single_model`): outside Ties a row is right when its first chosen answer beats every
 * other answer, so a pairwise judge plays response 0 against each other response; the Ties score
 * needs a scalar score for every answer of a row, so a pairwise judge plays every answer against
 * every other and each answer's score is its share of the games it won. Ties ids are
 * `ref:<n>` / `tied:<n>` (the reference pairs each tied prompt with its reference prompt by `<n>`).
 */
import { invalidRecord } from "../InvalidRecordError.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { allPairs, expandItem, firstAgainstRest, isTiesSubset } from "./expandItem.js";
import {
  getPath,
  hasKeys,
  isStringList,
  optionalId,
  optionalString,
  requireFields,
  requireResponseList,
} from "./fieldAccess.js";
import { toPrompt } from "./toMessages.js";

/** RewardBench 2's subsets in its leaderboard order. */
export const rewardBench2Subsets = ["Factuality", "Precise IF", "Math", "Safety", "Focus", "Ties"] as const;

/** `ref:12` → ["ref", "12"]; undefined for an id the Ties score cannot pair. */
export function tiesIdParts(id: string): [string, string] | undefined {
  const match = /^([^:]+):(\d+)$/.exec(id);
  return match ? [match[1]!, match[2]!] : undefined;
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const prompt = toPrompt(row.prompt, "prompt", at);
  const subset = optionalString(row, "subset", at);
  const id = optionalId(row, "id", at);
  const chosen = requireResponseList(row, "chosen", at);
  const rejected = requireResponseList(row, "rejected", at);
  const numCorrect = getPath(row, "num_correct");
  if (numCorrect !== undefined && numCorrect !== null && numCorrect !== chosen.length) {
    throw invalidRecord("invalid-pair", "num_correct does not count the chosen answers", at, {
      field: "num_correct",
      expected: `${chosen.length} (the length of chosen)`,
      got: numCorrect,
    });
  }
  const ties = isTiesSubset(subset);
  if (ties && (id === undefined || tiesIdParts(id) === undefined)) {
    throw invalidRecord("invalid-pair", "a Ties row's id does not say which prompt it belongs to", at, {
      field: "id",
      expected: 'an id "ref:<n>" or "tied:<n>"',
      got: id,
    });
  }
  const total = chosen.length + rejected.length;
  return expandItem({
    benchmark: "rewardbench2",
    sourceId: id,
    subset,
    prompt,
    chosen,
    rejected,
    meta: { models: getPath(row, "models") },
    comparisons: ties ? allPairs(total) : firstAgainstRest(total),
  });
}

export const rewardbench2: PairAdapter = {
  name: "rewardbench2",
  description:
    "RewardBench 2 rows: id, prompt, chosen[], rejected[], num_correct, subset (best-of-4; Ties scored on all answers)",
  detect: (r) =>
    hasKeys(r, ["prompt", "chosen", "rejected"]) &&
    isStringList(r.chosen) &&
    isStringList(r.rejected) &&
    ("num_correct" in r || "total_completions" in r),
  toPairs,
};
