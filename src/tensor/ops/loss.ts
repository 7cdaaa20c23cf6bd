/**
 * Softmax cross-entropy over a vocabulary, fused: the (N, V) probabilities are never stored; the
 * backward rebuilds them from the saved log-sum-exp. Everything built on it (mean over completion
 * tokens, per-token log-probs for DPO) is a composition with no backward of its own.
 */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { mul, scale } from "./elementwise.js";
import { sum } from "./reduce.js";
import { registerOp } from "./registry.js";

const CROSS_ENTROPY = registerOp("crossEntropy");

/** PyTorch's default, so label arrays prepared for TRL-style masking work unchanged. */
export const defaultIgnoreIndex = -100;

export interface CrossEntropyOptions {
  /** Targets equal to this get loss 0 and no gradient (prompt and padding tokens). Defaults to -100. */
  ignoreIndex?: number;
}

/**
 * Per-token -log softmax(logits)[target]: logits (..., V), targets (prod(...)) -> (...).
 */
export function crossEntropy(logits: Tensor, targets: Int32Array, options: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = defaultIgnoreIndex } = options;
  const V = logits.dim(-1);
  const N = logits.size / V;
  if (targets.length !== N) {
    throw new ShapeError("crossEntropy", `${targets.length} targets for ${N} rows`, { logits: logits.shape });
  }
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (t !== ignoreIndex && !(t >= 0 && t < V)) {
      throw new ShapeError("crossEntropy", `target ${t} at row ${n} is outside [0, ${V})`, {
        logits: logits.shape,
      });
    }
  }
  const out = new Tensor(new Float32Array(N), logits.shape.slice(0, -1));
  const lse = new Float32Array(N);
  getBackend().crossentropyForward(out.data, lse, logits.data, targets, N, V, ignoreIndex);
  return record(out, CROSS_ENTROPY, [logits], (g) => {
    const dlogits = new Float32Array(logits.size);
    getBackend().crossentropyBackward(dlogits, g, logits.data, lse, targets, N, V, ignoreIndex);
    return [dlogits];
  });
}

export interface CrossEntropyMeanOptions extends CrossEntropyOptions {
  /** Per-token weights (N), e.g. a completion mask; 0 drops a token. Defaults to 1 for every token. */
  weights?: Float32Array;
}

/**
 * Mean loss over the tokens that count: Σ wᵢ·lossᵢ / Σ wᵢ over non-ignored tokens (the SFT loss
 * on completion tokens). Returns 0 with a zero gradient when no token counts.
 */
export function crossEntropyMean(
  logits: Tensor,
  targets: Int32Array,
  options: CrossEntropyMeanOptions = {},
): Tensor {
  const { ignoreIndex = defaultIgnoreIndex, weights } = options;
  let losses = crossEntropy(logits, targets, { ignoreIndex });
  let total = 0;
  if (weights !== undefined) {
    if (weights.length !== targets.length) {
      throw new ShapeError("crossEntropyMean", `${weights.length} weights for ${targets.length} targets`, {
        logits: logits.shape,
      });
    }
    losses = mul(losses, new Tensor(weights, losses.shape));
    for (let n = 0; n < targets.length; n++) if (targets[n] !== ignoreIndex) total += weights[n];
  } else {
    for (let n = 0; n < targets.length; n++) if (targets[n] !== ignoreIndex) total += 1;
  }
  return scale(sum(losses), total > 0 ? 1 / total : 0);
}

/** log p(target) per token: logits (..., V) -> (...); 0 at ignored targets. Sum these for DPO's sequence log-probs. */
export function tokenLogProbs(
  logits: Tensor,
  targets: Int32Array,
  options: CrossEntropyOptions = {},
): Tensor {
  return scale(crossEntropy(logits, targets, options), -1);
}
