/**
 * Peak memory of a training step, estimated before the model loads, so activation recomputation
 * switches on by itself when keeping every layer's activations would pass the memory limit.
 *
 * The terms, in float32 (genrm trains in float32 whatever the GGUF stores):
 *   weights      4·N bytes for the N parameters
 *   full FT      + 12·N: a gradient and AdamW's two moments per parameter (LoRA's are negligible)
 *   activations  per token of a micro-batch, per layer, what backward keeps: attention scores and
 *                probabilities (2·H·T floats), the FFN's gate, up, activation and product (4·F), and
 *                about a dozen C-wide tensors (norms, projections, residuals, RoPE'd Q/K)
 *   recompute    keeps only each layer's input (C per token per layer), plus one layer's full set
 *                while that layer is recomputed
 *   headroom     0.5 GiB: the vocabulary projection's chunk, the runtime, the data
 * Calibrated on the measurement in docs/training.md (Qwen2.5-0.5B shape, LoRA r 8, one 1,024-token
 * sequence): 8.04 GiB kept, 2.55 GiB recomputed; this estimate gives 7.7 and 2.6.
 */
import type { LlamaHyperparameters } from "../model/gguf/llamaMetadata.js";
import type { TrainConfig } from "./config.js";
import type { TrainExample } from "./data/types.js";

export const GiB = 1024 ** 3;

export interface StepShape {
  /** Sequences in one micro-batch (DPO counts chosen and rejected). */
  sequences: number;
  /** Longest sequence in tokens. */
  tokens: number;
  /** Full fine-tuning (gradients and optimizer state for every weight) or LoRA. */
  full: boolean;
}

export interface MemoryEstimate {
  /** Bytes with every layer's activations kept. */
  kept: number;
  /** Bytes with activation recomputation. */
  recomputed: number;
}

export function estimateStepMemory(
  model: Pick<
    LlamaHyperparameters,
    "vocabSize" | "hidden" | "layers" | "ffn" | "heads" | "kvHeads" | "headDim"
  >,
  step: StepShape,
): MemoryEstimate {
  const { vocabSize: V, hidden: C, layers: L, ffn: F, heads: H, kvHeads, headDim: D } = model;
  const perLayer = C * H * D + 2 * C * kvHeads * D + H * D * C + 3 * C * F + 2 * C;
  const params = V * C + L * perLayer + C;
  const weights = 4 * params * (step.full ? 4 : 1);
  const tokens = step.sequences * step.tokens;
  const layerActivations = 4 * tokens * (2 * H * step.tokens + 4 * F + 12 * C);
  const headroom = 0.5 * GiB;
  return {
    kept: weights + L * layerActivations + headroom,
    recomputed: weights + 4 * tokens * L * C + layerActivations + headroom,
  };
}

/** The largest micro-batch the examples can make: `batchSize` of the longest, two sequences each for preferences. */
export function stepShapeOf(
  examples: readonly TrainExample[],
  config: Pick<TrainConfig, "batchSize" | "lora">,
): StepShape {
  let tokens = 0;
  let perExample = 1;
  for (const ex of examples) {
    if (ex.kind === "preference") {
      perExample = 2;
      tokens = Math.max(tokens, ex.chosen.tokens.length, ex.rejected.tokens.length);
    } else tokens = Math.max(tokens, ex.seq.tokens.length);
  }
  return {
    sequences: Math.min(config.batchSize, examples.length) * perExample,
    tokens,
    full: config.lora === null,
  };
}

export interface RecomputeDecision {
  recompute: boolean;
  /** Why: the flag, or the estimate against the limit. */
  reason: "flag" | "estimate";
  estimateGiB: { kept: number; recomputed: number };
  limitGiB: number;
}

/** `recompute: "auto"` resolved for this model and data; true / false are kept as given. */
export function decideRecompute(
  model: Parameters<typeof estimateStepMemory>[0],
  examples: readonly TrainExample[],
  config: Pick<TrainConfig, "batchSize" | "lora" | "recompute" | "memoryLimitGiB">,
): RecomputeDecision {
  const estimate = estimateStepMemory(model, stepShapeOf(examples, config));
  const estimateGiB = { kept: estimate.kept / GiB, recomputed: estimate.recomputed / GiB };
  if (config.recompute !== "auto") {
    return { recompute: config.recompute, reason: "flag", estimateGiB, limitGiB: config.memoryLimitGiB };
  }
  return {
    recompute: estimateGiB.kept > config.memoryLimitGiB,
    reason: "estimate",
    estimateGiB,
    limitGiB: config.memoryLimitGiB,
  };
}
