/**
 * genrm's public API: everything a program that does `import ... from "genrm"` may use, listed by
 * name (no `export *`), grouped by module. Anything not exported here, including every deep import
 * such as "genrm/dist/judge/judgePair.js", is internal and may change in any release. See
 * docs/api.md.
 */

// Package ------------------------------------------------------------------------------------------

export { genrmVersion } from "./version.js";

// Errors: one catalog with stable codes; bad input says file, line, field, expected and got -------

export {
  AbortedError,
  ConfigError,
  DisposedError,
  EngineError,
  type ErrorCode,
  ExternalCommandError,
  GenrmError,
  InputError,
  type InputLocation,
  InternalError,
  NotFoundError,
  RunDirLockedError,
  type RunDirLockHolder,
  StorageError,
  UnsupportedError,
} from "./errors.js";

// Shared records: branded ids and chat messages ---------------------------------------------------

export type { Brand, ChatMessage, ModelId, PairId, Role, Slot, TemplateHash, TokenId } from "./types.js";

// Data: preference pairs from any supported format, adapters, field mapping, splits, JSONL -------

export {
  type AssembleOptions,
  adapters,
  buildPair,
  contentHash,
  DEFAULT_MAX_RECORD_BYTES,
  defaultSplitFractions,
  detectAdapter,
  type FieldMap,
  fieldMapAdapter,
  getAdapter,
  InvalidRecordError,
  type Label,
  type LoadPairsResult,
  labelSchema,
  listAdapters,
  listDataFiles,
  loadPairs,
  MAX_RECORD_BYTES_ENV,
  messageSchema,
  type PairAdapter,
  type PairContent,
  type PairFields,
  type PreferencePair,
  type PreferencePairRecord,
  pairId,
  pairToJsonLine,
  parseFieldMap,
  preferencePairSchema,
  type RawRecord,
  type ReaderName,
  type ReaderOptions,
  type ReadPairsOptions,
  type ReadRecordsOptions,
  type RecordLocation,
  type ResolveDatasetOptions,
  type ResolvedDataset,
  readerForFile,
  readPairs,
  readRecords,
  resolveDataset,
  resolveMaxRecordBytes,
  type SkipReason,
  type SkipReport,
  type SplitPairsOptions,
  slicePairs,
  splitPairs,
  validatePair,
  type WritePairsOptions,
  writePairsJsonl,
} from "./data/index.js";

// Engines: embedded GGUF (node-llama-cpp) or OpenAI-compatible servers behind one interface -------

export {
  defaultSampling,
  type Engine,
  type EngineInfo,
  type GeneratedSample,
  type GenerateRequest,
  type GenerateResult,
  type SamplingConfig,
  type StopReason,
  type TokenProbabilitiesRequest,
  type TokenProbabilitiesResult,
} from "./engine/index.js";
export {
  type ChatFormat,
  defaultLlamaCppEngineOptions,
  type LlamaCppEngine,
  type LlamaCppEngineConfig,
  type LlamaCppEngineOptions,
  type LlamaCppEngineStats,
  type LoraAdapterSpec,
  openLlamaCppEngine,
} from "./engine/llamacpp/index.js";
export {
  type ChoiceSeeding,
  defaultOpenAIEngineOptions,
  OpenAIEngine,
  type OpenAIEngineConfig,
  type OpenAIEngineOptions,
  openOpenAIEngine,
  type PrefillMode,
  resolveOpenAIEngineConfig,
} from "./engine/openai/index.js";
export { type EngineSpec, openEngine } from "./engine/openEngine.js";

// Judges: LLM judges (CoT and direct), model-free baselines, orders, voting, verdict parsing -----

