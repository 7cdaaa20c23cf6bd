/**
 * The GGUF's own tokenizer for training: llama.cpp's (through node-llama-cpp, the model loaded
 * vocabulary-only), so the trainer sees token for token what the embedded engine evaluates.
 *
 * Chat prompts are rendered and tokenized by `promptTokens`, the module the embedded engine's prompt
 * formatter also uses, so both produce llama-server's ids: the GGUF's Jinja chat template when it
 * has one (node-llama-cpp's "auto" would pick a built-in wrapper that, for ChatML, also inserts
 * BOS), an open assistant turn at the end, an optional forced answer prefix appended to the text,
 * and the whole string tokenized at once with BOS as the vocabulary asks.
 *
 * Completions for training are the prompt text plus the completion text tokenized as one string,
 * followed by the end-of-turn token (EOT, else EOS): the token whose sampling ends a turn in the
 * engine, so the loss teaches the model where to stop. The prompt ends where the whole string's
 * tokens leave the prompt's own tokens (a token merging across the boundary belongs to the
 * completion).
 */
import {
  type ChatWrapper,
  getLlama,
  type Llama,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { DisposedError, UnsupportedError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";
import {
  type ChatRenderer,
  type ContinuationTokens,
  chatRenderer,
  continuationTokens,
  renderChatText,
  tokenizePromptText,
} from "./promptTokens.js";

export interface TokenizeOptions {
  /** Parse special-token text (`<|im_start|>`) as the special token. Defaults to false. */
  specialTokens?: boolean;
  /** Put BOS first when the vocabulary asks for it (`addBos`). Defaults to false. */
  addBos?: boolean;
}

export interface RenderChatOptions {
  /**
   * End with an open assistant turn (the header the model completes). When false, the messages are
   * rendered as a finished conversation, each turn closed as the template closes it. Defaults to true.
   */
  addGenerationPrompt?: boolean;
  /** Forced start of the answer (`[[`), appended to the rendered text. Defaults to "". */
  assistantPrefix?: string;
}

export interface RenderedCompletion {
  /** Prompt tokens, then the completion's tokens and the end-of-turn token. */
  tokens: number[];
  /** Tokens before the completion: loss masks cover [promptLength, tokens.length). */
  promptLength: number;
}

export interface Tokenizer {
  readonly path: string;
  /** Vocabulary size V; every id is below it. */
  readonly vocabSize: number;
  readonly bos: number | null;
  readonly eos: number | null;
  readonly eot: number | null;
  /** The token that ends an assistant turn: EOT, else EOS. */
  readonly endOfTurn: number;
  /** Whether the vocabulary asks for BOS at the start of a sequence. */
  readonly addBos: boolean;
  /** The chat format in use: "jinja" (the GGUF's template) or node-llama-cpp's wrapper name. */
  readonly chatFormat: string;
  readonly disposed: boolean;
  tokenize(text: string, options?: TokenizeOptions): number[];
  /** Special tokens are rendered as their text when `specialTokens` (default true). */
  detokenize(tokens: readonly number[], options?: { specialTokens?: boolean }): string;
  /** Messages through the chat template -> the prompt as one string (special tokens as text). */
  renderChatText(messages: readonly ChatMessage[], options?: RenderChatOptions): string;
  /** Messages through the chat template -> prompt tokens (llama-server's ids). */
  renderChat(messages: readonly ChatMessage[], options?: RenderChatOptions): number[];
  /**
   * Prompt tokens (open assistant turn + prefix) and the first token of each continuation written
   * after them, as the engine reads verdict candidates: `[[` then "A" / "B".
   */
  continuations(
    messages: readonly ChatMessage[],
    assistantPrefix: string,
    continuations: readonly string[],
  ): ContinuationTokens;
  /** A training example: prompt (with generation prompt and prefix) + completion + end-of-turn. */
  renderCompletion(
    messages: readonly ChatMessage[],
    completion: string,
    options?: { assistantPrefix?: string },
  ): RenderedCompletion;
  isSpecialToken(token: number): boolean;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface LoadTokenizerOptions {
  /**
   * "jinja": the GGUF's `tokenizer.chat_template` (an UnsupportedError when it has none); "auto":
   * node-llama-cpp's choice. Must match the engine's `chatFormat`. Defaults to "jinja" when the
   * GGUF has a template, else "auto".
   */
  chatFormat?: "jinja" | "auto";
  /** A Llama instance to load into. Defaults to one shared CPU instance. */
  llama?: Llama;
}

let sharedLlama: Promise<Llama> | null = null;

function defaultLlama(): Promise<Llama> {
  sharedLlama ??= getLlama({ gpu: false, logLevel: LlamaLogLevel.error, maxThreads: 1 });
  return sharedLlama;
}

export async function loadTokenizer(
  ggufPath: string,
  options: LoadTokenizerOptions = {},
): Promise<Tokenizer> {
  const llama = options.llama ?? (await defaultLlama());
  const model = await llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
  try {
    return new LlamaCppTokenizer(ggufPath, model, options.chatFormat);
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

class LlamaCppTokenizer implements Tokenizer {
  readonly path: string;
  readonly vocabSize: number;
  readonly bos: number | null;
  readonly eos: number | null;
  readonly eot: number | null;
  readonly endOfTurn: number;
  readonly addBos: boolean;
  readonly chatFormat: string;
  readonly #model: LlamaModel;
  readonly #format: "jinja" | "auto";
  #wrapper: ChatWrapper | null = null;
  #render: ChatRenderer | null = null;

  constructor(path: string, model: LlamaModel, format: "jinja" | "auto" | undefined) {
    this.path = path;
    this.#model = model;
    const template = model.fileInfo.metadata?.tokenizer?.chat_template;
    const hasTemplate = typeof template === "string" && template !== "";
    this.#format = format ?? (hasTemplate ? "jinja" : "auto");
    if (this.#format === "jinja" && !hasTemplate) {
      throw new UnsupportedError(`${path} has no chat template (tokenizer.chat_template)`, {
        hint: 'use chatFormat: "auto" to let node-llama-cpp pick a format',
      });
    }
    this.chatFormat = this.#format;
    this.vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;
    this.bos = model.tokens.bos;
    this.eos = model.tokens.eos;
    this.eot = model.tokens.eot;
    const end = this.eot ?? this.eos;
    if (end === null) throw new UnsupportedError(`${path}: the vocabulary has no EOT or EOS token`);
    this.endOfTurn = end;
    this.addBos = model.tokens.shouldPrependBosToken;
  }

  get disposed(): boolean {
    return this.#model.disposed;
  }

  #live(): LlamaModel {
    if (this.#model.disposed) throw new DisposedError(`tokenizer ${this.path}`);
    return this.#model;
  }

  /** Resolved on first chat use, so plain-text users need no template. */
  #chatWrapper(): ChatWrapper {
    if (this.#wrapper !== null) return this.#wrapper;
    const wrapper = resolveChatWrapper(this.#live(), {
      type: this.#format === "jinja" ? "jinjaTemplate" : "auto",
      fallbackToOtherWrappersOnJinjaError: this.#format !== "jinja",
      warningLogs: false,
    });
    if (!wrapper) throw new UnsupportedError(`no chat format found for ${this.path}`);
    this.#wrapper = wrapper;
    return wrapper;
  }

  #withBos(tokens: number[]): number[] {
    if (this.addBos && this.bos !== null && tokens[0] !== this.bos) tokens.unshift(this.bos);
    return tokens;
  }

  tokenize(text: string, options: TokenizeOptions = {}): number[] {
    const { specialTokens = false, addBos = false } = options;
    const tokens = [...this.#live().tokenize(text, specialTokens)];
    return addBos ? this.#withBos(tokens) : tokens;
  }

  detokenize(tokens: readonly number[], options: { specialTokens?: boolean } = {}): string {
    const { specialTokens = true } = options;
    return this.#live().detokenize(tokens as Token[], specialTokens);
  }

  renderChatText(messages: readonly ChatMessage[], options: RenderChatOptions = {}): string {
    this.#render ??= chatRenderer(this.#live(), this.#format, () => this.#chatWrapper());
    return renderChatText(this.#render, messages, options);
  }

  renderChat(messages: readonly ChatMessage[], options: RenderChatOptions = {}): number[] {
    return tokenizePromptText(this.#live(), this.renderChatText(messages, options));
  }

  continuations(
    messages: readonly ChatMessage[],
    assistantPrefix: string,
    continuations: readonly string[],
  ): ContinuationTokens {
    const text = this.renderChatText(messages, { assistantPrefix });
    return continuationTokens(this.#live(), text, continuations);
  }

  renderCompletion(
    messages: readonly ChatMessage[],
    completion: string,
    options: { assistantPrefix?: string } = {},
  ): RenderedCompletion {
    const model = this.#live();
    const promptText = this.renderChatText(messages, { assistantPrefix: options.assistantPrefix });
    const prompt = tokenizePromptText(model, promptText);
    const whole = tokenizePromptText(model, promptText + completion);
    let promptLength = 0;
    while (promptLength < prompt.length && whole[promptLength] === prompt[promptLength]) promptLength++;
    return { tokens: [...whole, this.endOfTurn], promptLength };
  }

  isSpecialToken(token: number): boolean {
    return this.#live().isSpecialToken(token as Token);
  }

  async dispose(): Promise<void> {
    await this.#model.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
