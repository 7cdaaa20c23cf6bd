/**
 * One micro-batch through the model for each method: batch the examples, run the decoder, read
 * logits or a head where the loss needs them, and call the loss. Logits are computed only at
 * completion positions (SFT, DPO, verdict); BT and PairRM read a scalar head at each sequence's
 * last token and never touch the vocabulary projection. With `packing` a micro-batch's sequences
 * run end to end in one row (batch.ts) instead of padded to the longest: the same loss and
 * gradients, computed on real tokens only.
 */
import { InternalError } from "../errors.js";
import { checkpoint } from "../model/llama/checkpoint.js";
import type { CausalLM, ScalarHead } from "../model/llama/index.js";
import { concat, gatherRows, narrow, noGrad, type Tensor, tokenLogProbs } from "../tensor/index.js";
import {
  batchCompletionRows,
  batchForwardOptions,
  batchLastTokenRows,
  collate,
  completionLength,
  packSequences,
  type SequenceBatch,
} from "./batch.js";
import type { TrainConfig } from "./config.js";
import type {
  PairwiseExample,
  PreferenceExample,
  SequenceExample,
  TokenSequence,
  TrainExample,
} from "./data/types.js";
import {
  btLoss,
  type CompletionRows,
  dpoLoss,
  type LossResult,
  pairwiseLoss,
  sftLossFromLogProbs,
  sumBySequence,
  tokenAccuracy,
  verdictLoss,
} from "./losses/index.js";

export interface ObjectiveContext {
  model: CausalLM;
  config: TrainConfig;
  /** BT score head or PairRM head. */
  head: ScalarHead | null;
  /** GenRM verdict letters [A, B]. */
  verdictTokens: [number, number] | null;
  /** Largest logits block held at once, in floats. Defaults to `defaultLogitChunkFloats`. */
  logitChunkFloats?: number;
}

/**
 * 16 Mi floats (64 MiB). Completion rows beyond it go through the vocabulary projection in chunks
 * whose logits are recomputed in backward: with a 150k vocabulary, 1,024 rows of logits and their
 * gradient would otherwise take 1.2 GB, for one extra projection of those rows.
 */
export const defaultLogitChunkFloats = 1 << 24;

export interface MicroBatchResult extends LossResult {
  /** Real (non-pad) tokens processed. */
  tokens: number;
}

/** What the step normalizer counts for one example: completion tokens (SFT) or examples. */
export function exampleUnits(method: TrainConfig["method"], ex: TrainExample): number {
  if (method === "sft" && ex.kind === "sequence") return completionLength(ex.seq);
  return 1;
}

/**
 * Loss of a micro-batch divided by `normalizer`. `refs` holds (π_ref(chosen), π_ref(rejected)) per
 * example for DPO.
 */
export function microBatchLoss(
  ctx: ObjectiveContext,
  examples: readonly TrainExample[],
  refs: readonly (readonly [number, number])[] | null,
  normalizer: number,
): MicroBatchResult {
  const { model, config, head } = ctx;
  const batchOf = config.packing ? packSequences : collate;
  const forward = (batch: SequenceBatch): Tensor =>
    model.forwardHidden(batch.tokens, {
      ...batchForwardOptions(batch),
      // `train` resolves "auto" before the first step; a direct caller's "auto" keeps activations.
      recompute: config.recompute === true,
    }); // (B·T, C)

  switch (config.method) {
    case "sft": {
      const batch = batchOf((examples as SequenceExample[]).map((e) => e.seq));
      const comp = batchCompletionRows(batch);
      const { logps, hits } = completionLogProbs(model, forward(batch), comp, ctx.logitChunkFloats);
      return { ...sftLossFromLogProbs(logps, hits, { normalizer }), tokens: batch.realTokens };
    }
    case "genrm": {
      // One verdict row per example: B rows of logits, never worth chunking.
      const batch = batchOf((examples as SequenceExample[]).map((e) => e.seq));
      const comp = batchCompletionRows(batch);
      const logits = model.lmHead(gatherRows(forward(batch), comp.rows)); // (B, V)
      const result = verdictLoss(logits, comp.targets, {
        normalizer,
        candidates: required(ctx.verdictTokens, "verdictTokens"),
      });
      return { ...result, tokens: batch.realTokens };
    }
    case "dpo": {
      if (refs === null) throw new InternalError("DPO needs reference log-probs");
      const prefs = examples as PreferenceExample[];
      const B = prefs.length;
      const { logps, tokens } = preferenceLogProbs(model, prefs, batchOf, forward, ctx.logitChunkFloats);
      const result = dpoLoss(
        {
          policyChosen: narrow(logps, 0, 0, B),
          policyRejected: narrow(logps, 0, B, B),
          refChosen: Float32Array.from(refs, (r) => r[0]),
          refRejected: Float32Array.from(refs, (r) => r[1]),
        },
        { beta: config.beta, labelSmoothing: config.labelSmoothing, normalizer },
      );
      return { ...result, tokens };
    }
    case "bt": {
      const prefs = examples as PreferenceExample[];
      const B = prefs.length;
      const batch = batchOf([...prefs.map((p) => p.chosen), ...prefs.map((p) => p.rejected)]);
      const rewards = required(head, "head").forward(forward(batch), batchLastTokenRows(batch)); // (2B)
      const hasMargin = prefs.some((p) => p.margin !== undefined);
      const result = btLoss(narrow(rewards, 0, 0, B), narrow(rewards, 0, B, B), {
        normalizer,
        centerRewardsCoefficient: config.centerRewardsCoefficient,
        ...(hasMargin ? { margin: Float32Array.from(prefs, (p) => p.margin ?? 0) } : {}),
      });
      return { ...result, tokens: batch.realTokens };
    }
    case "pairrm": {
      const pairs = examples as PairwiseExample[];
      const batch = batchOf(pairs.map((p) => p.seq));
      const logits = required(head, "head").forward(forward(batch), batchLastTokenRows(batch)); // (B)
      const result = pairwiseLoss(
        logits,
        Float32Array.from(pairs, (p) => p.label),
        { normalizer },
      );
      return { ...result, tokens: batch.realTokens };
    }
  }
}

