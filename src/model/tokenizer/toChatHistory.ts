/**
 * genrm chat messages → node-llama-cpp chat history. Shared by the embedded engine's prompt
 * formatter and the trainer's tokenizer, so inference and training render prompts identically.
 */
import type { ChatHistoryItem } from "node-llama-cpp";
import { InputError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";

export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  if (messages.length === 0) throw new InputError("a chat needs at least one message", { field: "messages" });
  return messages.map((m, i): ChatHistoryItem => {
    switch (m.role) {
      case "system":
        return { type: "system", text: m.content };
      case "user":
        return { type: "user", text: m.content };
      case "assistant":
        return { type: "model", response: [m.content] };
      default:
        throw new InputError("unknown role", {
          field: `messages[${i}].role`,
          expected: "system | user | assistant",
          got: String((m as { role: unknown }).role),
        });
    }
  });
}
