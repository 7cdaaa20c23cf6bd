/**
 * Scalar heads on a causal LM's final hidden state, read at each sequence's last real token:
 * the Bradley–Terry reward head (`score`, no bias: BT only sees reward differences, as in
 * transformers' `*ForSequenceClassification`) and the PairRM head (`pairwise`, with a bias, which
 * can absorb a constant preference for slot A or B). Heads live in train/ because only training
 * creates them; they are saved in checkpoints under these names for `genrm eval` to load.
 */
import {
  createRng,
  gatherRows,
  linear,
  parameter,
  randn,
  reshape,
  type Tensor,
  zeros,
} from "../tensor/index.js";

export type HeadKind = "score" | "pairwise";

export class ScalarHead {
  readonly kind: HeadKind;
  /** (1, C). */
  readonly weight: Tensor;
  /** (1), or null. */
  readonly bias: Tensor | null;

  constructor(kind: HeadKind, weight: Tensor, bias: Tensor | null) {
    this.kind = kind;
    this.weight = weight;
    this.bias = bias;
  }

  /**
   * Random N(0, 1/C) weights: not zero, so the backbone gets a gradient from the first step
   * (a zero head would leave every LoRA and backbone tensor unchanged until it grew).
   */
  static create(kind: HeadKind, hidden: number, seed: number): ScalarHead {
    const rng = createRng(seed ^ 0x5ca1ab1e);
    const weight = parameter(randn([1, hidden], 1 / Math.sqrt(hidden), { rng }), `${kind}.weight`);
    const bias = kind === "pairwise" ? parameter(zeros([1]), `${kind}.bias`) : null;
    return new ScalarHead(kind, weight, bias);
  }

  /** hidden (B·T, C) read at `lastRows` (B) -> scalars (B). */
  forward(hidden: Tensor, lastRows: Int32Array): Tensor {
    const h = gatherRows(hidden, lastRows); // (B, C)
    return reshape(linear(h, this.weight, this.bias), [lastRows.length]); // (B)
  }

  parameters(): { name: string; tensor: Tensor }[] {
    const out = [{ name: `${this.kind}.weight`, tensor: this.weight }];
    if (this.bias !== null) out.push({ name: `${this.kind}.bias`, tensor: this.bias });
    return out;
  }
}

/** Row of each sequence's last real token in a right-padded (B, T) batch. */
export function lastTokenRows(lengths: Int32Array, seqLen: number): Int32Array {
  return lengths.map((len, b) => b * seqLen + len - 1);
}
