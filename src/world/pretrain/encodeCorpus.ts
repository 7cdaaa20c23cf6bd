/**
 * Corpus rows -> the trainer's SFT examples. Loss placement (documented in docs/mini-world.md):
 * - `{text}` drill rows are plain documents (no chat template, EOS at the end) with the loss on
 *   every token: they teach the arithmetic itself.
 * - `{messages}` rows go through the GGUF's chat template (ChatML) with the loss on the final
 *   assistant turn and its `<|im_end|>` only. The system prompt is a constant and the user turn
 *   holds random questions and answers (often wrong), so predicting them would spend the tiny
 *   model's capacity on text it never has to write.
 */

import { encodeSequence } from "../../train/data/encodeExamples.js";
import type { TrainTokenizer } from "../../train/data/TrainTokenizer.js";
import type { SequenceExample, TrainDataset } from "../../train/data/types.js";
import type { CorpusRow } from "../types.js";

export function encodeCorpus(
  rows: readonly CorpusRow[],
  tokenizer: TrainTokenizer,
  options: { maxLength: number; file?: string },
): TrainDataset {
  const file = options.file ?? "world-corpus";
  const examples: SequenceExample[] = [];
  let totalTokens = 0;
  let maxTokens = 0;
  let dropped = 0;
  rows.forEach((row, i) => {
    let seq: SequenceExample["seq"];
    if ("text" in row) {
      seq = encodeSequence(tokenizer, "", row.text);
    } else {
      const last = row.messages.at(-1);
      if (last === undefined || last.role !== "assistant") return;
      seq = encodeSequence(tokenizer, row.messages.slice(0, -1), last.content);
    }
    if (seq.tokens.length > options.maxLength) {
      dropped++;
      return;
    }
    totalTokens += seq.tokens.length;
    maxTokens = Math.max(maxTokens, seq.tokens.length);
    examples.push({ kind: "sequence", seq, ref: { file, line: i + 1 } });
  });
  return {
    method: "sft",
    examples,
    report: {
      rows: rows.length,
      examples: examples.length,
      truncated: 0,
      droppedTooLong: dropped,
      droppedTies: 0,
      maxTokens,
      totalTokens,
    },
  };
}
