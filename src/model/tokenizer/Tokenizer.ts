/**
 * The GGUF's own tokenizer for training: llama.cpp's (through node-llama-cpp, the model loaded
 * vocabulary-only), so the trainer sees token for token what the embedded engine evaluates.
 *
 * Chat rendering follows the llama.cpp engine's prompt formatter (`engine/llamacpp/PromptFormatter`)
 * rule for rule: the GGUF's Jinja chat template when it has one (node-llama-cpp's "auto" would pick
 * a built-in wrapper that, for ChatML, also inserts BOS), an open assistant turn at the end, an
 * optional forced answer prefix tokenized as its own segment, and BOS first only when the vocabulary
 * asks for it (`tokenizer.ggml.add_bos_token`) and the template did not already emit it.
 *
 * Completions for training are the completion text's tokens followed by the end-of-turn token
 * (EOT, else EOS): the token whose sampling ends a turn in the engine, so the loss teaches the model
 * where to stop. Tokenizing prompt and completion separately is exact for the boundary: the prompt
 * ends in a template segment (the assistant header) or a separately tokenized prefix, which the
 * engine also never merges with what the model generates.
 */
import {
  type ChatWrapper,
  getLlama,
  type Llama,
  LlamaLogLevel,
  type LlamaModel,
  LlamaText,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { DisposedError, InputError, UnsupportedError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";
import { toChatHistory } from "./toChatHistory.js";

export interface TokenizeOptions {
  /** Parse special-token text (`<|im_start|>`) as the special token. Defaults to false. */
  specialTokens?: boolean;
  /** Put BOS first when the vocabulary asks for it (`addBos`). Defaults to false. */
  addBos?: boolean;
}

export interface RenderChatOptions {
  /**
   * End with an open assistant turn (the header the model completes). When false, the messages are
   * rendered as a finished conversation; a final assistant message is then left unterminated, as
   * node-llama-cpp renders the turn being generated. Defaults to true.
   */
  addGenerationPrompt?: boolean;
  /** Forced start of the answer (`[[`), tokenized on its own after the header. Defaults to "". */
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
  /** Messages through the chat template -> prompt tokens. */
  renderChat(messages: readonly ChatMessage[], options?: RenderChatOptions): number[];
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

  renderChat(messages: readonly ChatMessage[], options: RenderChatOptions = {}): number[] {
    const { addGenerationPrompt = true, assistantPrefix = "" } = options;
    if (!addGenerationPrompt && assistantPrefix !== "") {
      throw new InputError("assistantPrefix needs addGenerationPrompt", { field: "assistantPrefix" });
    }
    const history = toChatHistory(messages);
    if (addGenerationPrompt) history.push({ type: "model", response: [] });
    const { contextText } = this.#chatWrapper().generateContextState({ chatHistory: history });
    const text = assistantPrefix === "" ? contextText : LlamaText([contextText, assistantPrefix]);
    return this.#withBos([...text.tokenize(this.#live().tokenizer)]);
  }

  renderCompletion(
    messages: readonly ChatMessage[],
    completion: string,
    options: { assistantPrefix?: string } = {},
  ): RenderedCompletion {
    const prompt = this.renderChat(messages, {
      addGenerationPrompt: true,
      assistantPrefix: options.assistantPrefix,
    });
    const tokens = [...prompt, ...this.tokenize(completion), this.endOfTurn];
    return { tokens, promptLength: prompt.length };
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
