/**
 * The Llama-family decoder (Llama 2/3, Mistral-style, Qwen2, Qwen3) on genrm's tensor library,
 * computing what llama.cpp's graphs compute (`src/models/llama.cpp`, `qwen2.cpp`, `qwen3.cpp`):
 *
 *   x = token_embd[tokens]
 *   per layer: h = rmsnorm(x)·attn_norm; q,k,v = h·W (+bias, qwen2); [qwen3: rmsnorm per head of q, k]
 *              rope(q), rope(k); x += attn_output(causal GQA attention(q, k, v))
 *              h = rmsnorm(x)·ffn_norm; x += ffn_down(silu(ffn_gate(h)) · ffn_up(h))
 *   logits = output(rmsnorm(x)·output_norm), output = token_embd when tied
 *
 * Parameters keep their GGUF names so checkpoints, LoRA adapters and exports line up with llama.cpp.
 * Built by `loadModel` (from a GGUF) or `createCausalLM` (random init); the constructor only wires
 * tensors it is given.
 */

import { add, causalAttention, embedding, reshape, rmsNorm, rope, swiglu } from "../../tensor/index.js";
import { ShapeError } from "../../tensor/ShapeError.js";
import type { Tensor } from "../../tensor/Tensor.js";
import type { GgufMetadata } from "../gguf/ggufValue.js";
import { checkpoint } from "./checkpoint.js";
import type { Linear } from "./Linear.js";
import type { CausalLMConfig, ForwardOptions, NamedParameter } from "./types.js";

export interface DecoderLayer {
  /** (C). */
  attnNorm: Tensor;
  /** (H·D, C), bias (H·D) on qwen2. */
  q: Linear;
  /** (Hkv·D, C). */
  k: Linear;
  /** (Hkv·D, C). */
  v: Linear;
  /** (C, H·D). */
  o: Linear;
  /** (D) per-head Q norm, qwen3 only. */
  qNorm: Tensor | null;
  /** (D) per-head K norm, qwen3 only. */
  kNorm: Tensor | null;
  /** (C). */
  ffnNorm: Tensor;
  /** (F, C). */
  gate: Linear;
  /** (F, C). */
  up: Linear;
  /** (C, F). */
  down: Linear;
}

export interface CausalLMWeights {
  /** (V, C). */
  tokenEmbd: Tensor;
  layers: DecoderLayer[];
  /** (C). */
  outputNorm: Tensor;
  /** (V, C); its weight is `tokenEmbd` itself when the embeddings are tied. */
  output: Linear;
  /** (D/2) Llama 3 RoPE frequency divisors (`rope_freqs.weight`), or null. Not trainable. */
  ropeFreqs: Float32Array | null;
}

/** Where a model came from, so an export can copy its metadata, tokenizer and tensor types. */
export interface CausalLMSource {
  path: string;
  metadata: GgufMetadata;
  /** ggml type name of each tensor as stored ("F32", "F16", "Q8_0", ...). */
  tensorTypes: ReadonlyMap<string, string>;
}

export class CausalLM {
  readonly config: CausalLMConfig;
  readonly weights: CausalLMWeights;
  readonly source: CausalLMSource | null;
  /** Default of `ForwardOptions.recompute`. */
  recompute: boolean;
  private readonly freqFactors: Float32Array | undefined;

  constructor(
    config: CausalLMConfig,
    weights: CausalLMWeights,
    options: { source?: CausalLMSource | null; recompute?: boolean } = {},
  ) {
    this.config = config;
    this.weights = weights;
    this.source = options.source ?? null;
    this.recompute = options.recompute ?? false;
    this.freqFactors = resolveFreqFactors(config, weights.ropeFreqs);
  }

  /** Next-token logits: tokens (B·T) -> (B·T, V). */
  forward(tokens: Int32Array, options: ForwardOptions): Tensor {
    return this.lmHead(this.forwardHidden(tokens, options));
  }

