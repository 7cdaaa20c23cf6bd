/** Public API of the trainer: config, data, losses, loop, checkpoints. */
export { AdamW, type AdamWConfig, clipGradNorm, globalGradNorm } from "./adamw.js";
export {
  batchCompletionRows,
  batchForwardOptions,
  batchLastTokenRows,
  collate,
  completionLength,
  type PackedLayout,
  packSequences,
  type SequenceBatch,
} from "./batch.js";
export {
  type CheckpointFile,
  type CheckpointTensor,
  checkpointDir,
  checkpointMagic,
  checkpointVersion,
  readCheckpointFile,
  readLatest,
  writeCheckpointFile,
} from "./checkpoint.js";
export {
  defaultTrainConfig,
  type LoraConfig,
  type LoraTargetName,
  loraTargetNames,
  resolveTrainConfig,
  type TrainConfig,
  type TrainOptions,
  trainMethods,
  trainOptionsSchema,
} from "./config.js";
export * from "./data/index.js";
export {
  dataFingerprint,
  epochOrder,
  evaluate,
  type TrainCheckpointMeta,
  type TrainLogEntry,
  type TrainResult,
  type TrainRunOptions,
  train,
} from "./loop.js";
export * from "./losses/index.js";
export {
  completionLogProbs,
  defaultLogitChunkFloats,
  exampleUnits,
  microBatchLoss,
  type ObjectiveContext,
  referenceLogProbs,
} from "./objectives.js";
export {
  type HeadFileMeta,
  type RestoredCheckpoint,
  readHeadFile,
  resolveCheckpointFile,
  restoreCheckpoint,
  writeHeadFile,
} from "./restore.js";
export {
  runTraining,
  type TrainingData,
  type TrainingRun,
  type TrainingRunArtifacts,
  type TrainingRunOptions,
} from "./runTraining.js";
export { learningRate, type ScheduleConfig, warmupSteps } from "./schedule.js";
