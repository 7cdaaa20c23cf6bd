/**
 * HuggingFaceH4/ultrafeedback_binarized (`*_prefs` splits): `prompt`, `prompt_id`, and `chosen` /
 * `rejected` as full conversations that repeat the prompt, plus `score_chosen` / `score_rejected`.
 * The prompt is the conversation before the final assistant turn of `chosen`; `rejected` must share
 * it. Chosen goes in A with label "A"; the scores go to meta. The id is `prompt_id`: the binarized
 * prefs splits hold one pair per prompt.
 */
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { checkResponse, hasKeys, optionalId, requireFields, requireValue } from "./fieldAccess.js";
import { checkPrompt, isMessageList, sameMessages, toMessages } from "./toMessages.js";

const source = "ultrafeedback";

/** Splits a full conversation into (prompt, final assistant reply). */
export function splitLastReply(value: unknown, field: string, at: RecordLocation) {
  const messages = toMessages(value, field, at);
  const last = messages.at(-1)!;
  if (last.role !== "assistant") {
    throw invalidRecord("wrong-type", "conversation does not end with an assistant turn", at, {
      field,
      expected: "a message list ending with role assistant",
      got: `last role ${last.role}`,
    });
  }
  const prompt = checkPrompt(messages.slice(0, -1), field, at);
  return { prompt, reply: checkResponse(last.content, `${field}.${messages.length - 1}.content`, at) };
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const chosen = splitLastReply(requireValue(row, "chosen", at, "a message list"), "chosen", at);
  const rejected = splitLastReply(requireValue(row, "rejected", at, "a message list"), "rejected", at);
  if (!sameMessages(chosen.prompt, rejected.prompt)) {
    throw invalidRecord(
      "prompt-mismatch",
      "chosen and rejected conversations differ before the last turn",
      at,
      {
        field: "rejected",
        expected: "the same prompt turns as chosen",
      },
    );
  }
  return [
    buildPair({
      source,
      sourceId: optionalId(row, "prompt_id", at),
      prompt: chosen.prompt,
      responseA: chosen.reply,
      responseB: rejected.reply,
      label: "A",
      meta: { score_chosen: row.score_chosen, score_rejected: row.score_rejected },
    }),
  ];
}

export const ultrafeedback: PairAdapter = {
  name: source,
  description:
    "UltraFeedback binarized: chosen/rejected full conversations, score_chosen/score_rejected, prompt_id",
  detect: (r) =>
    hasKeys(r, ["chosen", "rejected"]) &&
    isMessageList(r.chosen) &&
    ("prompt_id" in r || "score_chosen" in r),
  toPairs,
};
