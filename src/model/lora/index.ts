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