  /** Final hidden states after `output_norm`: tokens (B·T) -> (B·T, C). For scalar/pairwise heads. */
  forwardHidden(tokens: Int32Array, options: ForwardOptions): Tensor {
    const { batch: B, seqLen: T } = options;
    const { hidden: C, rmsEps } = this.config;
    if (!(Number.isInteger(B) && Number.isInteger(T) && B > 0 && T > 0) || tokens.length !== B * T) {
      throw new ShapeError("CausalLM.forward", `${tokens.length} tokens for batch ${B} × seqLen ${T}`, {});
    }
    const positions = options.positions ?? defaultPositions(T);
    const recompute = options.recompute ?? this.recompute;
    let x = embedding(this.weights.tokenEmbd, tokens, [B, T]); // (B, T, C)
    for (const layer of this.weights.layers) {
      const block = (input: Tensor) => this.layerForward(layer, input, B, T, positions, options);
      x = recompute ? checkpoint(block, x, layerParameters(layer)) : block(x); // (B, T, C)
    }
    const h = rmsNorm(x, this.weights.outputNorm, { eps: rmsEps }); // (B, T, C)
    return reshape(h, [B * T, C]); // (B·T, C)
  }

  /** Output projection: hidden (N, C) -> logits (N, V). Apply to gathered rows to save work. */
  lmHead(hidden: Tensor): Tensor {
    return this.weights.output.forward(hidden); // (N, V)
  }

  private layerForward(
    layer: DecoderLayer,
    x: Tensor,
    B: number,
    T: number,
    positions: Int32Array,
    masks: Pick<ForwardOptions, "lengths" | "keyMask" | "segmentStarts">,
  ): Tensor {
    const { heads: H, kvHeads: Hkv, headDim: D, rmsEps: eps, ropeTheta, ropeStyle } = this.config;
    const ropeOptions = { headDim: D, theta: ropeTheta, style: ropeStyle, freqFactors: this.freqFactors };
    const h = rmsNorm(x, layer.attnNorm, { eps }); // (B, T, C)
    let q = layer.q.forward(h); // (B, T, H·D)
    let k = layer.k.forward(h); // (B, T, Hkv·D)
    const v = layer.v.forward(h); // (B, T, Hkv·D)
    if (layer.qNorm !== null && layer.kNorm !== null) {
      q = reshape(rmsNorm(reshape(q, [B, T, H, D]), layer.qNorm, { eps }), [B, T, H * D]); // (B, T, H·D)
      k = reshape(rmsNorm(reshape(k, [B, T, Hkv, D]), layer.kNorm, { eps }), [B, T, Hkv * D]); // (B, T, Hkv·D)
    }
    q = rope(q, positions, ropeOptions); // (B, T, H·D)
    k = rope(k, positions, ropeOptions); // (B, T, Hkv·D)
    const { lengths, keyMask, segmentStarts } = masks;
    const att = causalAttention(q, k, v, { heads: H, kvHeads: Hkv, lengths, keyMask, segmentStarts }); // (B, T, H·D)
    const x1 = add(x, layer.o.forward(att)); // (B, T, C)
    const h2 = rmsNorm(x1, layer.ffnNorm, { eps }); // (B, T, C)
    const act = swiglu(layer.gate.forward(h2), layer.up.forward(h2)); // (B, T, F)
    return add(x1, layer.down.forward(act)); // (B, T, C)
  }

  /** Every linear layer, output last (it is token_embd's tensor when tied). */
  linears(): Linear[] {
    const out: Linear[] = [];
    for (const l of this.weights.layers) out.push(l.q, l.k, l.v, l.o, l.gate, l.up, l.down);
    out.push(this.weights.output);
    return out;
  }

