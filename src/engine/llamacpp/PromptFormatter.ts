/**
 * Chat messages → prompt tokens with the model's own chat template, ending in an open assistant turn
 * (optionally with a forced start of the answer). Also resolves the extra tokens that end a turn.
 *
 * Rendering and tokenization are `model/tokenizer/promptTokens`, the one the trainer also uses: the
 * whole rendered string (prefix included) at once, as llama-server tokenizes it.
 */
import {
  type ChatWrapper,
  isLlamaText,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { UnsupportedError } from "../../errors.js";
import {
  type ChatRenderer,
  type ContinuationTokens,
  chatRenderer,
  continuationTokens,
  renderChatText,
  tokenizePromptText,
} from "../../model/tokenizer/promptTokens.js";
import type { ChatMessage } from "../../types.js";
import type { ChatFormat } from "./types.js";

export class PromptFormatter {
  readonly #model: LlamaModel;
  readonly #wrapper: ChatWrapper;
  readonly #render: ChatRenderer;
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
    this.#render = chatRenderer(model, resolved, () => wrapper);
    this.chatFormat = resolved;
    this.endTokens = this.#resolveEndTokens();
  }

  get wrapperName(): string {
    return this.#wrapper.wrapperName;
  }

  /** The rendered prompt, ending in an open assistant turn and the prefix. */
  text(messages: readonly ChatMessage[], assistantPrefix = ""): string {
    return renderChatText(this.#render, messages, { assistantPrefix });
  }

  format(messages: readonly ChatMessage[], assistantPrefix = ""): Token[] {
    return tokenizePromptText(this.#model, this.text(messages, assistantPrefix));
  }

  /** Prompt tokens and the first token of each candidate written after them. */
  continuations(
    messages: readonly ChatMessage[],
    assistantPrefix: string,
    candidates: readonly string[],
  ): ContinuationTokens {
    return continuationTokens(this.#model, this.text(messages, assistantPrefix), candidates);
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
