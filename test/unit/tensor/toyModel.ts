/**
 * A one-layer attention model (embedding, RoPE, GQA attention, RMSNorm, SwiGLU, untied head)
 * trained with AdamW on "repeat the first token": the answer sits at position 0, not at the
 * current token, so the loss can only fall if attention works. Shared by the reference test here
 * and the native one in test/native.
 */
import {
  adamwUpdate,
  add,
  backward,
  causalAttention,
  createAdamWState,
  createRng,
  crossEntropyMean,
  embedding,
  linear,
  parameter,
  randn,
  rmsNorm,
  rope,
  swiglu,
  type Tensor,
  tensor,
} from "../../../src/tensor/index.js";

const V = 6;
const C = 16;
const H = 2;
const Hkv = 1;
const D = C / H;
const F = 24;
const B = 4;
const T = 5;

function model(seed: number) {
  const rng = createRng(seed);
  const w = (shape: number[], std: number, name: string) => parameter(randn(shape, std, { rng }), name);
  return {
    tok: w([V, C], 0.5, "tok"),
    wq: w([C, C], 0.25, "wq"),
    wk: w([Hkv * D, C], 0.25, "wk"),
    wv: w([Hkv * D, C], 0.25, "wv"),
    wo: w([C, C], 0.25, "wo"),
    norm: parameter(tensor(new Array(C).fill(1)), "norm"),
    gate: w([F, C], 0.25, "gate"),
    up: w([F, C], 0.25, "up"),
    down: w([C, F], 0.2, "down"),
    head: w([V, C], 0.25, "head"),
  };
}

function forward(p: ReturnType<typeof model>, ids: Int32Array): Tensor {
  const positions = Int32Array.from({ length: T }, (_, t) => t);
  const x = embedding(p.tok, ids, [B, T]); // (B, T, C)
  const q = rope(linear(x, p.wq), positions, { headDim: D }); // (B, T, H·D)
  const k = rope(linear(x, p.wk), positions, { headDim: D }); // (B, T, Hkv·D)
  const v = linear(x, p.wv); // (B, T, Hkv·D)
  const h = add(x, linear(causalAttention(q, k, v, { heads: H, kvHeads: Hkv }), p.wo));
  const n = rmsNorm(h, p.norm);
  const m = add(h, linear(swiglu(linear(n, p.gate), linear(n, p.up)), p.down));
  return linear(m, p.head); // (B, T, V)
}

export interface ToyRun {
  losses: number[];
  /** Names of parameters whose values did not change. */
  unchanged: string[];
}

export function trainToyModel(steps: number): ToyRun {
  const p = model(1);
  const params = Object.values(p);
  const before = params.map((t) => Float32Array.from(t.data));
  const state = params.map(createAdamWState);
  const rng = createRng(2);
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const ids = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) ids[b * T + t] = rng.int(V);
      // Position 0 has nothing to copy yet; ignore it.
      for (let t = 0; t < T; t++) targets[b * T + t] = t === 0 ? -100 : ids[b * T];
    }
    const loss = crossEntropyMean(forward(p, ids), targets);
    losses.push(loss.item());
    for (const t of params) t.zeroGrad();
    backward(loss);
    params.forEach((t, i) => {
      adamwUpdate(t, state[i]!, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, step });
    });
  }
  const unchanged = params
    .filter((t, i) => t.data.every((x, j) => x === before[i]![j]))
    .map((t) => t.name ?? "?");
  return { losses, unchanged };
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