export {
  type AdaptiveOptions,
  bracketVerdictFormat,
  breakTie,
  type CombineOrdersOptions,
  combineOrders,
  countVotes,
  createLengthJudge,
  createLlmJudge,
  createRandomJudge,
  defaultAdaptive,
  defaultErrorPolicy,
  defaultJudgeAllOptions,
  defaultJudgeOptions,
  defaultLengthJudgeOptions,
  defaultOrderMode,
  defaultTiePolicy,
  defaultVerdictPrefix,
  type ErrorPolicy,
  type Judge,
  type JudgeAllOptions,
  type JudgeConfig,
  type JudgeInfo,
  type JudgeOptions,
  type JudgePairOptions,
  type JudgeProvenance,
  type JudgeSample,
  type JudgeTemplate,
  type JudgeUsage,
  type Judgment,
  judgeAll,
  judgePair,
  judgeTemplateSchema,
  type LengthJudgeOptions,
  leaderHoldsProbability,
  type MajorityVoteOptions,
  majorityVote,
  type Order,
  type OrderMode,
  type OrderProbability,
  type OrderResult,
  type OrdersForOptions,
  orderFor,
  ordersFor,
  type PairVerdict,
  type ParsedVerdict,
  type ParseVerdictOptions,
  type Protocol,
  parseVerdict,
  type RandomJudgeOptions,
  type RationaleExample,
  type RationalizeResult,
  rationalizePair,
  resolveJudgeConfig,
  type SampleCache,
  type SampleKey,
  type StoredVerdictProbability,
  sampleSeed,
  samplingKey,
  shouldStop,
  shouldStopOrders,
  type TiePolicy,
  templatePlaceholders,
  type VerdictProbabilityCache,
  type VerdictProbabilityKey,
  type Vote,
  type VoteCounts,
  type VoteResult,
  voteFromCounts,
  wilsonInterval,
} from "./judge/index.js";

// Listwise judges: a 1–10 rating per answer and a 4-way ranking (RewardBench 2's generative
// prompts) over multi-response rows; the rating judge is also a Best-of-N scorer and a per-rollout
// reward. Samples go to the same store as pairwise ones, keyed apart. ------------------------------

export { type BenchmarkItem, itemsFromPairs } from "./data/adapters/expandItem.js";
export {
  listwiseBenchmarkScores,
  listwiseErrorScore,
  rankingScore,
  ratingScore,
} from "./eval/listwiseOutcomes.js";
export {
  createListwiseJudge,
  defaultListwiseJudgeOptions,
  type ItemJudge,
  type ItemJudgment,
  type ListwiseJudgeOptions,
  type ListwiseProtocol,
  listwiseProtocols,
  shownOrder,
} from "./judge/createListwiseJudge.js";
export {
  createRatingJudge,
  defaultRatingJudgeOptions,
  failedRating,
  type ListwiseUsage,
  type Rating,
  type RatingJudge,
  type RatingJudgeOptions,
} from "./judge/createRatingJudge.js";
export { type ListwiseSample, listwiseSampleId } from "./judge/drawListwiseSamples.js";
export { parseRanking, parseRating, type RankingSlot, rankingSlots } from "./judge/parseListwise.js";
export {
  type ListwiseTemplate,
  listwiseTemplateHash,
  rankingTemplate,
  ratingTemplate,
  ratingTiesTemplate,
} from "./judge/templates/listwiseTemplates.js";
export {
  type EvaluateItemsOptions,
  type EvaluateItemsResult,
  evaluateItemsInDir,
  type ItemJudgingOutcome,
  type ListwiseSummary,
  summarizeListwise,
} from "./run/evaluateItemsInDir.js";

// Judge templates: built-in prompts (versioned, content-hashed), loading and rendering your own --

export {
  builtinTemplates,
  cotPairV2,
  defaultTemplates,
  directPairV2,
  formatTemplateString,
  knownTemplates,
  loadTemplate,
  parseTemplate,
  placeholdersOf,
  type RenderJudgePromptOptions,
  rationalizerPairV2,
  renderJudgePrompt,
  templateHash,
  validateTemplate,
} from "./judge/index.js";

// Trained head judges: Bradley–Terry / PairRM head checkpoints from training, as a Judge ---------

export {
  defaultHeadJudgeOptions,
  type HeadJudge,
  type HeadJudgment,
  type HeadReadout,
  type OpenHeadJudgeOptions,
  openHeadJudge,
} from "./heads/index.js";

// Runs: judging a dataset with a resumable judgments.jsonl and a summary.json --------------------

export {
  type EvaluateInDirOptions,
  type EvaluateInDirResult,
  evaluateInDir,
  type JudgingOutcome,
} from "./run/evaluateInDir.js";
export { JudgmentLog, RecordLog, type RecordLogOptions } from "./run/JudgmentLog.js";
export { readMetrics } from "./run/metricsLog.js";
export { configHash } from "./run/runDir.js";
export {
  defaultJudgingConcurrency,
  type RunJudgingOptions,
  type RunJudgingResult,
  runJudging,
} from "./run/runJudging.js";

