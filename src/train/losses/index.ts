export { type BtLossOptions, btLoss } from "./bt.js";
export { type DpoLossInput, type DpoLossOptions, defaultDpoBeta, dpoLoss } from "./dpo.js";
export {
  type CompletionRows,
  completionCounts,
  completionRows,
  sequenceLogProbs,
  sumBySequence,
} from "./logprobs.js";
export { pairwiseLoss } from "./pairrm.js";
export { sftLoss, sftLossFromLogProbs, tokenAccuracy } from "./sft.js";
export type { LossResult, ReductionOptions } from "./types.js";
export { type VerdictLossOptions, verdictLoss } from "./verdict.js";
