export {
  type ApplyLoraOptions,
  type ApplyLoraResult,
  allLoraTargets,
  applyLora,
  defaultLoraRank,
  type LoraTargetName,
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
