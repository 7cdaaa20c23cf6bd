/**
 * Identity of the prompt a judge sample answered: the rendered judge messages and the forced
 * assistant prefix, before any chat template (which the model id already names). Stored with each
 * sample, printed by `genrm judge --show-prompt` and written by `genrm eval --dump-prompts`, so a
 * sample can be traced to the exact prompt it was drawn for.
 */
import { createHash } from "node:crypto";
import type { ChatMessage } from "../types.js";

export function promptHash(prompt: { messages: readonly ChatMessage[]; assistantPrefix?: string }): string {
  const canonical = JSON.stringify({
    messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
    assistantPrefix: prompt.assistantPrefix ?? "",
  });
  return `sha256:${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}
