export { openLlamaCppEngine } from "./openLlamaCppEngine.js";
export {
  type ChatFormat,
  defaultLlamaCppEngineOptions,
  type LlamaCppEngine,
  type LlamaCppEngineConfig,
  type LlamaCppEngineOptions,
  type LlamaCppEngineStats,
  type LoraAdapterSpec,
} from "./types.js";