  /**
   * All parameters with their GGUF names, each tensor once (a tied output is listed as
   * `token_embd.weight` only). LoRA factors are `<weight name>.lora_a` / `.lora_b`.
   */
  parameters(): NamedParameter[] {
    const out: NamedParameter[] = [];
    const seen = new Set<Tensor>();
    const push = (name: string, tensor: Tensor | null) => {
      if (tensor === null || seen.has(tensor)) return;
      seen.add(tensor);
      out.push({ name, tensor });
    };
    const pushLinear = (l: Linear) => {
      push(`${l.name}.weight`, l.weight);
      push(`${l.name}.bias`, l.bias);
      if (l.lora !== null) {
        push(`${l.name}.weight.lora_a`, l.lora.a);
        push(`${l.name}.weight.lora_b`, l.lora.b);
      }
    };
    push("token_embd.weight", this.weights.tokenEmbd);
    this.weights.layers.forEach((l, i) => {
      push(`blk.${i}.attn_norm.weight`, l.attnNorm);
      pushLinear(l.q);
      pushLinear(l.k);
      pushLinear(l.v);
      push(`blk.${i}.attn_q_norm.weight`, l.qNorm);
      push(`blk.${i}.attn_k_norm.weight`, l.kNorm);
      pushLinear(l.o);
      push(`blk.${i}.ffn_norm.weight`, l.ffnNorm);
      pushLinear(l.gate);
      pushLinear(l.up);
      pushLinear(l.down);
    });
    push("output_norm.weight", this.weights.outputNorm);
    pushLinear(this.weights.output);
    return out;
  }

  /** The parameters that currently receive gradients. */
  trainableParameters(): NamedParameter[] {
    return this.parameters().filter((p) => p.tensor.requiresGrad);
  }

  /** Stops every parameter (LoRA factors included) from receiving gradients. */
  freeze(): void {
    for (const p of this.parameters()) p.tensor.requiresGrad = false;
  }

  /**
   * Makes the parameters whose name passes `filter` trainable (all when omitted); the others keep
   * their current setting. E.g. `model.freeze(); model.unfreeze((n) => n.includes(".lora_"))`.
   */
  unfreeze(filter: (name: string) => boolean = () => true): void {
    for (const p of this.parameters()) if (filter(p.name)) p.tensor.requiresGrad = true;
  }

  /** Number of scalars in all parameters (trainable only with `trainableOnly`). */
  countParameters(trainableOnly = false): number {
    return (trainableOnly ? this.trainableParameters() : this.parameters()).reduce(
      (n, p) => n + p.tensor.size,
      0,
    );
  }
}

function layerParameters(l: DecoderLayer): Tensor[] {
  const out: Tensor[] = [l.attnNorm, l.ffnNorm];
  if (l.qNorm !== null) out.push(l.qNorm);
  if (l.kNorm !== null) out.push(l.kNorm);
  for (const lin of [l.q, l.k, l.v, l.o, l.gate, l.up, l.down]) {
    out.push(lin.weight);
    if (lin.bias !== null) out.push(lin.bias);
    if (lin.lora !== null) out.push(lin.lora.a, lin.lora.b);
  }
  return out;
}

const positionCache = new Map<number, Int32Array>();

function defaultPositions(T: number): Int32Array {
  let p = positionCache.get(T);
  if (p === undefined) {
    p = new Int32Array(T);
    for (let t = 0; t < T; t++) p[t] = t;
    positionCache.set(T, p);
  }
  return p;
}

/**
 * llama.cpp rotates pair i by pos · freq_scale · theta^(-2i/D) / rope_freqs[i] (ggml `rope_yarn`
 * with ext_factor 0); our rope op divides by freqFactors, so both folds go there.
 */
function resolveFreqFactors(
  config: CausalLMConfig,
  ropeFreqs: Float32Array | null,
): Float32Array | undefined {
  if (ropeFreqs === null && config.ropeScale === 1) return undefined;
  const half = config.headDim / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = (ropeFreqs?.[i] ?? 1) * config.ropeScale;
  return out;
}
