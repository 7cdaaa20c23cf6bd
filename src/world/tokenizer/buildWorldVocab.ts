/**
 * The mini world's tokenizer: a GPT-2 style byte-level BPE (the learner of the tiny models, in
 * `model/tiny/byteBpeVocab.ts`) whose merges are learned from the world's own pretraining
 * corpus, so each number, operator run and template word is one or two tokens and a judge
 * transcript is ~100 tokens. ChatML control tokens (`<|endoftext|>`, `<|im_start|>`, `<|im_end|>`)
 * are ids 0..2, as in the tiny models, so the ChatML template works unchanged.
 *
 * The GPT-2 pre-tokenizer keeps `[[`, `A`/`B` and `]]` in separate pieces, so a verdict `[[A]]` in
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
   * Pre-tokenizer. Defaults to "gpt-2". "llama-bpe" makes a number one token wherever it appears
   * (` 14` and `=14` share the id of `14`); base models trained with it followed their own work
   * less often, not more (docs/mini-world.md, fourth and fifth attempts), so the committed one
   * keeps GPT-2's.
   */
  pre?: PreTokenizer;
}

export const defaultWorldVocabOptions = { vocabSize: 512, learnRows: 4000, pre: "gpt-2" } as const;

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
