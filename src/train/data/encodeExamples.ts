/**
 * Training rows -> token examples for one method. Chat prompts go through the model's chat
 * template; plain-text prompts (TRL "standard" format) are concatenated with no template, as TRL
 * does. Judge inputs (PairRM, GenRM) are rendered with the same judge template the evaluator uses,
 * each pair shown in a seeded order (or both), so the position of the better answer is balanced.
 *
 * Long examples: "filter" drops anything over `maxLength` (the default; nothing is silently cut),
 * "truncate" keeps the first `maxLength` tokens of SFT/DPO sequences. Judge inputs and BT rewards
 * depend on the final tokens, so they are always filtered.
 */
import type { PreferencePair } from "../../data/types.js";
import { InputError } from "../../errors.js";
import { orderFor } from "../../judge/orderFor.js";
import { defaultVerdictPrefix } from "../../judge/readVerdictProbabilities.js";
import { directPairV2 } from "../../judge/templates/builtinTemplates.js";
import { renderJudgePrompt } from "../../judge/templates/renderJudgePrompt.js";
import type { JudgeTemplate, Order } from "../../judge/types.js";
import type { PairId } from "../../types.js";
import type { TrainTokenizer } from "./TrainTokenizer.js";
import type {
  EncodeReport,
  PairwiseRow,
  RowPrompt,
  TokenSequence,
  TrainDataset,
  TrainExample,
  TrainMethod,
  TrainRow,
} from "./types.js";

export type LengthPolicy = "filter" | "truncate";

export interface EncodeOptions {
  /** Longest example in tokens. Defaults to 1024. */
  maxLength?: number;
  /** What to do with longer examples. Defaults to "filter". */
  lengthPolicy?: LengthPolicy;
  /** Judge template for PairRM / GenRM inputs. Defaults to `direct-pair-v2@1`. */
  template?: JudgeTemplate;
  /** Display orders of judge inputs: one seeded order per pair, or both. Defaults to "random". */
  orders?: "random" | "both";
  /** Seed of the "random" order. Defaults to 0. */
  seed?: number;
}

export const defaultEncodeOptions = {
  maxLength: 1024,
  lengthPolicy: "filter",
  orders: "random",
  seed: 0,
} as const satisfies Omit<EncodeOptions, "template">;

export function encodeExamples(
  rows: Iterable<TrainRow>,
  method: TrainMethod,
  tokenizer: TrainTokenizer,
  options: EncodeOptions = {},
): TrainDataset {
  const {
    maxLength = defaultEncodeOptions.maxLength,
    lengthPolicy = defaultEncodeOptions.lengthPolicy,
    template = directPairV2,
    orders = defaultEncodeOptions.orders,
    seed = defaultEncodeOptions.seed,
  } = options;
  const report: EncodeReport = {
    rows: 0,
    examples: 0,
    truncated: 0,
    droppedTooLong: 0,
    droppedTies: 0,
    maxTokens: 0,
    totalTokens: 0,
  };
  const examples: TrainExample[] = [];
  /** The letters' tokens, from the first GenRM example; every later one must agree. */
  let verdictTokens: [number, number] | undefined;
  const assistantPrefix = template.assistantPrefix ?? defaultVerdictPrefix;

  /** The sequence, possibly cut, or null when it must be dropped. */
  const fitLength = (seq: TokenSequence, canTruncate: boolean): TokenSequence | null => {
    if (seq.tokens.length <= maxLength) return seq;
    if (!canTruncate || lengthPolicy === "filter" || seq.completionStart >= maxLength) return null;
    return { tokens: seq.tokens.subarray(0, maxLength), completionStart: seq.completionStart };
  };
  const count = (...seqs: TokenSequence[]) => {
    for (const s of seqs) {
      report.maxTokens = Math.max(report.maxTokens, s.tokens.length);
      report.totalTokens += s.tokens.length;
    }
  };

  for (const row of rows) {
    report.rows++;
    const ref = row.ref;
    if (method === "sft") {
      if (row.type !== "sft") throw wrongRow(row, method);
      const raw = encodeSequence(tokenizer, row.prompt, row.completion);
      const seq = fitLength(raw, true);
      if (seq === null) {
        report.droppedTooLong++;
        continue;
      }
      if (seq !== raw) report.truncated++;
      count(seq);
      examples.push({ kind: "sequence", seq, ref });
    } else if (method === "dpo" || method === "bt") {
      const pref = toPreference(row, method);
      if (pref === null) {
        report.droppedTies++;
        continue;
      }
      const rawC = encodeSequence(tokenizer, pref.prompt, pref.chosen);
      const rawR = encodeSequence(tokenizer, pref.prompt, pref.rejected);
      const chosen = fitLength(rawC, method === "dpo");
      const rejected = fitLength(rawR, method === "dpo");
      if (chosen === null || rejected === null) {
        report.droppedTooLong++;
        continue;
      }
      if (chosen !== rawC || rejected !== rawR) report.truncated++;
      count(chosen, rejected);
      examples.push({
        kind: "preference",
        chosen,
        rejected,
        ...(pref.margin !== undefined ? { margin: pref.margin } : {}),
        ref,
      });
    } else {
      const pair = toPairwise(row, method);
      if (method === "genrm" && pair.label === 0.5) {
        report.droppedTies++;
        continue;
      }
      const shown: Order[] = orders === "both" ? ["AB", "BA"] : [orderFor(pair.id as PairId, seed)];
      for (const order of shown) {
        const messages = renderJudgePrompt(template, asPair(pair), order);
        const label = order === "AB" ? pair.label : 1 - pair.label;
        let seq: TokenSequence;
        if (method === "genrm") {
          // The letter's token is the one the model writes after the prefix in this very prompt, as
          // the engine's read-out derives it (on SentencePiece vocabularies "A" alone is "▁A").
          const verdict = tokenizer.encodeVerdict(messages, assistantPrefix, ["A", "B"]);
          const context = verdict.prompt;
          const letters = verdict.letters as [number, number];
          verdictTokens ??= letters;
          if (letters[0] !== verdictTokens[0] || letters[1] !== verdictTokens[1]) {
            throw new InputError("the verdict letters tokenize differently in this prompt", {
              file: row.ref.file,
              line: row.ref.line,
              expected: `tokens ${verdictTokens.join(", ")}`,
              got: `tokens ${letters.join(", ")}`,
            });
          }
          const letter = label === 1 ? letters[0] : letters[1];
          seq = { tokens: Int32Array.from([...context, letter]), completionStart: context.length };
        } else {
          const tokens = Int32Array.from(tokenizer.encodePrompt(messages));
          seq = { tokens, completionStart: tokens.length };
        }
        if (fitLength(seq, false) === null) {
          report.droppedTooLong++;
          continue;
        }
        count(seq);
        examples.push(
          method === "genrm" ? { kind: "sequence", seq, ref } : { kind: "pairwise", seq, label, ref },
        );
      }
    }
  }
  report.examples = examples.length;
  // Without a GenRM example there are no letters to derive (an empty set the trainer reports).
  return { method, examples, report, ...(verdictTokens ? { verdictTokens } : {}) };
}