// Evaluation metrics: accuracy with bootstrap CI, subsets, RewardBench, maj@k, consistency -------

export {
  type AccuracyResult,
  accuracyWithCI,
  type BootstrapOptions,
  bootstrapCI,
  type Calibration,
  type ConfidenceInterval,
  calibration,
  compareJudgments,
  type Distribution,
  defaultBootstrap,
  defaultCalibrationBins,
  defaultMcNemar,
  defaultScoreOptions,
  describeDistribution,
  type EvalOptions,
  type EvalSummary,
  formatEvalTable,
  isRewardBenchSubset,
  type MajAtKOptions,
  type MajAtKPoint,
  type McNemarOptions,
  type McNemarResult,
  majAtK,
  mcnemarTest,
  noSubset,
  orderVerdict,
  type ParseStats,
  type PositionConsistency,
  positionConsistency,
  type ReplayPoint,
  type ReplayRule,
  type ReplaySettings,
  type RewardBenchScores,
  type RewardBenchSectionScore,
  replayAdaptiveVoting,
  rewardBenchScores,
  rewardBenchSections,
  type ScoreOptions,
  scorePair,
  summarizeEval,
  type UsageStats,
  usageStats,
} from "./eval/index.js";

// Sample store: every judge sample and verdict probability in SQLite, the resume point -----------

export {
  type ProbabilityKey,
  type RunRecord,
  type SampleKey as StoreSampleKey,
  SampleStore,
  type StoredProbability,
  type StoreStats,
} from "./store/index.js";

// Progress reporting (training, STaR, the demo) ---------------------------------------------------

export {
  createProgressReporter,
  type ProgressReporter,
  type ProgressReporterOptions,
  type ProgressUpdate,
} from "./progress/index.js";

// Rank: pairwise judgments to selections (Best-of-N) and scalar rewards --------------------------

export {
  type BradleyTerryOptions,
  type BradleyTerryResult,
  bradleyTerryAggregate,
  type CandidateSet,
  type Comparison,
  type ComparisonBudget,
  ComparisonLedger,
  type ComparisonLedgerOptions,
  type CopelandRecord,
  copelandScores,
  createLengthScorer,
  type DecidedBy,
  defaultBradleyTerryOptions,
  defaultEpsilon,
  defaultGroupRewardOptions,
  defaultLedgerOptions,
  defaultProbabilityOptions,
  fitBradleyTerry,
  type GameMode,
  type GroupRewardOptions,
  type GroupRewardsResult,
  groupRewards,
  groupRewardsFromMatrix,
  grpoNormalize,
  type KnockoutOptions,
  knockoutPrefixChampion,
  knockoutTournament,
  type LengthScorerOptions,
  type PairwiseOutcome,
  type ProbabilityOptions,
  preferenceLogit,
  preferenceMatrix,
  preferenceProbability,
  type RankUsage,
  type RewardVsReferenceOptions,
  type RewardVsReferenceResult,
  type RoundRobinOptions,
  rankByScores,
  referenceIndex,
  rewardVsReference,
  roundRobin,
  roundRobinSchedule,
  type ScalarScorer,
  type SelectAgainstReferenceOptions,
  type SelectBestOptions,
  type SelectByScorerOptions,
  type SelectionResult,
  type SelectionScheme,
  seededPermutation,
  selectAgainstReference,
  selectBest,
  selectByScorer,
  selectionSchemes,
} from "./rank/index.js";

// Best-of-N: candidate sets (XSTest, LLMFAO, MT-Bench, JSONL), generation, runs, human scoring ----

export {
  type BonCandidate,
  type BonFormat,
  type BonItem,
  type BonItemResult,
  type BonMethodSummary,
  type BonSummary,
  bonJsonlRecordSchema,
  defaultGenerateCandidatesOptions,
  defaultRunBonOptions,
  detectBonFormat,
  evaluateBonItem,
  type GenerateCandidatesOptions,
  generateCandidates,
  humanRanks,
  type LoadBonItemsOptions,
  loadBonItems,
  longestCandidate,
  type RunBonOptions,
  runBon,
  summarizeBon,
} from "./bon/index.js";

// Reward server: /get_reward, /v1/reward, /v1/judge, /v1/rank; groups assembled on the server ---------

