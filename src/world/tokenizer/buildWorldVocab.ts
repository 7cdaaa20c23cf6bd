/**
 * The mini world's tokenizer: a GPT-2 style byte-level BPE (the learner of the tiny models, in
 * `model/tiny/byteBpeVocab.ts`) whose merges are learned from the world's own pretraining
 * corpus, so each number, operator run and template word is one or two tokens and a judge
 * transcript is ~100 tokens. ChatML control tokens (`<|endoftext|>`, `<|im_start|>`, `<|im_end|>`)
 * are ids 0..2, as in the tiny models, so the ChatML template works unchanged.
 *
 * The pre-tokenizer (Llama 3's by default) keeps `[[`, `A`/`B` and `]]` in separate pieces, so a verdict `[[A]]` in
 * training text is the same tokens `[[` + `A` + `]]` that the direct protocol reads after forcing
 * `[[`. `checkVerdictTokens` verifies that on the loaded tokenizer.
 */

import { worldTemplates } from "../../judge/templates/worldTemplates.js";
import { type ByteBpeVocab, buildByteBpeVocab, type PreTokenizer } from "../../model/tiny/byteBpeVocab.js";
import type { CorpusRow } from "../types.js";

export interface WorldVocabOptions {
  /** Vocabulary size (special + 256 bytes + merges, padded). Defaults to 512. */
  vocabSize?: number;
  /** Rows the merges are learned from (the corpus's first rows). Defaults to 4000. */
  learnRows?: number;
  /**
   * Pre-tokenizer. Defaults to "llama-bpe": a number is then one token wherever it appears, so the
   * judge compares its result (`9+5=14.`) with a quote (`A says 14.`) by token identity; under
   * "gpt-2" they are two unrelated ids (`14` and ` 14`) and the base model's verdict followed its
   * work in only 80% of samples (docs/mini-world.md).
   */
  pre?: PreTokenizer;
}

export const defaultWorldVocabOptions = { vocabSize: 512, learnRows: 4000, pre: "llama-bpe" } as const;

/** The text the merges are learned from: corpus rows, template texts and ChatML role names. */
export function worldTokenizerText(rows: readonly CorpusRow[], learnRows: number): string {
  const parts: string[] = ["system\nuser\nassistant\n"];
  for (const t of Object.values(worldTemplates)) {
    parts.push(t.system ?? "", t.user, t.hint ?? "");
  }
  for (const row of rows.slice(0, learnRows)) {
    if ("text" in row) parts.push(row.text);
    else for (const m of row.messages) parts.push(`${m.role}\n${m.content}`);
  }
  return parts.join("\n");
}

export function buildWorldVocab(rows: readonly CorpusRow[], options: WorldVocabOptions = {}): ByteBpeVocab {
  const vocabSize = options.vocabSize ?? defaultWorldVocabOptions.vocabSize;
  const learnRows = options.learnRows ?? defaultWorldVocabOptions.learnRows;
  return buildByteBpeVocab(vocabSize, {
    corpus: worldTokenizerText(rows, learnRows),
    maxLearnedMerges: vocabSize,
    pre: options.pre ?? defaultWorldVocabOptions.pre,
  });
}
