/**
 * Attaches LoRA factors (Hu et al. 2021) to a CausalLM's linear layers for training and freezes
 * everything else. A (r, in) starts as PEFT's Kaiming-uniform U(−1/√in, 1/√in), B (out, r) at zero,
 * so the adapted model starts exactly equal to the base model (which is what lets DPO use the
 * starting model as its reference). Seeded, one stream per run.
 *
 * TODO(model): switch to `src/model/lora/` when the model helper's LoRA module lands.
 */
import type { CausalLM } from "../model/llama/CausalLM.js";
import type { Linear } from "../model/llama/Linear.js";
import { createRng, parameter, Tensor, zeros } from "../tensor/index.js";
import type { LoraConfig, LoraTargetName } from "./config.js";

export function applyLora(model: CausalLM, config: LoraConfig, seed: number): void {
  const { rank, alpha, targets } = config;
  const rng = createRng(seed ^ 0x10a4);
  const wanted = new Set<LoraTargetName>(targets);
  model.freeze();
  for (const [i, layer] of model.weights.layers.entries()) {
    const byName: [LoraTargetName, Linear][] = [
      ["attn_q", layer.q],
      ["attn_k", layer.k],
      ["attn_v", layer.v],
      ["attn_output", layer.o],
      ["ffn_gate", layer.gate],
      ["ffn_up", layer.up],
      ["ffn_down", layer.down],
    ];
    for (const [name, lin] of byName) {
      if (!wanted.has(name)) continue;
      const inF = lin.inFeatures;
      const bound = 1 / Math.sqrt(inF);
      const a = new Float32Array(rank * inF);
      for (let j = 0; j < a.length; j++) a[j] = (2 * rng.next() - 1) * bound;
      lin.lora = {
        a: parameter(new Tensor(a, [rank, inF]), `blk.${i}.${name}.weight.lora_a`),
        b: parameter(zeros([lin.outFeatures, rank]), `blk.${i}.${name}.weight.lora_b`),
        rank,
        alpha,
      };
    }
  }
}