export {
  answerSchema,
  type ClosedGroup,
  createServeApp,
  defaultServeOptions,
  defaultStartServerOptions,
  GroupAssembler,
  type GroupAssemblerOptions,
  type GroupCloseReason,
  type GroupOutcome,
  groupKey,
  HttpError,
  type HttpErrorCode,
  JudgeScheduler,
  type JudgeSchedulerOptions,
  Metrics,
  promptInputSchema,
  type QuerySplit,
  type RewardFailure,
  type RewardFailureCode,
  type RewardItem,
  type RewardMode,
  type RewardOutcome,
  RewardService,
  type RewardServiceHooks,
  type RouteDeps,
  type RunningServer,
  resolveServeConfig,
  rewardGroup,
  type ServeApp,
  type ServeConfig,
  type ServeEnv,
  type ServeOptions,
  type StartServerOptions,
  splitQuery,
  startServer,
  toMessages,
} from "./serve/index.js";

// Models: load a GGUF for training, tiny random models for tests, GGUF files, LoRA, export -------

export {
  type ApplyLoraOptions,
  type ApplyLoraResult,
  allLoraTargets,
  applyLora,
  type BuiltinChatTemplate,
  builtinChatTemplates,
  CausalLM,
  type CausalLMArchitecture,
  type CausalLMConfig,
  CHATML_TEMPLATE,
  createPairwiseHead,
  createScalarHead,
  createTinyModel,
  defaultLoraRank,
  type ExportLoraAdapterGgufOptions,
  type ExportMergedGgufOptions,
  exportLoraAdapterGguf,
  exportMergedGguf,
  type ForwardOptions,
  type GgufArray,
  type GgufFile,
  type GgufMetadata,
  type GgufScalar,
  type GgufTensorInfo,
  type GgufTensorSpec,
  type GgufValue,
  ggufValue,
  type LoadModelOptions,
  type LoadTokenizerOptions,
  type LoraTarget,
  type LoraTargetName,
  loadModel,
  loadTokenizer,
  type ModelIdentityOptions,
  mergeLora,
  modelIdentity,
  type NamedParameter,
  type OpenGgufOptions,
  openGguf,
  plainValue,
  type RenderChatOptions,
  type RenderedCompletion,
  readCausalLMConfig,
  readGgufInfo,
  removeLora,
  resolveTinyModelConfig,
  ScalarHead,
  type ScalarHeadKind,
  type ScalarHeadOptions,
  SMOLLM_135M_SHAPE,
  type TensorChunkSource,
  type TinyModelArch,
  type TinyModelConfig,
  type TinyModelOptions,
  type TinyModelResult,
  type TinyTensorType,
  type TokenizeOptions,
  type Tokenizer,
  type WriteGgufOptions,
  type WriteGgufResult,
  type WriteLoraAdapterOptions,
  weightsIdentity,
  writeGguf,
  writeLoraAdapter,
} from "./model/index.js";
export {
  isAdapterGguf,
  type LoadLoraAdapterOptions,
  type LoadLoraAdapterResult,
  loadLoraAdapterGguf,
} from "./model/lora/index.js";

// Tensor backend: which kernels training runs on (the native addon, or the TypeScript reference) --

export { type Backend, getBackend, loadNativeBackend } from "./tensor/index.js";

// Training: config, training rows and their encoding, the loop, checkpoints and resume -----------

export {
  asTrainTokenizer,
  type CheckpointFile,
  checkpointDir,
  defaultEncodeOptions,
  defaultTrainConfig,
  type EncodeOptions,
  type EncodeReport,
  encodeExamples,
  evaluate,
  type HeadFileMeta,
  type LengthPolicy,
  type LoadTrainRowsOptions,
  type LoraConfig,
  learningRate,
  loadTrainRows,
  loraTargetNames,
  openTrainTokenizer,
  type PairwiseExample,
  type PairwiseRow,
  type PreferenceExample,
  type PreferenceRow,
  pairToTrainRow,
  parseTrainRow,
  type RestoredCheckpoint,
  type RowPrompt,
  type RowRef,
  type RowShape,
  readHeadFile,
  readLatest,
  resolveCheckpointFile,
  resolveTrainConfig,
  restoreCheckpoint,
  rowShape,
  runTraining,
  type ScheduleConfig,
  type SequenceExample,
  type SftRow,
  type TokenSequence,
  type TrainCheckpointMeta,
  type TrainConfig,
  type TrainDataset,
  type TrainExample,
  type TrainingData,
  type TrainingRun,
  type TrainingRunArtifacts,
  type TrainingRunOptions,
  type TrainLogEntry,
  type TrainMethod,
  type TrainOptions,
  type TrainResult,
  type TrainRow,
  type TrainRunOptions,
  type TrainTokenizer,
  train,
  trainMethods,
  trainOptionsSchema,
  warmupSteps,
  writeHeadFile,
} from "./train/index.js";

