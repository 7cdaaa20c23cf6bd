/**
 * Learning-rate schedule as a pure function of the step (nanoGPT's `get_lr`): linear warmup over
 * the first ⌈warmupRatio·total⌉ steps, then cosine decay towards minLrRatio·lr, reached one step
 * after the last (transformers' `get_cosine_schedule_with_warmup`), so the last update still moves.
 * `step` is 0-based: the rate used by the (step+1)-th optimizer update.
 */
export interface ScheduleConfig {
  lr: number;
  warmupRatio: number;
  minLrRatio: number;
}

export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(totalSteps * warmupRatio);
}

export function learningRate(step: number, totalSteps: number, config: ScheduleConfig): number {
  const { lr, warmupRatio, minLrRatio } = config;
  const warmup = warmupSteps(totalSteps, warmupRatio);
  // (step + 1) / warmup: the first update already moves, and the last warmup step reaches lr.
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const decaySteps = totalSteps - warmup;
  if (decaySteps <= 0) return lr;
  const progress = Math.min(1, (step - warmup) / decaySteps);
  const minLr = lr * minLrRatio;
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
