/**
 * A linear layer y = x·Wᵀ + b with W stored (out, in) as in GGUF, and an optional LoRA update
 * (Hu et al. 2021) computed the way llama.cpp's `build_lora_mm` does: y += (alpha / r) · B(A x),
 * with A (r, in) and B (out, r). The update is never folded into W during training, so W can stay
 * frozen and shared; `mergedWeight()` folds it for export.
 */
import { add, linear, scale } from "../../tensor/index.js";
import type { Tensor } from "../../tensor/Tensor.js";

export interface LoraWeights {
  /** (r, in): random at init. */
  a: Tensor;
  /** (out, r): zero at init, so the adapted model starts equal to the base. */
  b: Tensor;
  rank: number;
  alpha: number;
}

export class Linear {
  /** GGUF base name without `.weight`, e.g. `blk.0.attn_q` or `output`. */
  readonly name: string;
  /** (out, in). */
  weight: Tensor;
  /** (out), or null. */
  bias: Tensor | null;
  lora: LoraWeights | null = null;

  constructor(name: string, weight: Tensor, bias: Tensor | null = null) {
    this.name = name;
    this.weight = weight;
    this.bias = bias;
  }

  get inFeatures(): number {
    return this.weight.shape[1]!;
  }

  get outFeatures(): number {
    return this.weight.shape[0]!;
  }

  /** x (..., in) -> (..., out). */
  forward(x: Tensor): Tensor {
    const y = linear(x, this.weight, this.bias); // (..., out)
    if (this.lora === null) return y;
    const { a, b, rank, alpha } = this.lora;
    const down = linear(x, a); // (..., r)
    const up = linear(down, b); // (..., out)
    return add(y, scale(up, alpha / rank));
  }

  /** W + (alpha / r) · B·A as a fresh (out, in) array; W itself when there is no LoRA. */
  mergedWeight(): Float32Array {
    const w = this.weight.data;
    if (this.lora === null) return w;
    const { a, b, rank: r, alpha } = this.lora;
    const s = alpha / r;
    const out = this.outFeatures;
    const inF = this.inFeatures;
    const merged = Float32Array.from(w);
    const ad = a.data;
    const bd = b.data;
    for (let o = 0; o < out; o++) {
      for (let k = 0; k < r; k++) {
        const bok = bd[o * r + k]! * s;
        if (bok === 0) continue;
        const row = o * inF;
        const arow = k * inF;
        for (let i = 0; i < inF; i++) merged[row + i] += bok * ad[arow + i]!;
      }
    }
    return merged;
  }
}
