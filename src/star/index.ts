/** Public API of STaR training (docs/star.md). */
export { classifySample, type SampleClass } from "./classifySample.js";
export { emptyCounts } from "./emptyCounts.js";
export { evaluateStarModel } from "./evaluateStarModel.js";
export { type PairDpoOptions, pairDpoRows } from "./pairDpoRows.js";
export { lineageOf, type PairSamples, tallySamples } from "./pairSamples.js";
export { type RationalizerRowsOptions, rationalizerRows } from "./rationalizerRows.js";
export {
  defaultStarOptions,
  defaultStarTrain,
  resolveStarConfig,
  type StarConfig,
  type StarOptions,
} from "./resolveStarConfig.js";
export { type CommandTrainer, runCommandTrainer } from "./runCommandTrainer.js";
export {
  manifestFileName,
  type RunStarHooks,
  type RunStarInput,
  runStar,
  type StarProgress,
  type StarResult,
} from "./runStar.js";
export { type SampleSliceOptions, sampleSlice } from "./sampleSlice.js";
export { type SelectSftOptions, selectSftRows } from "./selectSftRows.js";
export { type StarSampler, type StarSamplerSession, startStarSampler } from "./starSampler.js";
export { defaultReadyTimeoutMs, trainerPlaceholders } from "./starScaleDefaults.js";
export { toTrlRow } from "./toTrlRow.js";
export {
  type ModelFormat,
  modelRefKey,
  readTrainerResult,
  type StarModelRef,
  type TrainerResult,
  type TrainSpec,
  trainerResultFileName,
} from "./trainSpec.js";
export * from "./types.js";
