/**
 * The tokenizer surface the trainer's data encoding needs, over the model's own llama.cpp tokenizer
 * (`model/tokenizer`), so training sees token for token what the embedded engine evaluates: chat
 * prompts through the GGUF's template ending in an open assistant turn, a forced answer prefix
 * (`[[`) tokenized as its own segment, completions as text tokens plus the end-of-turn token.
 * Kept as a small interface so data tests can use a character-level stand-in.
 */

import { InputError } from "../../errors.js";
import { loadTokenizer, type Tokenizer } from "../../model/tokenizer/index.js";
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

export function asTrainTokenizer(tokenizer: Tokenizer): TrainTokenizer {
  return {
    vocabSize: tokenizer.vocabSize,
    endOfTurn: tokenizer.endOfTurn,
    eos: tokenizer.eos ?? tokenizer.endOfTurn,
    encodePrompt: (messages, assistantPrefix = "") => tokenizer.renderChat(messages, { assistantPrefix }),
    encodeCompletion: (text) => [...tokenizer.tokenize(text), tokenizer.endOfTurn],
    encodeText: (text, options = {}) => tokenizer.tokenize(text, { addBos: options.bos !== false }),
    firstToken(text) {
      const t = tokenizer.tokenize(text)[0];
      if (t === undefined)
        throw new InputError("empty text has no first token", { got: JSON.stringify(text) });
      return t;
    },
    dispose: () => tokenizer.dispose(),
  };
}

/** Loads the GGUF's tokenizer (vocabulary only) for training. */
export async function openTrainTokenizer(ggufPath: string): Promise<TrainTokenizer> {
  return asTrainTokenizer(await loadTokenizer(ggufPath));
}
