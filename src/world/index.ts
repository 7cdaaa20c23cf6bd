/** Public API of the mini world: a synthetic preference domain and the base model's pretraining corpus. */

export {
  worldCotTemplate,
  worldDirectTemplate,
  worldRationalizerTemplate,
  worldTemplates,
} from "../judge/templates/worldTemplates.js";
export { applySlip } from "./applySlip.js";
export { createWorldRng, type WorldRng } from "./createWorldRng.js";
export { type DrawWorldPairInput, drawWorldPair } from "./drawWorldPair.js";
export { generatePretrainCorpus } from "./generatePretrainCorpus.js";
export { generateWorld } from "./generateWorld.js";
export { isWellFormedRationale } from "./isWellFormedRationale.js";
export { judgeView } from "./judgeView.js";
export { misconceptionOf } from "./misconceptionOf.js";
export { questionPartition } from "./questionPartition.js";
export { readWorldMeta } from "./readWorldMeta.js";
export { renderResponse, responsePhrases, statedValue } from "./renderResponse.js";
export {
  defaultCorpusMix,
  defaultDirectVerdict,
  defaultPretrainCorpusOptions,
  defaultTeacher,
  resolvePretrainCorpusConfig,
} from "./resolvePretrainCorpusConfig.js";
export {
  defaultSlipWeights,
  defaultWorldOptions,
  defaultWorldSizes,
  defaultWorldSplits,
  resolveWorldConfig,
  worldSplitNames,
} from "./resolveWorldConfig.js";
export {
  expressionOf,
  parseQuestion,
  questionOf,
  type SampleProblemSpec,
  sampleProblem,
} from "./sampleProblem.js";
export { scoreRationale } from "./scoreRationale.js";
export {
  type SimulateReasonerOptions,
  type SimulateReasonerResult,
  simulateReasoner,
} from "./simulateReasoner.js";
export type * from "./types.js";
export { formatSteps, type StepErrorModel, type WorkedSteps, workProblem } from "./workProblem.js";
export { type WorldSplitStats, worldStats } from "./worldStats.js";
export {
  applyHeuristic,
  heuristicPhrases,
  perfectReasoner,
  type WriteRationaleOptions,
  writeRationale,
} from "./writeRationale.js";
export { type WrittenWorldSplits, writeWorldSplits } from "./writeWorldSplits.js";
