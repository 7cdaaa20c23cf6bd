export {
  type ApplyLoraOptions,
  type ApplyLoraResult,
  applyLora,
  mergeLora,
  namedLinears,
  removeLora,
} from "./applyLora.js";
export {
  isAdapterGguf,
  type LoadLoraAdapterOptions,
  type LoadLoraAdapterResult,
  loadLoraAdapterGguf,
} from "./loadLoraAdapterGguf.js";
export { allLoraTargets, defaultLoraRank, type LoraTargetName } from "./loraDefaults.js";
