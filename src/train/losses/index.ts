export { type BtLossOptions, btLoss } from "./bt.js";
export { type DpoLossInput, type DpoLossOptions, defaultDpoBeta, dpoLoss } from "./dpo.js";
export { type CompletionRows, completionCounts, completionRows, sequenceLogProbs } from "./logprobs.js";
export { pairwiseLoss } from "./pairrm.js";
export { sftLoss, tokenAccuracy } from "./sft.js";
export type { LossResult, ReductionOptions } from "./types.js";
export { type VerdictLossOptions, verdictLoss } from "./verdict.js";
