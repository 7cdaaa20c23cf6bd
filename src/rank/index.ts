/** Public API of rank/: pairwise judgments → selections (Best-of-N) and scalar rewards. */
export {
  ComparisonLedger,
  type ComparisonLedgerOptions,
  defaultLedgerOptions,
  type GameMode,
  referenceIndex,
} from "./ComparisonLedger.js";
export { type CopelandRecord, copelandScores } from "./copelandScores.js";
export { createLengthScorer, type LengthScorerOptions } from "./createLengthScorer.js";
export {
  type BradleyTerryOptions,
  type BradleyTerryResult,
  defaultBradleyTerryOptions,
  fitBradleyTerry,
  type PairwiseOutcome,
} from "./fitBradleyTerry.js";
export {
  defaultGroupRewardOptions,
  type GroupRewardOptions,
  type GroupRewardsResult,
  groupRewards,
  groupRewardsFromMatrix,
  preferenceMatrix,
} from "./groupRewards.js";
export { grpoNormalize } from "./grpoNormalize.js";
export { type KnockoutOptions, knockoutPrefixChampion, knockoutTournament } from "./knockoutTournament.js";
export { defaultEpsilon, preferenceLogit } from "./preferenceLogit.js";
export { defaultProbabilityOptions, preferenceProbability } from "./preferenceProbability.js";
export { rankByScores } from "./rankByScores.js";
export {
  type RewardVsReferenceOptions,
  type RewardVsReferenceResult,
  rewardVsReference,
} from "./rewardVsReference.js";
export { bradleyTerryAggregate, type RoundRobinOptions, roundRobin } from "./roundRobin.js";
export { roundRobinSchedule } from "./roundRobinSchedule.js";
export { seededPermutation } from "./seededPermutation.js";
export { type SelectAgainstReferenceOptions, selectAgainstReference } from "./selectAgainstReference.js";
export { type SelectBestOptions, selectBest } from "./selectBest.js";
export { type SelectByScorerOptions, selectByScorer } from "./selectByScorer.js";
export * from "./types.js";
