/**
 * Training configuration: a zod schema for the written form (`TrainOptions`, every field optional,
 * each described with its default; `genrm train` and `genrm star` show the same text as help) and
 * `resolveTrainConfig`, which fills the defaults in one place and checks cross-field rules,
 * reporting every issue. The resolved config is saved in the run directory and in every checkpoint.
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

/**
 * Each option's help: what it does and its default, read from the constants above. The schema's
 * descriptions and the CLI's trainer flags are built from it, so help cannot disagree with what
 * `resolveTrainConfig` fills in.
 */
const trainOptionHelp = {
  method: [`objective: ${trainMethods.join(" | ")}`],
  lr: [
    "peak learning rate",
    `${formatDefault(defaultLrLora)} with LoRA, ${formatDefault(defaultLrFull)} full`,
  ],
  epochs: ["passes over the data", defaultTrainConfig.epochs],
  maxSteps: ["optimizer steps; overrides epochs", "from epochs"],
  batchSize: ["examples per micro-batch", defaultTrainConfig.batchSize],
  gradAccum: ["micro-batches per optimizer step", defaultTrainConfig.gradAccum],
  warmupRatio: ["fraction of steps with linear warmup", defaultTrainConfig.warmupRatio],
  minLrRatio: ["cosine floor as a fraction of lr", defaultTrainConfig.minLrRatio],
  beta1: ["AdamW β1", defaultTrainConfig.beta1],
  beta2: ["AdamW β2", defaultTrainConfig.beta2],
  eps: ["AdamW ε", defaultTrainConfig.eps],
  weightDecay: ["decoupled weight decay on matrices", defaultTrainConfig.weightDecay],
  gradClip: ["clip the global gradient norm to this; 0 = off", defaultTrainConfig.gradClip],
  seed: ["shuffling, LoRA init, head init and judge orders", defaultTrainConfig.seed],
  beta: ["DPO β; TRL uses 0.1", `${defaultTrainConfig.beta}, from the paper's Table 2`],
  labelSmoothing: ["DPO label smoothing ε", defaultTrainConfig.labelSmoothing],
  centerRewardsCoefficient: ["BT reward centering weight", defaultTrainConfig.centerRewardsCoefficient],
  lora: ["LoRA settings, or false for full fine-tuning", "LoRA"],
  loraRank: ["LoRA rank r", defaultLoraRank],
  loraAlpha: ["LoRA α; the update is scaled by α/r", "2r"],
  loraTargets: [`adapted layers: ${loraTargetNames.join(",")}`, "all"],
  maxLength: ["longest example in tokens", defaultTrainConfig.maxLength],
  lengthPolicy: ["longer examples: drop (filter) or cut (truncate)", defaultTrainConfig.lengthPolicy],
  orders: ["PairRM/GenRM inputs: one seeded A/B order per pair, or both", defaultTrainConfig.orders],
  evalEvery: ["held-out evaluation every n steps; 0 = only at the end", defaultTrainConfig.evalEvery],
  saveEvery: ["checkpoint every n steps; 0 = only at the end", defaultTrainConfig.saveEvery],
  keepCheckpoints: ["checkpoints kept in the run", defaultTrainConfig.keepCheckpoints],
  recompute: ["recompute activations in backward: less memory, one more forward"],
} as const satisfies Record<string, readonly [string, (string | number)?]>;

export type TrainOptionHelpKey = keyof typeof trainOptionHelp;

/**
 * `text (default: value)`. `defaultValue` replaces the trainer's default where a caller has its own
 * (STaR trains 3 epochs per iteration).
 */
export function describeTrainOption(key: TrainOptionHelpKey, defaultValue?: string | number): string {
  const [text, trainerDefault] = trainOptionHelp[key] as readonly [string, (string | number)?];
  const shown = defaultValue ?? trainerDefault;
  return shown === undefined ? text : `${text} (default: ${formatDefault(shown)})`;
}

/** Small rates read better as 1e-4 than as 0.0001. */
function formatDefault(value: string | number): string {
  return typeof value === "number" && value !== 0 && Math.abs(value) < 1e-3
    ? value.toExponential()
    : String(value);
}

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
    recompute: z.boolean().optional().describe(describeTrainOption("recompute")),
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
