/**
 * OpenRLHF sends `query` = the decoded prompt + response, special tokens kept (its remote RM
 * client), and usually `prompts` = the decoded prompt alone. A judge needs them apart, and needs
 * the prompt as chat messages rather than one templated string:
 * - the response is the query after the prompt, or, without a prompt, the text after the last
 *   assistant header of a ChatML or Llama-3 template;
 * - trailing end-of-turn / end-of-text tokens are cut from the response;
 * - a ChatML or Llama-3 templated prompt is unwrapped into its messages; any other prompt text is
 *   one user message.
 * Null when the query cannot be split (no prompt given and no template marker found).
 */
import type { ChatMessage, Role } from "../types.js";

const endTokens =
  /(?:<\|im_end\|>|<\|eot_id\|>|<\|end_of_text\|>|<\|endoftext\|>|<\/s>|<eos>|<end_of_turn>|\s)+$/;
const assistantHeaders = ["<|im_start|>assistant\n", "<|start_header_id|>assistant<|end_header_id|>\n\n"];

export function splitQuery(
  query: string,
  prompt?: string,
): { prompt: ChatMessage[]; response: string } | null {
  let promptText: string;
  let response: string;
  if (prompt !== undefined && prompt.length > 0 && query.startsWith(prompt)) {
    promptText = prompt;
    response = query.slice(prompt.length);
  } else {
    let at = -1;
    for (const header of assistantHeaders) {
      const i = query.lastIndexOf(header);
      if (i >= 0) at = Math.max(at, i + header.length);
    }
    if (at < 0) {
      if (prompt === undefined || prompt.length === 0) return null;
      // The prompt is not a prefix (e.g. re-tokenised whitespace): trust the caller's prompt.
      promptText = prompt;
      response = query;
    } else {
      promptText = query.slice(0, at);
      response = query.slice(at);
    }
  }
  return { prompt: unwrapTemplate(promptText), response: response.replace(endTokens, "") };
}

/** Messages of a ChatML or Llama-3 templated prompt; other text becomes one user message. */
export function unwrapTemplate(text: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const chatml = /<\|im_start\|>(system|user|assistant)\n([\s\S]*?)(?:<\|im_end\|>|$)/g;
  const llama3 =
    /<\|start_header_id\|>(system|user|assistant)<\|end_header_id\|>\n\n([\s\S]*?)(?:<\|eot_id\|>|$)/g;
  for (const pattern of [chatml, llama3]) {
    for (const m of text.matchAll(pattern)) messages.push({ role: m[1] as Role, content: m[2].trim() });
    if (messages.length > 0) break;
  }
  // The template's trailing assistant header opens the response; it is not a message.
  while (messages.length > 0 && messages.at(-1)!.role === "assistant" && messages.at(-1)!.content === "") {
    messages.pop();
  }
  if (messages.length > 0 && messages.at(-1)!.role === "user") return messages;
  const plain = text.replace(/<\|[^|>]*\|>|<\/?s>/g, "").trim();
  return [{ role: "user", content: plain.length > 0 ? plain : text }];
}
