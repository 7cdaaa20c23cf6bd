/**
 * TRL preference rows (trl docs, "dataset formats"): standard `{prompt, chosen, rejected}` strings;
 * conversational `{prompt: messages, chosen: [assistant msg], rejected: [assistant msg]}`; and the
 * implicit-prompt form `{chosen, rejected}` holding whole conversations (or whole texts) whose
 * common prefix is the prompt. Chosen goes in A with label "A". An `id` field is used when present.
 */
import type { ChatMessage } from "../../types.js";
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  checkResponse,
  type Fields,
  hasKeys,
  optionalId,
  requireFields,
  requireValue,
} from "./fieldAccess.js";
import { checkPrompt, toMessages, toPrompt } from "./toMessages.js";

const source = "trl";

function completion(value: unknown, field: string, at: RecordLocation): string {
  if (typeof value === "string") return checkResponse(value, field, at);
  const messages = toMessages(value, field, at);
  if (messages.length !== 1 || messages[0]!.role !== "assistant") {
    throw invalidRecord("wrong-type", "completion is not a single assistant message", at, {
      field,
      expected: "a string or [{role: assistant, content}]",
      got: `${messages.length} messages (${messages.map((m) => m.role).join(", ")})`,
    });
  }
  return checkResponse(messages[0]!.content, `${field}.0.content`, at);
}

function implicitConversation(row: Fields, at: RecordLocation) {
  const chosen = toMessages(row.chosen, "chosen", at);
  const rejected = toMessages(row.rejected, "rejected", at);
  let shared = 0;
  while (
    shared < Math.min(chosen.length, rejected.length) - 1 &&
    chosen[shared]!.role === rejected[shared]!.role &&
    chosen[shared]!.content === rejected[shared]!.content
  ) {
    shared++;
  }
  const prompt = checkPrompt(chosen.slice(0, shared), "chosen", at);
  return {
    prompt,
    responseA: completion(chosen.slice(shared), "chosen", at),
    responseB: completion(rejected.slice(shared), "rejected", at),
  };
}

/** Longest common prefix of two texts, backed off to the last space so no word is cut in two. */
function implicitText(chosen: string, rejected: string, at: RecordLocation) {
  let end = 0;
  while (end < chosen.length && end < rejected.length && chosen[end] === rejected[end]) end++;
  const space = chosen.lastIndexOf(" ", end);
  if (end < chosen.length && end < rejected.length && space > 0) end = space;
  const prompt = chosen.slice(0, end);
  if (prompt.trim() === "") {
    throw invalidRecord("invalid-prompt", "chosen and rejected share no prompt", at, {
      field: "chosen",
      expected: "texts that start with the same prompt",
      got: chosen,
    });
  }
  return {
    prompt: [{ role: "user", content: prompt.trimEnd() }] as ChatMessage[],
    responseA: checkResponse(chosen.slice(end).trimStart(), "chosen", at),
    responseB: checkResponse(rejected.slice(end).trimStart(), "rejected", at),
  };
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  requireValue(row, "chosen", at, "a string or message list");
  requireValue(row, "rejected", at, "a string or message list");
  let content: { prompt: ChatMessage[]; responseA: string; responseB: string };
  if (row.prompt !== undefined && row.prompt !== null) {
    content = {
      prompt: toPrompt(row.prompt, "prompt", at),
      responseA: completion(row.chosen, "chosen", at),
      responseB: completion(row.rejected, "rejected", at),
    };
  } else if (typeof row.chosen === "string" && typeof row.rejected === "string") {
    content = implicitText(row.chosen, row.rejected, at);
  } else {
    content = implicitConversation(row, at);
  }
  return [buildPair({ source, sourceId: optionalId(row, "id", at), label: "A", ...content })];
}

export const trl: PairAdapter = {
  name: source,
  description:
    "TRL preference rows: {prompt, chosen, rejected} as strings or messages, or implicit-prompt {chosen, rejected}",
  detect: (r) => hasKeys(r, ["chosen", "rejected"]),
  toPairs,
};
