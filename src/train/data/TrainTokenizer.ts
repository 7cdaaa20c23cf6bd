/**
 * The tokenizer surface the trainer's data encoding needs, over the model's own llama.cpp tokenizer
 * (`model/tokenizer`), so training sees token for token what the embedded engine evaluates and what
 * llama-server would: chat prompts through the GGUF's template ending in an open assistant turn and
 * a forced answer prefix (`[[`), the whole string tokenized at once; a reply tokenized together with
 * its prompt, then the end-of-turn token; the verdict letter as the token the model writes after the
 * prefix (`model/tokenizer/promptTokens`). Kept as a small interface so data tests can use a
 * character-level stand-in.
 */

import { loadTokenizer, type Tokenizer } from "../../model/tokenizer/index.js";
import type { ChatMessage } from "../../types.js";

export interface TrainTokenizer {
  /** Vocabulary size of the tokenizer (ids are below it). */
  readonly vocabSize: number;
  /** Token that ends an assistant turn (`<|im_end|>` for ChatML), else end of sequence. */
  readonly endOfTurn: number;
  /** End of sequence (documents in the standard, non-chat format). */
  readonly eos: number;
  /** Chat-template prompt ending in an open assistant turn and `assistantPrefix`. */
  encodePrompt(messages: readonly ChatMessage[], assistantPrefix?: string): number[];
  /**
   * Prompt (open assistant turn) then the reply, tokenized as one string, then `endOfTurn`;
   * `promptLength` tokens belong to the prompt, the rest (the loss's span) to the reply.
   */
  encodeChat(
    messages: readonly ChatMessage[],
    completion: string,
  ): { tokens: number[]; promptLength: number };
  /** Plain text, special-token strings left as text; BOS first when the vocabulary asks and `bos`. */
  encodeText(text: string, options?: { bos?: boolean }): number[];
  /**
   * The prompt (open assistant turn + `assistantPrefix`) and, for each letter, the token the model
   * writes for it right after the prefix: the token the engine's verdict read-out reads.
   */
  encodeVerdict(
    messages: readonly ChatMessage[],
    assistantPrefix: string,
    letters: readonly string[],
  ): { prompt: number[]; letters: number[] };
  dispose(): Promise<void>;
}

export function asTrainTokenizer(tokenizer: Tokenizer): TrainTokenizer {
  return {
    vocabSize: tokenizer.vocabSize,
    endOfTurn: tokenizer.endOfTurn,
    eos: tokenizer.eos ?? tokenizer.endOfTurn,
    encodePrompt: (messages, assistantPrefix = "") => tokenizer.renderChat(messages, { assistantPrefix }),
    encodeChat: (messages, completion) => tokenizer.renderCompletion(messages, completion),
    encodeText: (text, options = {}) => tokenizer.tokenize(text, { addBos: options.bos !== false }),
    encodeVerdict(messages, assistantPrefix, letters) {
      const { prompt, first } = tokenizer.continuations(messages, assistantPrefix, letters);
      return { prompt, letters: first };
    },
    dispose: () => tokenizer.dispose(),
  };
}

/** Loads the GGUF's tokenizer (vocabulary only) for training. */
export async function openTrainTokenizer(ggufPath: string): Promise<TrainTokenizer> {
  return asTrainTokenizer(await loadTokenizer(ggufPath));
}
