/**
 * Validates one JSONL record as a training row. The row type follows from its keys: `messages` or
 * `completion` is SFT, `chosen`/`rejected` is preference, `response_a`/`response_b` is pairwise.
 * Every problem is an InputError naming file, line and field.
 */
import { z } from "zod";
import { InputError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";
import type { PairwiseRow, PreferenceRow, RowPrompt, RowRef, SftRow, TrainRow } from "./types.js";

const message = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() });
const messages = z.array(message).min(1);
const prompt = z.union([z.string().min(1), messages]);
/** A reply: a non-empty string, or a one-message assistant list (TRL conversational). */
const reply = z.union([z.string().min(1), z.array(message).length(1)]);

const sftMessages = z.object({ messages: messages.min(2) });
const sftPromptCompletion = z.object({ prompt, completion: reply });
const preference = z.object({
  prompt: prompt.optional(),
  chosen: z.union([z.string().min(1), messages]),
  rejected: z.union([z.string().min(1), messages]),
  margin: z.number().finite().optional(),
});
const pairwise = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  prompt,
  response_a: z.string().min(1),
  response_b: z.string().min(1),
  label: z.union([z.enum(["A", "B", "tie", "a", "b"]), z.literal(0), z.literal(0.5), z.literal(1)]),
});

export type RowShape = TrainRow["type"];

/** The row type a record's keys announce, or null. */
export function rowShape(record: unknown): RowShape | null {
  if (typeof record !== "object" || record === null || Array.isArray(record)) return null;
  if ("messages" in record || "completion" in record) return "sft";
  if ("chosen" in record || "rejected" in record) return "preference";
  if ("response_a" in record || "response_b" in record) return "pairwise";
  return null;
}

export function parseTrainRow(record: unknown, ref: RowRef): TrainRow {
  const shape = rowShape(record);
  if (shape === null) {
    throw new InputError("not a training row", {
      ...ref,
      expected:
        "{messages} | {prompt, completion} | {prompt, chosen, rejected} | {prompt, response_a, response_b, label}",
      got:
        typeof record === "object" && record !== null
          ? `keys ${Object.keys(record).join(", ")}`
          : typeof record,
    });
  }
  if (shape === "sft") return parseSft(record, ref);
  if (shape === "preference") return parsePreference(record, ref);
  return parsePairwise(record, ref);
}

/** What each top-level field must hold, for messages where zod only says "Invalid input". */
const expectedFor: Record<string, string> = {
  messages: "a list of {role, content} messages ending with the assistant reply",
  prompt: "a non-empty string or a list of {role, content} messages",
  completion: 'a non-empty string or [{role: "assistant", content}]',
  chosen: "a non-empty string or a list of {role, content} messages",
  rejected: "a non-empty string or a list of {role, content} messages",
  margin: "a finite number",
  response_a: "a non-empty string",
  response_b: "a non-empty string",
  label: '"A" | "B" | "tie" | 1 | 0 | 0.5',
  id: "a string or number",
};

function check<T>(schema: z.ZodType<T>, record: unknown, ref: RowRef): T {
  const result = schema.safeParse(record);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join(".");
  const value = issue.path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    record,
  );
  const top = String(issue.path[0] ?? "");
  const expected = issue.path.length === 1 ? expectedFor[top] : undefined;
  throw new InputError(value === undefined ? "missing field" : issue.message, {
    ...ref,
    field: field || undefined,
    ...(expected !== undefined ? { expected } : {}),
    got: value === undefined ? "nothing" : JSON.stringify(value),
  });
}

function replyText(value: string | ChatMessage[], field: string, ref: RowRef): string {
  if (typeof value === "string") return value;
  const m = value[0]!;
  if (m.role !== "assistant" || m.content === "") {
    throw new InputError("a reply must be one non-empty assistant message", {
      ...ref,
      field: `${field}.0`,
      got: JSON.stringify(m),
    });
  }
  return m.content;
}