/** Prompt then completion: chat template for message prompts, plain text otherwise. */
export function encodeSequence(
  tokenizer: TrainTokenizer,
  prompt: RowPrompt,
  completion: string,
): TokenSequence {
  if (typeof prompt === "string") {
    const p = tokenizer.encodeText(prompt);
    const c = tokenizer.encodeText(completion, { bos: false });
    return { tokens: Int32Array.from([...p, ...c, tokenizer.eos]), completionStart: p.length };
  }
  const { tokens, promptLength } = tokenizer.encodeChat(prompt, completion);
  return { tokens: Int32Array.from(tokens), completionStart: promptLength };
}

function wrongRow(row: TrainRow, method: TrainMethod): InputError {
  const expected: Record<TrainMethod, string> = {
    sft: "{messages} or {prompt, completion}",
    dpo: "{prompt, chosen, rejected} or {prompt, response_a, response_b, label}",
    bt: "{prompt, chosen, rejected} or {prompt, response_a, response_b, label}",
    pairrm: "{prompt, response_a, response_b, label} or {prompt, chosen, rejected}",
    genrm: "{prompt, response_a, response_b, label} or {prompt, chosen, rejected}",
  };
  return new InputError(`a ${row.type} row cannot train method ${method}`, {
    file: row.ref.file,
    line: row.ref.line,
    expected: expected[method],
  });
}

function toPreference(row: TrainRow, method: TrainMethod) {
  if (row.type === "preference") return row;
  if (row.type !== "pairwise") throw wrongRow(row, method);
  if (row.label === 0.5) return null;
  const [chosen, rejected] =
    row.label === 1 ? [row.responseA, row.responseB] : [row.responseB, row.responseA];
  return { prompt: row.prompt, chosen, rejected, margin: undefined };
}

function toPairwise(row: TrainRow, method: TrainMethod): PairwiseRow {
  if (row.type === "pairwise") return row;
  if (row.type !== "preference") throw wrongRow(row, method);
  const prompt =
    typeof row.prompt === "string" ? [{ role: "user" as const, content: row.prompt }] : row.prompt;
  // The chosen reply is A; the seeded display order decides where it is shown.
  return {
    type: "pairwise",
    id: `${row.ref.file}:${row.ref.line}`,
    prompt,
    responseA: row.chosen,
    responseB: row.rejected,
    label: 1,
    ref: row.ref,
  };
}

function asPair(row: PairwiseRow): PreferencePair {
  return {
    id: row.id as PairId,
    prompt: row.prompt,
    responseA: row.responseA,
    responseB: row.responseB,
    label: row.label === 1 ? "A" : row.label === 0 ? "B" : "tie",
  };
}
