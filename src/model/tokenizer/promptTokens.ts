/**
 * The one tokenization of chat prompts genrm uses everywhere (embedded engine, trainer, verdict
 * read-out, heads), equal to llama-server's for the same model and messages:
 *
 * - the chat is rendered to one string with the GGUF's Jinja template as llama-server renders it
 *   (`renderJinjaChat`), the forced assistant prefix (`[[`) appended to the text as llama-server
 *   appends a prefilled assistant message (`continue_final_message`); models without a template use
 *   node-llama-cpp's chat wrapper, special tokens written as their text;
 * - that string is tokenized at once, special-token text parsed, BOS first when the vocabulary asks
 *   for it and a template-emitted leading BOS dropped, as llama-server does (llama.cpp
 *   `common_chat_template_direct_apply_impl` strips the template's leading `bos_token` when
 *   `add_bos`, then `tokenize_mixed(vocab, prompt, add_special = true, parse_special = true)`;
 *   tools/server at 80fb11ac73e66d89eae2c6a91d8a77428fa733ed).
 *
 * Tokenizing the rendered chat in pieces (node-llama-cpp's `LlamaText.tokenize`) differs on
 * SentencePiece vocabularies: each piece gets its own leading-space handling, so a Llama 2 judge
 * prompt gains lone `▁` tokens and `[[` becomes `▁`,`[[` where llama-server has `][`,`[`.
 *
 * A continuation (a verdict letter after `[[`) is read the same way: the token the model would write
 * is the first token by which the whole string prompt + continuation extends the prompt's tokens,
 * not the continuation tokenized alone (on SentencePiece vocabularies "A" alone is `▁A`).
 */
