/** SwiGLU's gating, silu(gate) · up (Shazeer 2020), fused so silu(gate) is never stored. */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { registerOp } from "./registry.js";

const SWIGLU = registerOp("swiglu");

export function swiglu(gate: Tensor, up: Tensor): Tensor {
  if (gate.size !== up.size || gate.ndim !== up.ndim || gate.shape.some((d, i) => d !== up.shape[i])) {
    throw new ShapeError("swiglu", "gate and up must have the same shape", {
      gate: gate.shape,
      up: up.shape,
    });
  }
  const out = new Tensor(new Float32Array(gate.size), gate.shape);
  getBackend().swigluForward(out.data, gate.data, up.data, gate.size);
  return record(out, SWIGLU, [gate, up], (g, needs) => {
    const dgate = new Float32Array(gate.size);
    const dup = new Float32Array(up.size);
    getBackend().swigluBackward(dgate, dup, g, gate.data, up.data, gate.size);
    return [needs[0] ? dgate : null, needs[1] ? dup : null];
  });
}
