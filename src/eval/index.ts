export { accuracyWithCI, bootstrapCI, defaultBootstrap } from "./bootstrapCI.js";
export { calibration, defaultCalibrationBins } from "./calibration.js";
export { formatEvalTable } from "./formatEvalTable.js";
export { type MajAtKOptions, majAtK } from "./majAtK.js";
export { compareJudgments, defaultMcNemar, erfc, type McNemarOptions, mcnemarTest } from "./mcnemarTest.js";
export { describeDistribution, quantileSorted } from "./percentile.js";
export { orderVerdict, positionConsistency } from "./positionConsistency.js";
export {
  type ReplayPoint,
  type ReplayRule,
  type ReplaySettings,
  replayAdaptiveVoting,
} from "./replayAdaptiveVoting.js";
export { isRewardBenchSubset, rewardBenchScores, rewardBenchSections } from "./rewardBenchScores.js";
export { defaultScoreOptions, scorePair } from "./scorePair.js";
export { noSubset, summarizeEval } from "./summarizeEval.js";
export * from "./types.js";
export { usageStats } from "./usageStats.js";
