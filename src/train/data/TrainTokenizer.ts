/**
 * The tokenizer the trainer needs: llama.cpp's own (through node-llama-cpp), loaded vocabulary-only
 * from the GGUF being trained, so training sees exactly the tokens the embedded engine evaluates.
 *
 * Chat prompts are rendered with the model's Jinja chat template ending in an open assistant turn,
 * and a forced answer prefix (`[[`) is tokenized as its own segment: the same split the llama.cpp
 * engine uses (`engine/llamacpp/PromptFormatter`), so a verdict trained after `[[` is read back at
 * the same position. A completion is its text's tokens followed by the end-of-turn token, which is
 * what makes generation stop there.
 *
 * The model helper's `src/model/tokenizer/` will own this; until it lands, this wrapper is the one
 * place the trainer touches node-llama-cpp.
 */
import type { ChatHistoryItem, ChatWrapper, Llama } from "node-llama-cpp";
import { InputError, UnsupportedError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";

export interface TrainTokenizer {
  /** Vocabulary size of the tokenizer (ids are below it). */
  readonly vocabSize: number;
  /** Token that ends an assistant turn (`<|im_end|>` for ChatML), else end of sequence. */
  readonly endOfTurn: number;
  /** End of sequence (documents in the standard, non-chat format). */
  readonly eos: number;
  /** Chat-template prompt ending in an open assistant turn, plus `assistantPrefix` tokenized on its own. */
  encodePrompt(messages: readonly ChatMessage[], assistantPrefix?: string): number[];
  /** An assistant reply: its text's tokens, then `endOfTurn`. */
  encodeCompletion(text: string): number[];
  /** Plain text, special-token strings left as text; BOS first when the vocabulary asks and `bos`. */
  encodeText(text: string, options?: { bos?: boolean }): number[];
  /** The first token of `text` (a verdict letter), as the engine reads candidates. */
  firstToken(text: string): number;
  dispose(): Promise<void>;
}

let llamaPromise: Promise<Llama> | null = null;

async function sharedLlama(): Promise<Llama> {
  if (llamaPromise === null) {
    llamaPromise = import("node-llama-cpp").then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu: false, logLevel: LlamaLogLevel.error, maxThreads: 1 }),
    );
  }
  return llamaPromise;
}

export async function openTrainTokenizer(ggufPath: string): Promise<TrainTokenizer> {
  const { resolveChatWrapper, LlamaText } = await import("node-llama-cpp");
  const llama = await sharedLlama();
  const model = await llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  let wrapper: ChatWrapper | null = null;
  const chatWrapper = (): ChatWrapper => {
    if (wrapper !== null) return wrapper;
    wrapper = resolveChatWrapper(model, {
      type: typeof template === "string" && template !== "" ? "jinjaTemplate" : "auto",
      fallbackToOtherWrappersOnJinjaError: false,
      warningLogs: false,
    });
    if (!wrapper) {
      throw new UnsupportedError(`${ggufPath} has no chat template`, {
        hint: "use the standard (plain text) row format: prompt and completion as strings",
      });
    }
    return wrapper;
  };
  const eos = model.tokens.eos ?? model.tokens.eot;
  const endOfTurn = model.tokens.eot ?? model.tokens.eos;
  if (eos === null || endOfTurn === null) {
    throw new UnsupportedError(`${ggufPath}: the vocabulary has no end-of-sequence token`);
  }
  const bosFirst = (tokens: number[]): number[] => {
    const bos = model.tokens.bos;
    if (model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  };
  const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;

  return {
    vocabSize,
    eos,
    endOfTurn,
    encodePrompt(messages, assistantPrefix = "") {
      const history: ChatHistoryItem[] = messages.map((m, i) => {
        if (m.role === "system") return { type: "system", text: m.content };
        if (m.role === "user") return { type: "user", text: m.content };
        if (m.role === "assistant") return { type: "model", response: [m.content] };
        throw new InputError("unknown role", {
          field: `[${i}].role`,
          expected: "system | user | assistant",
          got: String((m as { role: unknown }).role),
        });
      });
      history.push({ type: "model", response: [] });
      const { contextText } = chatWrapper().generateContextState({ chatHistory: history });
      const text = assistantPrefix === "" ? contextText : LlamaText([contextText, assistantPrefix]);
      return bosFirst([...text.tokenize(model.tokenizer)]);
    },
    encodeCompletion(text) {
      return [...model.tokenize(text, false), endOfTurn];
    },
    encodeText(text, options = {}) {
      const tokens = [...model.tokenize(text, false)];
      return options.bos === false ? tokens : bosFirst(tokens);
    },
    firstToken(text) {
      const t = model.tokenize(text, false)[0];
      if (t === undefined)
        throw new InputError("empty text has no first token", { got: JSON.stringify(text) });
      return t;
    },
    async dispose() {
      await model.dispose();
    },
  };
}