function checkPromptMessages(p: RowPrompt, field: string, ref: RowRef): void {
  if (typeof p === "string") return;
  const last = p.at(-1)!;
  if (last.role !== "user") {
    throw new InputError("a conversational prompt must end with a user message", {
      ...ref,
      field: `${field}.${p.length - 1}.role`,
      got: last.role,
    });
  }
}

function parseSft(record: unknown, ref: RowRef): SftRow {
  if (typeof record === "object" && record !== null && "messages" in record) {
    const { messages: m } = check(sftMessages, record, ref);
    const last = m.at(-1)!;
    if (last.role !== "assistant" || last.content === "") {
      throw new InputError("the last message must be a non-empty assistant reply (the completion)", {
        ...ref,
        field: `messages.${m.length - 1}`,
        got: JSON.stringify(last),
      });
    }
    const promptMessages = m.slice(0, -1);
    checkPromptMessages(promptMessages, "messages", ref);
    return { type: "sft", prompt: promptMessages, completion: last.content, ref };
  }
  const row = check(sftPromptCompletion, record, ref);
  checkPromptMessages(row.prompt, "prompt", ref);
  if (typeof row.prompt === "string" && typeof row.completion !== "string") {
    throw new InputError("a string prompt needs a string completion (standard format)", {
      ...ref,
      field: "completion",
    });
  }
  return { type: "sft", prompt: row.prompt, completion: replyText(row.completion, "completion", ref), ref };
}

function parsePreference(record: unknown, ref: RowRef): PreferenceRow {
  const row = check(preference, record, ref);
  let p: RowPrompt;
  let chosen: string;
  let rejected: string;
  if (row.prompt === undefined) {
    // TRL's implicit prompt: whole conversations whose shared head is the prompt.
    if (typeof row.chosen === "string" || typeof row.rejected === "string") {
      throw new InputError("an implicit-prompt row needs conversations (message lists)", {
        ...ref,
        field: "prompt",
        expected: "a prompt field, or chosen/rejected as message lists",
      });
    }
    const c = row.chosen;
    const r = row.rejected;
    if (c.length < 2 || r.length !== c.length) {
      throw new InputError("implicit-prompt conversations must share all but their last message", {
        ...ref,
        field: "rejected",
      });
    }
    for (let i = 0; i < c.length - 1; i++) {
      if (c[i]!.role !== r[i]!.role || c[i]!.content !== r[i]!.content) {
        throw new InputError("implicit-prompt conversations differ before their last message", {
          ...ref,
          field: `rejected.${i}`,
        });
      }
    }
    p = c.slice(0, -1);
    chosen = replyText(c.slice(-1), `chosen.${c.length - 1}`, ref);
    rejected = replyText(r.slice(-1), `rejected.${r.length - 1}`, ref);
  } else {
    p = row.prompt;
    for (const key of ["chosen", "rejected"] as const) {
      const value = row[key];
      if (Array.isArray(value) && value.length !== 1) {
        throw new InputError("a reply must be one assistant message", { ...ref, field: key });
      }
      if (typeof p === "string" && typeof value !== "string") {
        throw new InputError("a string prompt needs string replies (standard format)", {
          ...ref,
          field: key,
        });
      }
    }
    chosen = replyText(row.chosen, "chosen", ref);
    rejected = replyText(row.rejected, "rejected", ref);
  }
  checkPromptMessages(p, "prompt", ref);
  return {
    type: "preference",
    prompt: p,
    chosen,
    rejected,
    ...(row.margin !== undefined ? { margin: row.margin } : {}),
    ref,
  };
}

function parsePairwise(record: unknown, ref: RowRef): PairwiseRow {
  const row = check(pairwise, record, ref);
  checkPromptMessages(row.prompt, "prompt", ref);
  const label =
    typeof row.label === "number"
      ? row.label
      : row.label === "tie"
        ? 0.5
        : row.label.toUpperCase() === "A"
          ? 1
          : 0;
  return {
    type: "pairwise",
    id: row.id === undefined ? `${ref.file}:${ref.line}` : String(row.id),
    prompt: typeof row.prompt === "string" ? [{ role: "user", content: row.prompt }] : row.prompt,
    responseA: row.response_a,
    responseB: row.response_b,
    label,
    ref,
  };
}
