export { CausalLM, type CausalLMSource, type CausalLMWeights, type DecoderLayer } from "./CausalLM.js";
export { checkpoint } from "./checkpoint.js";
export { Linear, type LoraWeights } from "./Linear.js";
export { readCausalLMConfig } from "./readCausalLMConfig.js";
export {
  createPairwiseHead,
  createScalarHead,
  lastTokenRows,
  ScalarHead,
  type ScalarHeadKind,
  type ScalarHeadOptions,
} from "./ScalarHead.js";
export type {
  CausalLMArchitecture,
  CausalLMConfig,
  ForwardOptions,
  NamedParameter,
  WeightType,
} from "./types.js";