import {
  type ChatHistoryItem,
  type ChatWrapper,
  isLlamaText,
  type LlamaModel,
  type LlamaText,
  SpecialToken,
  SpecialTokensText,
  type Token,
} from "node-llama-cpp";
import { InputError, UnsupportedError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";
import { compileJinjaChatTemplate } from "./renderJinjaChat.js";
import { toChatHistory } from "./toChatHistory.js";

export interface ChatTextOptions {
  /** End with an open assistant turn. Defaults to true. */
  addGenerationPrompt?: boolean;
  /** Forced start of the answer, appended to the rendered text. Defaults to "". */
  assistantPrefix?: string;
}

/** Messages -> the rendered chat as one string; `addGenerationPrompt` opens the assistant turn. */
export type ChatRenderer = (messages: readonly ChatMessage[], addGenerationPrompt: boolean) => string;

/**
 * The renderer for a format: "jinja" renders the GGUF's `tokenizer.chat_template` as llama-server
 * does; "auto" uses the node-llama-cpp chat wrapper it resolves (models without a template).
 */
export function chatRenderer(
  model: LlamaModel,
  format: "jinja" | "auto",
  wrapper: () => ChatWrapper,
): ChatRenderer {
  const source = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (format === "jinja" && typeof source === "string" && source !== "") {
    const template = compileJinjaChatTemplate(source, {
      bos: model.tokens.bosString ?? "",
      eos: model.tokens.eosString ?? "",
    });
    return (messages, addGenerationPrompt) => template.render(messages, addGenerationPrompt);
  }
  return (messages, addGenerationPrompt) => {
    const history: ChatHistoryItem[] = toChatHistory(messages);
    // An open model turn: the wrapper renders the assistant header and leaves the turn unterminated.
    if (addGenerationPrompt) history.push({ type: "model", response: [] });
    const { contextText } = wrapper().generateContextState({ chatHistory: history });
    return llamaTextToString(model, contextText);
  };
}

/** The chat rendered as one string, then the forced prefix. */
export function renderChatText(
  render: ChatRenderer,
  messages: readonly ChatMessage[],
  options: ChatTextOptions = {},
): string {
  const { addGenerationPrompt = true, assistantPrefix = "" } = options;
  if (!addGenerationPrompt && assistantPrefix !== "") {
    throw new InputError("assistantPrefix needs addGenerationPrompt", { field: "assistantPrefix" });
  }
  if (messages.length === 0) throw new InputError("a chat needs at least one message", { field: "messages" });
  if (assistantPrefix === "") return render(messages, addGenerationPrompt);
  // llama-server continues a prefilled assistant message as: the chat rendered without the
  // generation prompt, then the generation prompt as the text by which rendering with it differs
  // (from the first differing character), then the prefix (common/chat.cpp
  // `common_chat_template_generation_prompt_impl`, chat-auto-parser-generator.cpp `generate_parser`).
  // For most templates this is the chat with its generation prompt plus the prefix; a template that
  // ends a closed chat with EOS (Phi-3) keeps that EOS before the assistant header.
  const closed = render(messages, false);
  const open = render(messages, true);
  let common = 0;
  while (common < closed.length && common < open.length && closed[common] === open[common]) common++;
  return closed + open.slice(common) + assistantPrefix;
}

/** llama-server's tokens for a rendered prompt: the whole string, special text parsed, BOS as it adds it. */
export function tokenizePromptText(model: LlamaModel, text: string): Token[] {
  const bos = model.tokens.bos;
  const addBos = model.tokens.shouldPrependBosToken && bos !== null;
  const bosText = addBos ? model.tokens.bosString : null;
  const body = bosText && text.startsWith(bosText) ? text.slice(bosText.length) : text;
  const tokens = [...model.tokenize(body, true)];
  if (addBos) tokens.unshift(bos);
  return tokens;
}

export interface ContinuationTokens {
  /** The prompt's tokens (`tokenizePromptText(model, promptText)`). */
  prompt: Token[];
  /** For each continuation, the first token it adds after the prompt's tokens. */
  first: Token[];
}

/**
 * The token each continuation starts with when written after `promptText`: tokenize prompt +
 * continuation as one string and take the first token past the prompt's own tokens. A continuation
 * that merges with the end of the prompt (its tokens do not extend the prompt's) has no such token on
 * this vocabulary: an UnsupportedError naming both, rather than a read-out of an unrelated token.
 */
export function continuationTokens(
  model: LlamaModel,
  promptText: string,
  continuations: readonly string[],
): ContinuationTokens {
  const prompt = tokenizePromptText(model, promptText);
  const first = continuations.map((c, i) => {
    if (c === "") throw new InputError("empty continuation", { field: `candidates[${i}]`, got: '""' });
    const whole = tokenizePromptText(model, promptText + c);
    const extends_ = whole.length > prompt.length && prompt.every((t, j) => whole[j] === t);
    if (!extends_) {
      const tail = JSON.stringify(promptText.slice(-12));
      throw new UnsupportedError(
        `on this vocabulary ${JSON.stringify(c)} merges with the end of the prompt (${tail}) into other tokens, so no token starts it there`,
        { hint: "use a judge template whose assistant prefix ends where a token boundary is (e.g. `[[`)" },
      );
    }
    return whole[prompt.length]!;
  });
  return { prompt, first };
}

function llamaTextToString(model: LlamaModel, text: LlamaText): string {
  let out = "";
  for (const value of text.values) {
    if (typeof value === "string") out += value;
    else if (value instanceof SpecialTokensText) out += value.value;
    else if (value instanceof SpecialToken) out += specialTokenText(model, value);
    else if (isLlamaText(value)) out += llamaTextToString(model, value);
  }
  return out;
}

function specialTokenText(model: LlamaModel, token: SpecialToken): string {
  const t = model.tokens;
  const text = { BOS: t.bosString, EOS: t.eosString, EOT: t.eotString, NL: t.nlString, SEP: t.sepString }[
    token.value
  ];
  if (text == null) {
    throw new UnsupportedError(`the chat template uses ${token.value}, which this vocabulary does not have`);
  }
  return text;
}
