/**
 * Training configuration: a zod schema for the written form (`TrainOptions`, every field optional,
 * each described; the descriptions double as CLI help) and `resolveTrainConfig`, which fills the
 * defaults in one place and checks cross-field rules, reporting every issue. The resolved config is
 * saved in the run directory and in every checkpoint.
 *
 * Defaults follow the paper (App. A.2.1, Table 2) where it says something: AdamW (0.9, 0.95),
 * weight decay 0.1, cosine schedule with warmup ratio 0.1, DPO β 1.0. Its learning rate 1e-6 was
 * for full fine-tuning of an 8B model; LoRA's default is the common 1e-4.
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { allLoraTargets, type LoraTargetName } from "../model/lora/index.js";
import { defaultDpoBeta } from "./losses/dpo.js";

export const trainMethods = ["sft", "dpo", "bt", "pairrm", "genrm"] as const;

/** GGUF base names of the linear layers LoRA may adapt. */
export const loraTargetNames = allLoraTargets;

export const trainOptionsSchema = z
  .object({
    method: z.enum(trainMethods).describe("objective: sft | dpo | bt | pairrm | genrm"),
    lr: z.number().positive().optional().describe("peak learning rate (default 1e-4 with LoRA, 1e-6 full)"),
    epochs: z.number().positive().optional().describe("passes over the data (default 1)"),
    maxSteps: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("stop after this many optimizer steps (default: epochs)"),
    batchSize: z.number().int().positive().optional().describe("examples per micro-batch (default 4)"),
    gradAccum: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("micro-batches per optimizer step (default 1)"),
    warmupRatio: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("fraction of steps with linear warmup (default 0.1)"),
    minLrRatio: z.number().min(0).max(1).optional().describe("cosine floor as a fraction of lr (default 0)"),
    beta1: z.number().min(0).lt(1).optional().describe("AdamW β1 (default 0.9)"),
    beta2: z.number().min(0).lt(1).optional().describe("AdamW β2 (default 0.95)"),
    eps: z.number().positive().optional().describe("AdamW ε (default 1e-8)"),
    weightDecay: z.number().min(0).optional().describe("decoupled weight decay on matrices (default 0.1)"),
    gradClip: z
      .number()
      .min(0)
      .optional()
      .describe("clip the global gradient norm to this; 0 = off (default 1.0)"),
    seed: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("shuffling, LoRA init, head init and judge orders (default 0)"),
    beta: z.number().positive().optional().describe("DPO β (default 1.0, paper Table 2; TRL uses 0.1)"),
    labelSmoothing: z.number().min(0).lt(0.5).optional().describe("DPO label smoothing ε (default 0)"),
    centerRewardsCoefficient: z.number().min(0).optional().describe("BT reward centering weight (default 0)"),
    lora: z
      .union([
        z.literal(false),
        z.object({
          rank: z.number().int().positive().optional().describe("LoRA rank r (default 8)"),
          alpha: z
            .number()
            .positive()
            .optional()
            .describe("LoRA α; the update is scaled by α/r (default 2r)"),
          targets: z
            .array(z.enum(loraTargetNames))
            .min(1)
            .optional()
            .describe("adapted layers (default every attention and FFN projection)"),
        }),
      ])
      .optional()
      .describe("LoRA settings, or false for full fine-tuning (default LoRA)"),
    maxLength: z.number().int().positive().optional().describe("longest example in tokens (default 1024)"),
    lengthPolicy: z
      .enum(["filter", "truncate"])
      .optional()
      .describe("longer examples: drop or cut (default filter)"),
    orders: z.enum(["random", "both"]).optional().describe("judge inputs: one seeded order per pair or both"),
    evalEvery: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("held-out loss every N steps; 0 = only at the end"),
    saveEvery: z.number().int().min(0).optional().describe("checkpoint every N steps; 0 = only at the end"),
    keepCheckpoints: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("checkpoints kept in the run (default 2)"),
    recompute: z.boolean().optional().describe("activation recomputation: less memory, one more forward"),
  })
  .strict();

export type TrainOptions = z.input<typeof trainOptionsSchema>;
export type TrainMethodName = (typeof trainMethods)[number];
export type { LoraTargetName };

export interface LoraConfig {
  rank: number;
  alpha: number;
  targets: LoraTargetName[];
}

/** Every field resolved. */
export interface TrainConfig {
  method: TrainMethodName;
  lr: number;
  epochs: number;
  maxSteps: number | null;
  batchSize: number;
  gradAccum: number;
  warmupRatio: number;
  minLrRatio: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number;
  seed: number;
  beta: number;
  labelSmoothing: number;
  centerRewardsCoefficient: number;
  /** null = full fine-tuning. */
  lora: LoraConfig | null;
  maxLength: number;
  lengthPolicy: "filter" | "truncate";
  orders: "random" | "both";
  evalEvery: number;
  saveEvery: number;
  keepCheckpoints: number;
  recompute: boolean;
}

export const defaultTrainConfig = {
  epochs: 1,
  batchSize: 4,
  gradAccum: 1,
  warmupRatio: 0.1,
  minLrRatio: 0,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
  seed: 0,
  beta: defaultDpoBeta,
  labelSmoothing: 0,
  centerRewardsCoefficient: 0,
  maxLength: 1024,
  lengthPolicy: "filter",
  orders: "random",
  evalEvery: 0,
  saveEvery: 0,
  keepCheckpoints: 2,
  recompute: false,
} as const satisfies Partial<TrainConfig>;

export const defaultLoraRank = 8;
export const defaultLrLora = 1e-4;
export const defaultLrFull = 1e-6;

/** Parses and fills defaults; throws ConfigError listing every issue as `dot.path: message`. */
export function resolveTrainConfig(options: TrainOptions): TrainConfig {
  const parsed = trainOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`),
    );
  }
  const o = parsed.data;
  const d = defaultTrainConfig;
  let lora: LoraConfig | null = null;
  if (o.lora !== false) {
    const rank = o.lora?.rank ?? defaultLoraRank;
    lora = { rank, alpha: o.lora?.alpha ?? 2 * rank, targets: o.lora?.targets ?? [...allLoraTargets] };
  }
  return {
    method: o.method,
    lr: o.lr ?? (lora === null ? defaultLrFull : defaultLrLora),
    epochs: o.epochs ?? d.epochs,
    maxSteps: o.maxSteps ?? null,
    batchSize: o.batchSize ?? d.batchSize,
    gradAccum: o.gradAccum ?? d.gradAccum,
    warmupRatio: o.warmupRatio ?? d.warmupRatio,
    minLrRatio: o.minLrRatio ?? d.minLrRatio,
    beta1: o.beta1 ?? d.beta1,
    beta2: o.beta2 ?? d.beta2,
    eps: o.eps ?? d.eps,
    weightDecay: o.weightDecay ?? d.weightDecay,
    gradClip: o.gradClip ?? d.gradClip,
    seed: o.seed ?? d.seed,
    beta: o.beta ?? d.beta,
    labelSmoothing: o.labelSmoothing ?? d.labelSmoothing,
    centerRewardsCoefficient: o.centerRewardsCoefficient ?? d.centerRewardsCoefficient,
    lora,
    maxLength: o.maxLength ?? d.maxLength,
    lengthPolicy: o.lengthPolicy ?? d.lengthPolicy,
    orders: o.orders ?? d.orders,
    evalEvery: o.evalEvery ?? d.evalEvery,
    saveEvery: o.saveEvery ?? d.saveEvery,
    keepCheckpoints: o.keepCheckpoints ?? d.keepCheckpoints,
    recompute: o.recompute ?? d.recompute,
  };
}