/** Sequence log-probs of chosen then rejected completions: (2B). */
function preferenceLogProbs(
  model: CausalLM,
  prefs: readonly PreferenceExample[],
  batchOf: (seqs: TokenSequence[]) => SequenceBatch,
  forward: (b: SequenceBatch) => Tensor,
  logitChunkFloats: number | undefined,
): { logps: Tensor; tokens: number } {
  const batch = batchOf([...prefs.map((p) => p.chosen), ...prefs.map((p) => p.rejected)]);
  const comp = batchCompletionRows(batch);
  const { logps } = completionLogProbs(model, forward(batch), comp, logitChunkFloats);
  return { logps: sumBySequence(logps, comp), tokens: batch.realTokens }; // (2B)
}

/**
 * log p(target) at every completion row: hidden (B·T, C) -> (N), and how many rows have the
 * target as argmax. Above `logitChunkFloats` the rows go through the vocabulary projection in
 * chunks under activation recomputation, so only one chunk's logits (and gradient) exist at a time.
 */
export function completionLogProbs(
  model: CausalLM,
  hidden: Tensor,
  comp: CompletionRows,
  logitChunkFloats = defaultLogitChunkFloats,
): { logps: Tensor; hits: number } {
  const N = comp.rows.length;
  const V = model.config.vocabSize;
  const chunkRows = Math.max(1, Math.floor(logitChunkFloats / V));
  if (N <= chunkRows) {
    const logits = model.lmHead(gatherRows(hidden, comp.rows)); // (N, V)
    return {
      logps: tokenLogProbs(logits, comp.targets),
      hits: Math.round(tokenAccuracy(logits, comp.targets) * N),
    };
  }
  const out = model.weights.output;
  const headParams = [
    out.weight,
    ...(out.bias ? [out.bias] : []),
    ...(out.lora ? [out.lora.a, out.lora.b] : []),
  ];
  const parts: Tensor[] = [];
  let hits = 0;
  for (let start = 0; start < N; start += chunkRows) {
    const end = Math.min(N, start + chunkRows);
    const targets = comp.targets.subarray(start, end);
    let counted = false;
    const h = gatherRows(hidden, comp.rows.subarray(start, end)); // (n, C)
    const part = checkpoint(
      (x) => {
        const logits = model.lmHead(x); // (n, V)
        // The block runs again in backward; count its argmax hits once.
        if (!counted) hits += Math.round(tokenAccuracy(logits, targets) * targets.length);
        counted = true;
        return tokenLogProbs(logits, targets); // (n)
      },
      h,
      headParams,
    );
    parts.push(part);
  }
  return { logps: concat(parts, 0), hits };
}

/**
 * π_ref(chosen), π_ref(rejected) of every example, under noGrad, `batchSize` examples at a time:
 * computed once before training (TRL's `precompute_ref_log_probs`) and kept in checkpoints.
 */
export function referenceLogProbs(
  model: CausalLM,
  examples: readonly TrainExample[],
  batchSize: number,
  options: {
    logitChunkFloats?: number;
    onProgress?: (done: number) => void;
    /** Pack each batch's sequences into one row (`TrainConfig.packing`). Defaults to padding. */
    packing?: boolean;
  } = {},
): Float32Array {
  const { logitChunkFloats, onProgress, packing = false } = options;
  const out = new Float32Array(examples.length * 2);
  noGrad(() => {
    for (let i = 0; i < examples.length; i += batchSize) {
      const prefs = examples.slice(i, i + batchSize) as PreferenceExample[];
      const { logps } = preferenceLogProbs(
        model,
        prefs,
        packing ? packSequences : collate,
        (b) => model.forwardHidden(b.tokens, batchForwardOptions(b)),
        logitChunkFloats,
      );
      const B = prefs.length;
      for (let j = 0; j < B; j++) {
        out[2 * (i + j)] = logps.data[j]!;
        out[2 * (i + j) + 1] = logps.data[B + j]!;
      }
      onProgress?.(Math.min(examples.length, i + batchSize));
    }
  });
  return out;
}

function required<T>(value: T | null, what: string): T {
  if (value === null) throw new InternalError(`objective: ${what} is missing`);
  return value;
}
