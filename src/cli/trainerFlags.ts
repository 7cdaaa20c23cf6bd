/**
 * The trainer flags `genrm train` and `genrm star` share (star trains every iteration), declared
 * once with help from `describeTrainOption` (the text of the zod schema's descriptions, defaults
 * included), and mapped to `TrainOptions` in one place.
 */
import type { Command } from "commander";
import { ConfigError } from "../errors.js";
import type { loraTargetNames, TrainOptions } from "../train/config.js";
import { describeTrainOption, type TrainOptionHelpKey } from "../train/trainDefaults.js";
import { floatArg, givenOnly, intArg, listArg } from "./parseArgs.js";

export interface TrainerFlags {
  full?: boolean;
  loraRank?: number;
  loraAlpha?: number;
  loraTargets?: string[];
  lr?: number;
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  gradAccum?: number;
  maxLength?: number;
  truncate?: boolean;
  beta?: number;
  saveEvery?: number;
  packing?: boolean;
}

/** `describe` gives a flag's help; STaR passes its own for the defaults it changes. */
export function addTrainerOptions(
  cmd: Command,
  describe: (key: TrainOptionHelpKey) => string = (key) => describeTrainOption(key),
): Command {
  return cmd
    .option("--full", "full fine-tuning instead of LoRA")
    .option("--lora-rank <r>", describe("loraRank"), intArg(1, 4096))
    .option("--lora-alpha <a>", describe("loraAlpha"), floatArg(0))
    .option("--lora-targets <list>", describe("loraTargets"), listArg)
    .option("--lr <lr>", describe("lr"), floatArg(0))
    .option("--epochs <n>", describe("epochs"), floatArg(0))
    .option("--max-steps <n>", describe("maxSteps"), intArg(1))
    .option("--batch-size <n>", describe("batchSize"), intArg(1))
    .option("--grad-accum <n>", describe("gradAccum"), intArg(1))
    .option("--max-length <n>", describe("maxLength"), intArg(2))
    .option("--truncate", "cut SFT/DPO examples longer than --max-length instead of dropping them")
    .option("--beta <b>", describe("beta"), floatArg(0))
    .option("--save-every <n>", describe("saveEvery"), intArg(0))
    .option("--packing", describe("packing"))
    .option("--no-packing", "pad each micro-batch to its longest example instead of packing it");
}

/** Conflicts among the trainer flags, as ConfigError issues. */
export function trainerFlagIssues(flags: TrainerFlags): string[] {
  const lora =
    flags.loraRank !== undefined || flags.loraAlpha !== undefined || flags.loraTargets !== undefined;
  return flags.full && lora ? ["lora: --full and --lora-* flags exclude each other"] : [];
}

/** The trainer flags given, as `TrainOptions` (the trainer fills in the rest). */
export function trainOptionsFromFlags(flags: TrainerFlags): Omit<TrainOptions, "method"> {
  const issues = trainerFlagIssues(flags);
  if (issues.length > 0) throw new ConfigError(issues);
  return givenOnly({
    lr: flags.lr,
    epochs: flags.epochs,
    maxSteps: flags.maxSteps,
    batchSize: flags.batchSize,
    gradAccum: flags.gradAccum,
    maxLength: flags.maxLength,
    lengthPolicy: flags.truncate ? ("truncate" as const) : undefined,
    beta: flags.beta,
    saveEvery: flags.saveEvery,
    packing: flags.packing,
    lora: flags.full
      ? (false as const)
      : givenOnly({
          rank: flags.loraRank,
          alpha: flags.loraAlpha,
          targets: flags.loraTargets as (typeof loraTargetNames)[number][] | undefined,
        }),
  });
}
