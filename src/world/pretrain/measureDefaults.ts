/**
 * The defaults of `measureWorldModel`, in a module of their own so that the command table can show
 * them without loading the engine.
 */
import type { WorldSplitName } from "../types.js";

export const defaultMeasureWorldOptions = {
  worldSeed: 0,
  splits: ["test", "ood-length", "ood-mixed"] as readonly WorldSplitName[],
  pairs: 120,
  k: 4,
  seed: 0,
  maxTokens: 128,
  threads: 1,
} as const;
