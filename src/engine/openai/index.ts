export { EndpointPool, parseRetryAfter } from "./EndpointPool.js";
export { matchCandidateLogprobs } from "./matchCandidateLogprobs.js";
export { isRetryableStatus, OpenAIEngine, openOpenAIEngine } from "./openOpenAIEngine.js";
export { maxSeed, planSeedRequests } from "./planSeedRequests.js";
export { normaliseBaseUrl, resolveOpenAIEngineConfig } from "./resolveOpenAIEngineConfig.js";
export type {
  ChoiceSeeding,
  OpenAIEngineConfig,
  OpenAIEngineOptions,
  PrefillMode,
} from "./types.js";
export { defaultOpenAIEngineOptions } from "./types.js";
