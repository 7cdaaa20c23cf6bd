export { type AdamWHyper, type AdamWState, adamwUpdate, createAdamWState } from "./adamw.js";
export { type AttentionOptions, causalAttention } from "./attention.js";
export { add, exp, log, logSigmoid, mul, neg, scale, sigmoid, sub } from "./elementwise.js";
export { embedding, gatherRows } from "./embedding.js";
export {
  type CrossEntropyMeanOptions,
  type CrossEntropyOptions,
  crossEntropy,
  crossEntropyMean,
  defaultIgnoreIndex,
  tokenLogProbs,
} from "./loss.js";
export { linear, type MatmulOptions, matmul } from "./matmul.js";
export { type RmsNormOptions, rmsNorm } from "./norm.js";
export { mean, type ReduceOptions, sum } from "./reduce.js";
export { listOps } from "./registry.js";
export { type RopeOptions, rope } from "./rope.js";
export { concat, narrow, reshape, transpose } from "./shape.js";
export { swiglu } from "./swiglu.js";
