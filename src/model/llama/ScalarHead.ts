/**
 * Scalar heads on a CausalLM's final hidden state (after `output_norm`), read at each sequence's
 * last real token:
 * - `createScalarHead`: the Bradley–Terry reward model head r(x, y) = w·h (no bias: BT sees only
 *   reward differences, as in transformers' `*ForSequenceClassification` with one label);
 * - `createPairwiseHead`: a PairRM-style comparator, one logit P(A ≻ B) = σ(w·h + b) over the
 *   concatenated (prompt, A, B) sequence; the bias can absorb a constant slot preference.
 * Parameter names (`score.weight`, `pairwise.weight`, `pairwise.bias`) match train/'s checkpoints.
 */

import { createRng } from "../../random/index.js";
import { gatherRows, linear, parameter, randn, reshape, zeros } from "../../tensor/index.js";
import type { Tensor } from "../../tensor/Tensor.js";
import type { CausalLM } from "./CausalLM.js";
import type { NamedParameter } from "./types.js";

export type ScalarHeadKind = "score" | "pairwise";

export interface ScalarHeadOptions {
  /** Seed of the N(0, 1/C) weight init. Defaults to 0. */
  seed?: number;
}

export class ScalarHead {
  readonly kind: ScalarHeadKind;
  /** (1, C). */
  readonly weight: Tensor;
  /** (1), or null. */
  readonly bias: Tensor | null;

  constructor(kind: ScalarHeadKind, weight: Tensor, bias: Tensor | null) {
    this.kind = kind;
    this.weight = weight;
    this.bias = bias;
  }

  /** hidden (B·T, C) read at `lastRows` (B row indices) -> scalars (B). */
  forward(hidden: Tensor, lastRows: Int32Array): Tensor {
    const h = gatherRows(hidden, lastRows); // (B, C)
    return reshape(linear(h, this.weight, this.bias), [lastRows.length]); // (B)
  }

  parameters(): NamedParameter[] {
    const out: NamedParameter[] = [{ name: `${this.kind}.weight`, tensor: this.weight }];
    if (this.bias !== null) out.push({ name: `${this.kind}.bias`, tensor: this.bias });
    return out;
  }
}

/** Bradley–Terry reward head, C -> 1, no bias. */
export function createScalarHead(model: CausalLM, options: ScalarHeadOptions = {}): ScalarHead {
  return createHead("score", model.config.hidden, options.seed ?? 0);
}

/** PairRM-style head, C -> 1 with a bias, over (prompt, A, B) sequences. */
export function createPairwiseHead(model: CausalLM, options: ScalarHeadOptions = {}): ScalarHead {
  return createHead("pairwise", model.config.hidden, options.seed ?? 0);
}

/**
 * Random N(0, 1/C) weights, not zero: a zero head would give the backbone (and its LoRA factors)
 * no gradient until the head itself had grown.
 */
function createHead(kind: ScalarHeadKind, C: number, seed: number): ScalarHead {
  const rng = createRng(seed ^ 0x5ca1ab1e);
  const weight = parameter(randn([1, C], 1 / Math.sqrt(C), { rng }), `${kind}.weight`); // (1, C)
  const bias = kind === "pairwise" ? parameter(zeros([1]), `${kind}.bias`) : null; // (1)
  return new ScalarHead(kind, weight, bias);
}

/** Row of each sequence's last real token in a right-padded (B, T) batch flattened to B·T rows. */
export function lastTokenRows(lengths: Int32Array, seqLen: number): Int32Array {
  return lengths.map((len, b) => b * seqLen + len - 1);
}
