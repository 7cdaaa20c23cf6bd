/** genrm's tensor library: float32 tensors, reverse-mode autograd, ops, and the kernel backends. */

export { createRng, type Rng } from "../random/index.js";
export { type BackwardOptions, backward, isGradEnabled, noGrad } from "./autograd.js";
export { getBackend, loadNativeBackend, referenceBackend, setBackend, withBackend } from "./backend/index.js";
export type { Backend, RopeStyle } from "./backend/types.js";
export * from "./ops/index.js";
export { formatShape, ShapeError } from "./ShapeError.js";
export {
  full,
  parameter,
  type RandomOptions,
  randn,
  scalar,
  shapeSize,
  Tensor,
  type TensorOptions,
  tensor,
  uniform,
  zeros,
} from "./Tensor.js";
