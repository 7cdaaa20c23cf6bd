/**
 * Conversation shapes found in preference data, normalised to `ChatMessage[]`: a bare prompt string,
 * an OpenAI/TRL-style message list, and Anthropic's `\n\nHuman: … \n\nAssistant: …` transcripts.
 */
import type { ChatMessage, Role } from "../../types.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { RecordLocation } from "../types.js";
import { isFields } from "./fieldAccess.js";

const roles: readonly Role[] = ["system", "user", "assistant"];

export function isMessageList(value: unknown): value is ChatMessage[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => isFields(m) && typeof m.role === "string" && typeof m.content === "string")
  );
}

/** A string (one user turn) or a list of `{role, content}` messages. */
export function toMessages(value: unknown, field: string, at: RecordLocation): ChatMessage[] {
  if (typeof value === "string") return [{ role: "user", content: value }];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRecord(
      value === undefined || value === null ? "missing-field" : "wrong-type",
      "not a conversation",
      at,
      {
        field,
        expected: "a string or a non-empty list of {role, content} messages",
        got: value,
      },
    );
  }
  return value.map((m, i) => {
    if (!isFields(m) || typeof m.content !== "string" || !roles.includes(m.role as Role)) {
      throw invalidRecord("wrong-type", "not a chat message", at, {
        field: `${field}.${i}`,
        expected: `{role: ${roles.join("|")}, content: string}`,
        got: m,
      });
    }
    return { role: m.role as Role, content: m.content };
  });
}

/** Messages that can stand as a prompt: non-empty and ending with a user turn. */
export function toPrompt(value: unknown, field: string, at: RecordLocation): ChatMessage[] {
  return checkPrompt(toMessages(value, field, at), field, at);
}

export function checkPrompt(messages: ChatMessage[], field: string, at: RecordLocation): ChatMessage[] {
  const last = messages.at(-1);
  if (last?.role !== "user") {
    throw invalidRecord("invalid-prompt", "prompt does not end with a user turn", at, {
      field,
      expected: "a conversation whose last message has role user",
      got: last ? `last role ${last.role}` : "no messages",
    });
  }
  return messages;
}

const TURN = /\n\n(Human|Assistant):[ \t]?/g;

/**
 * Splits an Anthropic-style transcript into turns. Text before the first marker is an error unless
 * `unmarkedFirstTurn` says who spoke it (HHH prompts start with the human's words, unmarked).
 * Turn contents are trimmed: the source pads them with spaces and newlines inconsistently.
 */
export function parseTranscript(
  text: string,
  field: string,
  at: RecordLocation,
  options: { unmarkedFirstTurn?: Role } = {},
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const markers = [...text.matchAll(TURN)];
  const head = text.slice(0, markers[0]?.index ?? text.length);
  if (head.trim() !== "") {
    if (!options.unmarkedFirstTurn) {
      throw invalidRecord("wrong-type", "not a Human/Assistant transcript", at, {
        field,
        expected: 'text starting with "\\n\\nHuman:"',
        got: text,
      });
    }
    messages.push({ role: options.unmarkedFirstTurn, content: head.trim() });
  }
  for (let i = 0; i < markers.length; i++) {
    const marker = markers[i]!;
    const start = marker.index + marker[0].length;
    const end = markers[i + 1]?.index ?? text.length;
    messages.push({
      role: marker[1] === "Human" ? "user" : "assistant",
      content: text.slice(start, end).trim(),
    });
  }
  return messages;
}

export function sameMessages(a: readonly ChatMessage[], b: readonly ChatMessage[]): boolean {
  return a.length === b.length && a.every((m, i) => m.role === b[i]!.role && m.content === b[i]!.content);
}
