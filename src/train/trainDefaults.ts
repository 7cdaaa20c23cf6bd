/**
 * The trainer's defaults and the help text of its options, in a module without zod or tensors so
 * that the command table can show them without loading the trainer. `resolveTrainConfig`
 * (config.ts) fills in these values; its schema's descriptions are `describeTrainOption`.
 *
 * Defaults follow the paper (App. A.2.1, Table 2) where it says something: AdamW (0.9, 0.95),
 * weight decay 0.1, cosine schedule with warmup ratio 0.1, DPO β 1.0. Its learning rate 1e-6 was
 * for full fine-tuning of an 8B model; LoRA's default is the common 1e-4.
 */
import { allLoraTargets, defaultLoraRank } from "../model/lora/loraDefaults.js";
import type { TrainConfig } from "./config.js";

/**
 * The paper's β (Table 2), used by STaR-DPO and `genrm train --method dpo` alike; TRL's `DPOConfig`
 * defaults to 0.1, which weighs the reference far more for the same data.
 */
export const defaultDpoBeta = 1.0;

export const trainMethods = ["sft", "dpo", "bt", "pairrm", "genrm"] as const;

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
  recompute: "auto",
  memoryLimitGiB: 6,
  packing: false,
} as const satisfies Partial<TrainConfig>;

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
  loraTargets: [`adapted layers: ${allLoraTargets.join(",")}`, "all"],
  maxLength: ["longest example in tokens", defaultTrainConfig.maxLength],
  lengthPolicy: ["longer examples: drop (filter) or cut (truncate)", defaultTrainConfig.lengthPolicy],
  orders: ["PairRM/GenRM inputs: one seeded A/B order per pair, or both", defaultTrainConfig.orders],
  evalEvery: ["held-out evaluation every n steps; 0 = only at the end", defaultTrainConfig.evalEvery],
  saveEvery: ["checkpoint every n steps; 0 = only at the end", defaultTrainConfig.saveEvery],
  keepCheckpoints: ["checkpoints kept in the run", defaultTrainConfig.keepCheckpoints],
  recompute: [
    "recompute activations in backward (less memory, one more forward); by default on when a step's estimated peak memory passes --memory-limit",
    "auto",
  ],
  memoryLimitGiB: [
    "GiB a training step may plan to use before activations are recomputed",
    defaultTrainConfig.memoryLimitGiB,
  ],
  packing: [
    "run a micro-batch's examples end to end in one sequence, each attending only to itself, instead of padding them to the longest (same loss and gradients, no compute on padding)",
    defaultTrainConfig.packing ? "on" : "off",
  ],
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
