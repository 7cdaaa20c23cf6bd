/**
 * The AdamW update (Loshchilov & Hutter 2019): in place on a parameter's data, outside the tape.
 * The optimizer object (param groups, schedules, state files) belongs to train/; this is the step.
 */
import { InternalError } from "../../errors.js";
import { getBackend } from "../backend/index.js";
import type { Tensor } from "../Tensor.js";

export interface AdamWState {
  /** First moment, same size as the parameter. */
  m: Float32Array;
  /** Second moment, same size as the parameter. */
  v: Float32Array;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled: applied as lr·weightDecay·param, not through the gradient. */
  weightDecay: number;
  /** 1-based step count, for the bias correction. */
  step: number;
}

export function createAdamWState(param: Tensor): AdamWState {
  return { m: new Float32Array(param.size), v: new Float32Array(param.size) };
}

/** One AdamW step on `param` from `param.grad`; a parameter with no gradient is left alone. */
export function adamwUpdate(param: Tensor, state: AdamWState, hyper: AdamWHyper): void {
  if (param.grad === null) return;
  if (state.m.length !== param.size || state.v.length !== param.size) {
    throw new InternalError(
      `adamwUpdate: state size ${state.m.length} does not match parameter size ${param.size}`,
    );
  }
  if (!(hyper.step >= 1)) throw new InternalError(`adamwUpdate: step must be >= 1, got ${hyper.step}`);
  const { lr, beta1, beta2, eps, weightDecay, step } = hyper;
  getBackend().adamw(
    param.data,
    param.grad.data,
    state.m,
    state.v,
    param.size,
    lr,
    beta1,
    beta2,
    eps,
    weightDecay,
    step,
  );
}
