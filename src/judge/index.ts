export { type CombineOrdersOptions, combineOrders, type OrderResult } from "./combineOrders.js";
export {
  createLengthJudge,
  defaultLengthJudgeOptions,
  type LengthJudgeOptions,
} from "./createLengthJudge.js";
export { createLlmJudge } from "./createLlmJudge.js";
export { createRandomJudge, type RandomJudgeOptions } from "./createRandomJudge.js";
export { defaultJudgeAllOptions, type JudgeAllOptions, judgeAll } from "./judgeAll.js";
export { type JudgePairOptions, judgePair } from "./judgePair.js";
export {
  breakTie,
  countVotes,
  defaultErrorPolicy,
  defaultTiePolicy,
  type MajorityVoteOptions,
  majorityVote,
  type Vote,
  type VoteCounts,
  type VoteResult,
  voteFromCounts,
} from "./majorityVote.js";
export { defaultOrderMode, type OrdersForOptions, orderFor, ordersFor } from "./orderFor.js";
export { bracketVerdictFormat, type ParseVerdictOptions, parseVerdict } from "./parseVerdict.js";
export { type RationaleExample, type RationalizeResult, rationalizePair } from "./rationalizePair.js";
export { defaultVerdictPrefix } from "./readVerdictProbabilities.js";
export {
  defaultJudgeOptions,
  type JudgeConfig,
  type JudgeOptions,
  resolveJudgeConfig,
} from "./resolveJudgeConfig.js";
export { type LengthUnit, longerResponse, responseLength } from "./responseLength.js";
export { sampleSeed } from "./sampleSeed.js";
export { samplingKey } from "./samplingKey.js";
export {
  defaultAdaptive,
  leaderHoldsProbability,
  normalQuantile,
  shouldStop,
  shouldStopOrders,
  wilsonInterval,
} from "./shouldStop.js";
export * from "./templates/index.js";
export * from "./types.js";
