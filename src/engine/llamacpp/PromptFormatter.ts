/**
 * Chat messages → prompt tokens with the model's own chat template, ending in an open assistant turn
 * (optionally with a forced start of the answer). Also resolves the extra tokens that end a turn.
 *
 * The assistant prefix is a separate text segment, so it is tokenized on its own: the tokens before it
 * are the same with and without a prefix, and prompts that differ only in their prefix share a KV
 * prefix.
 */
import {
  type ChatWrapper,
  isLlamaText,
  type LlamaModel,
  LlamaText,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { UnsupportedError } from "../../errors.js";
import { toChatHistory } from "../../model/tokenizer/toChatHistory.js";
import type { ChatMessage } from "../../types.js";
import type { ChatFormat } from "./types.js";

export class PromptFormatter {
  readonly #model: LlamaModel;
  readonly #wrapper: ChatWrapper;
  /** Single tokens that end the assistant turn besides the model's EOG tokens (e.g. ChatML's `<|im_end|>`). */
  readonly endTokens: ReadonlySet<Token>;
  /** The format in use after defaults. */
  readonly chatFormat: ChatFormat;

  constructor(model: LlamaModel, format: ChatFormat | undefined) {
    this.#model = model;
    const template = model.fileInfo.metadata?.tokenizer?.chat_template;
    const resolved = format ?? (typeof template === "string" && template !== "" ? "jinja" : "auto");
    if (resolved === "jinja" && (typeof template !== "string" || template === "")) {
      throw new UnsupportedError(
        `${model.filename ?? "the model"} has no chat template (tokenizer.chat_template)`,
        {
          hint: 'use chatFormat: "auto" to let node-llama-cpp pick a format',
        },
      );
    }
    const wrapper = resolveChatWrapper(model, {
      type: resolved === "jinja" ? "jinjaTemplate" : "auto",
      fallbackToOtherWrappersOnJinjaError: resolved !== "jinja",
      warningLogs: false,
    });
    if (!wrapper) throw new UnsupportedError(`no chat format found for ${model.filename ?? "the model"}`);
    this.#wrapper = wrapper;
    this.chatFormat = resolved;
    this.endTokens = this.#resolveEndTokens();
  }

  get wrapperName(): string {
    return this.#wrapper.wrapperName;
  }

  format(messages: readonly ChatMessage[], assistantPrefix = ""): Token[] {
    const history = toChatHistory(messages);
    // An open model turn: the wrapper renders the assistant header and leaves the turn unterminated.
    history.push({ type: "model", response: [] });
    const { contextText } = this.#wrapper.generateContextState({ chatHistory: history });
    const text = assistantPrefix === "" ? contextText : LlamaText([contextText, assistantPrefix]);
    const tokens = text.tokenize(this.#model.tokenizer);
    const bos = this.#model.tokens.bos;
    // llama-server tokenizes the rendered template with add_special, so BOS comes first when the
    // vocabulary asks for it; templates that already emit it are left alone.
    if (this.#model.tokens.shouldPrependBosToken && bos != null && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  }

  #resolveEndTokens(): Set<Token> {
    const end = new Set<Token>();
    for (const t of [this.#model.tokens.eos, this.#model.tokens.eot]) if (t != null) end.add(t);
    const { stopGenerationTriggers } = this.#wrapper.generateContextState({
      chatHistory: [
        { type: "user", text: "" },
        { type: "model", response: [] },
      ],
    });
    for (const trigger of stopGenerationTriggers) {
      if (!isLlamaText(trigger)) continue;
      const tokens = trigger.tokenize(this.#model.tokenizer);
      // A trigger that starts with a special token (ChatML's "<|im_end|>\n") is matched by that
      // token's id: a sample that emits it has ended its turn, whatever would follow.
      if (tokens.length > 0 && this.#model.isSpecialToken(tokens[0])) end.add(tokens[0]!);
    }
    return end;
  }
}
