export {
  type ChatFormat,
  type LlamaCppEngine,
  type LlamaCppEngineConfig,
  type LlamaCppEngineOptions,
  type LlamaCppEngineStats,
  type LoraAdapterSpec,
  openLlamaCppEngine,
} from "./llamacpp/index.js";
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
} from "./types.js";
