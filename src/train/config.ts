/**
 * Training configuration: a zod schema for the written form (`TrainOptions`, every field optional,
 * each described with its default; `genrm train` and `genrm star` show the same text as help) and
 * `resolveTrainConfig`, which fills the defaults (trainDefaults.ts) in one place and checks
 * cross-field rules, reporting every issue. The resolved config is saved in the run directory and
 * in every checkpoint.
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import {
  allLoraTargets,
  defaultLoraAlpha,
  defaultLoraRank,
  type LoraTargetName,
} from "../model/lora/loraDefaults.js";
import {
  defaultLrFull,
  defaultLrLora,
  defaultTrainConfig,
  describeTrainOption,
  trainMethods,
} from "./trainDefaults.js";

export {
  defaultLrFull,
  defaultLrLora,
  defaultTrainConfig,
  describeTrainOption,
  type TrainOptionHelpKey,
  trainMethods,
} from "./trainDefaults.js";

/** GGUF base names of the linear layers LoRA may adapt. */
export const loraTargetNames = allLoraTargets;

export const trainOptionsSchema = z
  .object({
    method: z.enum(trainMethods).describe(describeTrainOption("method")),
    lr: z.number().positive().optional().describe(describeTrainOption("lr")),
    epochs: z.number().positive().optional().describe(describeTrainOption("epochs")),
    maxSteps: z.number().int().positive().optional().describe(describeTrainOption("maxSteps")),
    batchSize: z.number().int().positive().optional().describe(describeTrainOption("batchSize")),
    gradAccum: z.number().int().positive().optional().describe(describeTrainOption("gradAccum")),
    warmupRatio: z.number().min(0).max(1).optional().describe(describeTrainOption("warmupRatio")),
    minLrRatio: z.number().min(0).max(1).optional().describe(describeTrainOption("minLrRatio")),
    beta1: z.number().min(0).lt(1).optional().describe(describeTrainOption("beta1")),
    beta2: z.number().min(0).lt(1).optional().describe(describeTrainOption("beta2")),
    eps: z.number().positive().optional().describe(describeTrainOption("eps")),
    weightDecay: z.number().min(0).optional().describe(describeTrainOption("weightDecay")),
    gradClip: z.number().min(0).optional().describe(describeTrainOption("gradClip")),
    seed: z.number().int().min(0).optional().describe(describeTrainOption("seed")),
    beta: z.number().positive().optional().describe(describeTrainOption("beta")),
    labelSmoothing: z.number().min(0).lt(0.5).optional().describe(describeTrainOption("labelSmoothing")),
    centerRewardsCoefficient: z
      .number()
      .min(0)
      .optional()
      .describe(describeTrainOption("centerRewardsCoefficient")),
    lora: z
      .union([
        z.literal(false),
        z.object({
          rank: z.number().int().positive().optional().describe(describeTrainOption("loraRank")),
          alpha: z.number().positive().optional().describe(describeTrainOption("loraAlpha")),
          targets: z
            .array(z.enum(loraTargetNames))
            .min(1)
            .optional()
            .describe(describeTrainOption("loraTargets")),
        }),
      ])
      .optional()
      .describe(describeTrainOption("lora")),
    maxLength: z.number().int().positive().optional().describe(describeTrainOption("maxLength")),
    lengthPolicy: z.enum(["filter", "truncate"]).optional().describe(describeTrainOption("lengthPolicy")),
    orders: z.enum(["random", "both"]).optional().describe(describeTrainOption("orders")),
    evalEvery: z.number().int().min(0).optional().describe(describeTrainOption("evalEvery")),
    saveEvery: z.number().int().min(0).optional().describe(describeTrainOption("saveEvery")),
    keepCheckpoints: z.number().int().positive().optional().describe(describeTrainOption("keepCheckpoints")),
    recompute: z
      .union([z.boolean(), z.literal("auto")])
      .optional()
      .describe(describeTrainOption("recompute")),
    memoryLimitGiB: z.number().positive().optional().describe(describeTrainOption("memoryLimitGiB")),
    packing: z.boolean().optional().describe(describeTrainOption("packing")),
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
  /** "auto": on when the step's estimated peak memory passes `memoryLimitGiB` (train/memoryEstimate.ts). */
  recompute: boolean | "auto";
  memoryLimitGiB: number;
  /** A micro-batch's sequences end to end in one row, each attending only to itself (train/batch.ts). */
  packing: boolean;
}

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
    lora = {
      rank,
      alpha: o.lora?.alpha ?? defaultLoraAlpha(rank),
      targets: o.lora?.targets ?? [...allLoraTargets],
    };
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
    memoryLimitGiB: o.memoryLimitGiB ?? d.memoryLimitGiB,
    packing: o.packing ?? d.packing,
  };
}
