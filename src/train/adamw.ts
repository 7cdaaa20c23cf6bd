/**
 * The optimizer: AdamW (Loshchilov & Hutter 2019) over named parameters, with nanoGPT's decay rule
 * (tensors with 2+ dims decay, i.e. matrices, embeddings and LoRA factors; norms and biases do not)
 * and global-norm gradient clipping. The update itself is `adamwUpdate` from the tensor library;
 * this file owns the state, so checkpoints can save and restore it by parameter name.
 */
import type { NamedParameter } from "../model/llama/types.js";
import { type AdamWState, adamwUpdate, createAdamWState } from "../tensor/index.js";

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  readonly params: readonly NamedParameter[];
  readonly states: AdamWState[];
  readonly config: AdamWConfig;
  /** Updates done so far; the next update's bias correction uses step + 1. */
  step = 0;

  constructor(params: readonly NamedParameter[], config: AdamWConfig) {
    this.params = params;
    this.config = config;
    this.states = params.map((p) => createAdamWState(p.tensor));
  }

  /** Parameter counts per group, as nanoGPT prints them. */
  groups(): { decay: number; noDecay: number } {
    let decay = 0;
    let noDecay = 0;
    for (const p of this.params) {
      if (decays(p)) decay += p.tensor.size;
      else noDecay += p.tensor.size;
    }
    return { decay, noDecay };
  }

  update(lr: number): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay } = this.config;
    this.params.forEach((p, i) => {
      adamwUpdate(p.tensor, this.states[i]!, {
        lr,
        beta1,
        beta2,
        eps,
        weightDecay: decays(p) ? weightDecay : 0,
        step: this.step,
      });
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.tensor.zeroGrad();
  }
}

function decays(p: NamedParameter): boolean {
  return p.tensor.ndim >= 2;
}

/** √(Σ g²) over every parameter's gradient (missing gradients count as zero). */
export function globalGradNorm(params: readonly NamedParameter[]): number {
  let s = 0;
  for (const p of params) {
    const g = p.tensor.grad?.data;
    if (g === undefined) continue;
    for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  }
  return Math.sqrt(s);
}

/**
 * Scales every gradient by maxNorm / norm when the global norm exceeds maxNorm (PyTorch's
 * `clip_grad_norm_`); returns the norm before clipping, which is what TRL logs as `grad_norm`.
 */
export function clipGradNorm(params: readonly NamedParameter[], maxNorm: number): number {
  const norm = globalGradNorm(params);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const p of params) {
      const g = p.tensor.grad?.data;
      if (g === undefined) continue;
      for (let i = 0; i < g.length; i++) g[i] *= s;
    }
  }
  return norm;
}