// STaR: sample rationales, keep / pair / rationalize by the human label, train, repeat ----------

export {
  type CommandTrainer,
  classifySample,
  defaultStarOptions,
  defaultStarTrain,
  evaluateStarModel,
  lineageOf,
  manifestFileName,
  modelRefKey,
  type PairDpoOptions,
  type PairSamples,
  pairDpoRows,
  type RationalizerRowsOptions,
  type RunStarHooks,
  type RunStarInput,
  rationalizerRows,
  readTrainerResult,
  resolveStarConfig,
  runStar,
  type SampleClass,
  type SampleLineage,
  type SelectSftOptions,
  type StarConfig,
  type StarCounts,
  type StarDpoRow,
  type StarEvalRecord,
  type StarEvalSet,
  type StarIterationRecord,
  type StarManifest,
  type StarMethod,
  type StarModelRef,
  type StarOptions,
  type StarProgress,
  type StarResult,
  type StarSampler,
  type StarSftRow,
  selectSftRows,
  starMethods,
  startStarSampler,
  type TrainerResult,
  type TrainSpec,
  tallySamples,
  toTrlRow,
  trainerPlaceholders,
  trainerResultFileName,
} from "./star/index.js";

// Mini world: a seeded synthetic preference domain with ID/OOD splits and its judge templates ----

export {
  type CorpusKind,
  type CorpusRow,
  defaultPretrainCorpusOptions,
  defaultSlipWeights,
  defaultWorldOptions,
  defaultWorldSizes,
  defaultWorldSplits,
  generatePretrainCorpus,
  generateWorld,
  isWellFormedRationale,
  type JudgeView,
  judgeView,
  type PretrainCorpus,
  type PretrainCorpusConfig,
  type PretrainCorpusOptions,
  type Problem,
  type RationaleScore,
  readWorldMeta,
  resolvePretrainCorpusConfig,
  resolveWorldConfig,
  type SlipWeights,
  scoreRationale,
  type World,
  type WorldConfig,
  type WorldOptions,
  type WorldPairMeta,
  type WorldSplitName,
  type WorldSplitSpec,
  type WorldSplitStats,
  type WorldTemplates,
  type WrittenWorldSplits,
  worldCotTemplate,
  worldDirectTemplate,
  worldRationalizerTemplate,
  worldSplitNames,
  worldStats,
  worldTemplates,
  writeWorldSplits,
} from "./world/index.js";

// Demo: the paper's comparison on the mini world, its results.json, table and HTML report ---------

export { type DemoPreset, demoPresets } from "./demo/demoPresets.js";
export { formatDemoTable } from "./demo/formatDemoTable.js";
export {
  type PolicyPreset,
  type PolicyTrainingPreset,
  policyPresets,
  policyTrainingPresets,
} from "./demo/policy/policyPresets.js";
export type {
  DemoPolicyResults,
  PolicyCurvePoint,
  PolicySelectorResult,
  PolicyTrainingResult,
  PolicyTrainingRound,
} from "./demo/policy/types.js";
export { renderDemoReport } from "./demo/report/renderDemoReport.js";
export { bundledBaseModel, type DemoOptions, type DemoRun, runDemo } from "./demo/runDemo.js";
export {
  type DemoEvalSplit,
  type DemoMethodId,
  type DemoMethodResult,
  type DemoRationaleStats,
  type DemoResults,
  type DemoSplitInfo,
  type DemoSplitResult,
  type DemoStageTiming,
  type DemoTrainingInfo,
  demoEvalSplits,
  demoMethodIds,
} from "./demo/types.js";

// Reports: `genrm report` — eval, train and STaR run directories side by side, one HTML page ----

export { collectRuns } from "./report/runReport/collectRuns.js";
export { detectRunKind, type RunKind, readRunDir } from "./report/runReport/readRunDir.js";
export {
  type ReportedRun,
  type RunsReportInput,
  renderRunsReport,
} from "./report/runReport/renderRunsReport.js";
