/** RMSNorm (Zhang & Sennrich 2019) over the last dim, with a fused forward/backward kernel pair. */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { registerOp } from "./registry.js";

const RMS_NORM = registerOp("rmsNorm");

export interface RmsNormOptions {
  /** Added to the mean square before the square root. Defaults to 1e-6 (Llama, Qwen use 1e-6 or 1e-5; read it from the GGUF). */
  eps?: number;
}

/** x (..., C) / sqrt(mean(x²) + eps) · weight (C). */
export function rmsNorm(x: Tensor, weight: Tensor, options: RmsNormOptions = {}): Tensor {
  const { eps = 1e-6 } = options;
  const C = x.dim(-1);
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new ShapeError("rmsNorm", "weight must be (C) with C the last dim of x", {
      x: x.shape,
      weight: weight.shape,
    });
  }
  const N = x.size / C;
  const out = new Tensor(new Float32Array(x.size), x.shape);
  // rstd (N) is all the backward needs besides x and weight.
  const rstd = new Float32Array(N);
  getBackend().rmsnormForward(out.data, rstd, x.data, weight.data, N, C, eps);
  return record(out, RMS_NORM, [x, weight], (g, needs) => {
    const dx = new Float32Array(x.size);
    const dw = new Float32Array(C);
    getBackend().rmsnormBackward(dx, dw, g, x.data, weight.data, rstd, N, C);
    return [needs[0] ? dx : null, needs[1] ? dw : null];
  });
}
