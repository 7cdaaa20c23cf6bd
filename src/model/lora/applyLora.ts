/**
 * LoRA (Hu et al. 2021) on a CausalLM's linear layers: each target gets A (r, in) and B (out, r)
 * and computes y = W x + (alpha / r) · B (A x), the form llama.cpp applies an adapter in
 * (`build_lora_mm`), so the trained factors export unchanged. A starts as PEFT's Kaiming-uniform
 * U(−1/√in, 1/√in) and B at zero, so the adapted model starts exactly equal to the base (which lets
 * DPO use the starting model as its reference). Everything else is frozen; only the factors train.
 */
import { ConfigError, UnsupportedError } from "../../errors.js";
import { createRng, parameter, Tensor, zeros } from "../../tensor/index.js";
import type { CausalLM } from "../llama/CausalLM.js";
import type { Linear } from "../llama/Linear.js";
import { allLoraTargets, defaultLoraAlpha, defaultLoraRank, type LoraTargetName } from "./loraDefaults.js";

export interface ApplyLoraOptions {
  /** r. Defaults to 8. */
  rank?: number;
  /** Scale numerator: the update is (alpha / r) · B·A. Defaults to 2 · rank (a common choice: scale 2). */
  alpha?: number;
  /** Which linear layers to adapt. Defaults to every attention and FFN projection (`allLoraTargets`). */
  targets?: readonly LoraTargetName[];
  /** Seed of A's init. Defaults to 0. */
  seed?: number;
}

export interface ApplyLoraResult {
  /** The adapted layers, in model order. */
  layers: Linear[];
  /** Scalars in the LoRA factors (the trainable count). */
  trainableParameters: number;
}

export function applyLora(model: CausalLM, options: ApplyLoraOptions = {}): ApplyLoraResult {
  const { rank = defaultLoraRank, targets = allLoraTargets, seed = 0 } = options;
  const alpha = options.alpha ?? defaultLoraAlpha(rank);
  const issues: string[] = [];
  if (!Number.isInteger(rank) || rank < 1) issues.push(`rank: must be a positive integer, got ${rank}`);
  if (!(alpha > 0)) issues.push(`alpha: must be positive, got ${alpha}`);
  const unknown = targets.filter((t) => t !== "output" && !allLoraTargets.includes(t));
  if (unknown.length > 0)
    issues.push(`targets: unknown ${unknown.join(", ")} (known: ${allLoraTargets.join(", ")}, output)`);
  if (targets.length === 0) issues.push("targets: needs at least one target");
  if (issues.length > 0) throw new ConfigError(issues);
  const wanted = new Set(targets);
  if (wanted.has("output") && model.config.tiedEmbeddings) {
    throw new UnsupportedError(
      "LoRA on the output projection of a model with tied embeddings (it is token_embd, which llama.cpp adapters do not share)",
    );
  }

  const rng = createRng(seed ^ 0x10a4);
  model.freeze();
  const layers: Linear[] = [];
  for (const [name, lin] of namedLinears(model)) {
    if (!wanted.has(name)) continue;
    if (lin.lora !== null) throw new UnsupportedError(`${lin.name} already has a LoRA adapter`);
    const inF = lin.inFeatures;
    const bound = 1 / Math.sqrt(inF);
    const a = new Float32Array(rank * inF);
    for (let j = 0; j < a.length; j++) a[j] = (2 * rng.next() - 1) * bound;
    lin.lora = {
      a: parameter(new Tensor(a, [rank, inF]), `${lin.name}.weight.lora_a`), // (r, in)
      b: parameter(zeros([lin.outFeatures, rank]), `${lin.name}.weight.lora_b`), // (out, r)
      rank,
      alpha,
    };
    layers.push(lin);
  }
  const trainableParameters = layers.reduce((n, l) => n + l.lora!.a.size + l.lora!.b.size, 0);
  return { layers, trainableParameters };
}

/**
 * Folds every LoRA update into its base weight in place (W += (alpha / r) · B·A) and removes the
 * factors: the model then computes the same function with plain linear layers. The base weights
 * keep their `requiresGrad` setting.
 */
export function mergeLora(model: CausalLM): void {
  for (const lin of model.linears()) {
    if (lin.lora === null) continue;
    lin.weight.data.set(lin.mergedWeight());
    lin.lora = null;
  }
}

/** Drops every LoRA adapter without merging it. */
export function removeLora(model: CausalLM): void {
  for (const lin of model.linears()) lin.lora = null;
}

/** Every linear layer with its target name, in model order. */
export function namedLinears(model: CausalLM): [LoraTargetName, Linear][] {
  const out: [LoraTargetName, Linear][] = [];
  for (const l of model.weights.layers) {
    out.push(
      ["attn_q", l.q],
      ["attn_k", l.k],
      ["attn_v", l.v],
      ["attn_output", l.o],
      ["ffn_gate", l.gate],
      ["ffn_up", l.up],
      ["ffn_down", l.down],
    );
  }
  out.push(["output", model.weights.output]);
  return out;
}
