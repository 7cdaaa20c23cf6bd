/**
 * A character-level stand-in for llama.cpp's tokenizer, so data tests run without loading a
 * model: one token per UTF-16 unit (code + 10), chat turns rendered as `<role>` markers.
 */
import type { TrainTokenizer } from "../../../src/train/data/index.js";

export const BOS = 1;
export const EOT = 2;
export const EOS = 3;
const ROLE = { system: 4, user: 5, assistant: 6 } as const;

const chars = (s: string) => [...s].map((c) => c.charCodeAt(0) + 10);

export function fakeTokenizer(): TrainTokenizer {
  return {
    vocabSize: 256,
    eos: EOS,
    endOfTurn: EOT,
    encodePrompt(messages, prefix = "") {
      const out = [BOS];
      for (const m of messages) out.push(ROLE[m.role], ...chars(m.content), EOT);
      out.push(ROLE.assistant, ...chars(prefix));
      return out;
    },
    encodeChat(messages, completion) {
      const prompt = this.encodePrompt(messages);
      return { tokens: [...prompt, ...chars(completion), EOT], promptLength: prompt.length };
    },
    encodeText: (text, o = {}) => (o.bos === false ? chars(text) : [BOS, ...chars(text)]),
    encodeVerdict(messages, prefix, letters) {
      return { prompt: this.encodePrompt(messages, prefix), letters: letters.map((l) => chars(l)[0]!) };
    },
    async dispose() {},
  };
}

export function detok(tokens: ArrayLike<number>): string {
  return Array.from(tokens, (t) => (t >= 10 ? String.fromCharCode(t - 10) : `<${t}>`)).join("");
}
