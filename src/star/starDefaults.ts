/**
 * STaR's defaults, in a module of their own (no templates, no trainer) so that the command table
 * shows them without loading either. `resolveStarConfig` fills them in; where they come from is
 * documented there and in docs/star.md.
 */
import { defaultSampling } from "../engine/types.js";
import type { TrainOptions } from "../train/config.js";
import type { StarOptions } from "./resolveStarConfig.js";

export const defaultStarOptions = {
  iterations: 3,
  k: 8,
  orders: "random",
  seed: 0,
  sampling: defaultSampling,
  maxPerPair: null,
  dedupe: false,
  pairsPerPrompt: "one",
  reference: "sampler",
  rejectUnparseable: true,
  rationalize: "all",
  keepInconsistent: false,
  restartFromBase: false,
  evalK: 1,
  evalOrder: "random",
  concurrency: 4,
} satisfies Partial<StarOptions>;

/** Trainer defaults STaR changes: the paper's 3 epochs per iteration, and checkpoints a kill can resume from. */
export const defaultStarTrain = { epochs: 3, saveEvery: 10 } satisfies Omit<TrainOptions, "method">;

/** The paper's STaR-Rationalizer learning rate for full fine-tuning (Table 2); LoRA keeps its own default. */
export const rationalizerLrFull = 2e-5;
