/**
 * Matrix products through the backend's GEMM, in the three layouts a transformer needs:
 * NN, NT (`linear`: weights stored (out, in) as in GGUF and PyTorch) and TN (weight gradients).
 */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { add } from "./elementwise.js";
import { registerOp } from "./registry.js";

const MATMUL = registerOp("matmul");

export interface MatmulOptions {
  /** a is stored (K, M) and used transposed; a must then be 2-D. Defaults to false. */
  transA?: boolean;
  /** b is stored (N, K) and used transposed. Defaults to false. */
  transB?: boolean;
}

/**
 * op(a) · op(b). Without `transA`, a may have leading dims: (..., M, K) is treated as
 * (prod(...)·M, K) and the result is (..., M, N). b is always 2-D.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false } = options;
  if (b.ndim !== 2) throw new ShapeError("matmul", "b must be 2-D", { a: a.shape, b: b.shape });
  if (transA && a.ndim !== 2)
    throw new ShapeError("matmul", "a must be 2-D with transA", { a: a.shape, b: b.shape });
  if (a.ndim < 1) throw new ShapeError("matmul", "a must have a dimension", { a: a.shape, b: b.shape });
  const K = transA ? a.shape[0]! : a.dim(-1);
  const M = a.size / (K || 1);
  const Kb = transB ? b.shape[1]! : b.shape[0]!;
  const N = transB ? b.shape[0]! : b.shape[1]!;
  if (K !== Kb) {
    throw new ShapeError(
      "matmul",
      `inner dimensions differ (${K} vs ${Kb})${transA ? " [transA]" : ""}${transB ? " [transB]" : ""}`,
      {
        a: a.shape,
        b: b.shape,
      },
    );
  }
  const shape = transA ? [M, N] : [...a.shape.slice(0, -1), N];
  const out = new Tensor(new Float32Array(M * N), shape);
  getBackend().gemm(out.data, a.data, b.data, M, N, K, transA, transB, false);

  return record(out, MATMUL, [a, b], (g, needs) => {
    const be = getBackend();
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (needs[0]) {
      ga = new Float32Array(a.size);
      // dA = dC · op(B)ᵀ, or its transpose when A is stored (K, M).
      if (!transA) be.gemm(ga, g, b.data, M, K, N, false, !transB, false);
      else be.gemm(ga, b.data, g, K, M, N, transB, true, false);
    }
    if (needs[1]) {
      gb = new Float32Array(b.size);
      // dB = op(A)ᵀ · dC, or its transpose when B is stored (N, K).
      if (!transB) be.gemm(gb, a.data, g, K, N, M, !transA, false, false);
      else be.gemm(gb, g, a.data, N, K, M, true, transA, false);
    }
    return [ga, gb];
  });
}

/** x (..., in) · Wᵀ + bias, with W stored (out, in) and bias (out). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2 || x.dim(-1) !== weight.shape[1]) {
    throw new ShapeError("linear", "x's last dim must equal weight's in-features", {
      x: x.shape,
      weight: weight.shape,
    });
  }
  const y = matmul(x, weight, { transB: true });
  if (bias === undefined || bias === null) return y;
  if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new ShapeError("linear", "bias must be (out)", { weight: weight.shape, bias: bias.shape });
  }
  return add(y, bias);
}
