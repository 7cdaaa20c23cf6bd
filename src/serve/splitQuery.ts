/**
 * OpenRLHF sends `query` = the decoded prompt + response, special tokens kept (its remote RM
 * client), and usually `prompts` = the decoded prompt alone. A judge needs them apart, and needs
 * the prompt as chat messages rather than one templated string.
 *
 * The split point must never be something the policy wrote: a rollout can contain `<|im_end|>`, a
 * user turn and a fresh assistant header, and splitting at the last header would let it invent the
 * conversation and have only its final line judged. So:
 * - with a prompt, the response is the query after that prompt (compared with whitespace ignored,
 *   since decoding the prompt alone can space it differently); a prompt that does not start the
 *   query is a mismatch, not a cue to go looking for headers;
 * - without one, the prompt ends at the FIRST assistant header (ChatML or Llama 3): the dataset's
 *   prompt precedes anything the policy wrote, so the first header is the one the trainer's chat
 *   template opened the rollout with. Multi-turn prompts therefore need `prompts`.
 * Either way the response is judged as plain text, markup included; only trailing end-of-turn /
 * end-of-text tokens are cut. A ChatML or Llama-3 templated prompt is unwrapped into its messages;
 * any other prompt text is one user message.
 */
import type { ChatMessage, Role } from "../types.js";

export type QuerySplit =
  | { prompt: ChatMessage[]; response: string }
  /** No prompt was given and the query has no assistant header to split at. */
  | { failure: "no_assistant_header" }
  /** The given prompt does not start the query. */
  | { failure: "prompt_mismatch" };

const endTokens = [
  "<|im_end|>",
  "<|eot_id|>",
  "<|end_of_text|>",
  "<|endoftext|>",
  "</s>",
  "<eos>",
  "<end_of_turn>",
];
const assistantHeaders = ["<|im_start|>assistant\n", "<|start_header_id|>assistant<|end_header_id|>\n\n"];

export function splitQuery(query: string, prompt?: string): QuerySplit {
  let promptText: string;
  let response: string;
  if (prompt !== undefined && prompt.length > 0) {
    const end = endOfPrefix(query, prompt);
    if (end < 0) return { failure: "prompt_mismatch" };
    promptText = prompt;
    response = query.slice(end);
  } else {
    const at = firstAssistantHeaderEnd(query);
    if (at < 0) return { failure: "no_assistant_header" };
    promptText = query.slice(0, at);
    response = query.slice(at);
  }
  return { prompt: unwrapTemplate(promptText), response: trimEndTokens(response) };
}

function firstAssistantHeaderEnd(text: string): number {
  let end = -1;
  let start = Number.POSITIVE_INFINITY;
  for (const header of assistantHeaders) {
    const i = text.indexOf(header);
    if (i >= 0 && i < start) {
      start = i;
      end = i + header.length;
    }
  }
  return end;
}

/**
 * Where the query continues after `prompt`, or -1 when the prompt does not start it. Whitespace is
 * ignored on both sides (a tokenizer round trip can add or drop spaces), nothing else is.
 */
function endOfPrefix(query: string, prompt: string): number {
  if (query.startsWith(prompt)) return prompt.length;
  let q = 0;
  for (const c of prompt) {
    if (isSpace(c)) continue;
    while (q < query.length && isSpace(query[q]!)) q++;
    if (!query.startsWith(c, q)) return -1;
    q += c.length;
  }
  // The prompt's trailing whitespace (the newline after an assistant header) is the prompt's.
  if (prompt.length > 0 && isSpace(prompt.at(-1)!)) while (q < query.length && isSpace(query[q]!)) q++;
  return q;
}

function isSpace(c: string): boolean {
  return c.trim() === "";
}

/**
 * The text without trailing end tokens and whitespace. A loop rather than one anchored regex: a
 * `(…|\s)+$` pattern backtracks quadratically on long whitespace runs, and the text is untrusted.
 */
export function trimEndTokens(text: string): string {
  let end = text.length;
  for (;;) {
    while (end > 0 && isSpace(text[end - 1]!)) end--;
    const token = endTokens.find((t) => end >= t.length && text.startsWith(t, end - t.length));
    if (token === undefined) return text.slice(0, end);
    end -= token.length;
  }
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
