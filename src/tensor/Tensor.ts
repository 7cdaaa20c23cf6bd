/**
 * A float32 tensor: contiguous row-major data, a shape, and the autograd fields. There are no
 * strides; an op that needs another layout copies. Ops never write into their inputs' data, so a
 * reshape may share its input's buffer. The only in-place writers are the optimizer (parameter
 * data) and backward (`.grad` of leaves).
 */

import { createRng, type Rng } from "../random/index.js";
import type { Node } from "./autograd.js";
import { formatShape, ShapeError } from "./ShapeError.js";

export interface TensorOptions {
  /** Leaf that should receive `.grad` from `backward`. Defaults to false. */
  requiresGrad?: boolean;
  /** Shown in errors and debug output. Defaults to none. */
  name?: string;
}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** True for parameters and for every op output computed from one while grad mode is on. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf (same shape); null until a backward reaches it. */
  grad: Tensor | null = null;
  /** The op that produced this tensor; null for leaves and after backward frees the graph. */
  node: Node | null = null;
  name?: string;

  constructor(data: Float32Array, shape: readonly number[], options: TensorOptions = {}) {
    const n = shapeSize(shape);
    if (data.length !== n) {
      throw new ShapeError("Tensor", `data has ${data.length} elements, shape needs ${n}`, { shape });
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
    this.name = options.name;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Size of dimension `i`; negative counts from the end. */
  dim(i: number): number {
    const d = this.shape[i < 0 ? this.shape.length + i : i];
    if (d === undefined) throw new ShapeError("dim", `no dimension ${i}`, { shape: this.shape });
    return d;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new ShapeError("item", "needs exactly one element", { shape: this.shape });
    }
    return this.data[0]!;
  }

  /** A tensor sharing this data with no gradient history. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  toString(): string {
    return `Tensor${this.name ? ` ${this.name}` : ""} ${formatShape(this.shape)}${this.requiresGrad ? " requiresGrad" : ""}`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError("shape", `bad dimension ${d}`, { shape });
    n *= d;
  }
  return n;
}

export function tensor(
  values: ArrayLike<number>,
  shape?: readonly number[],
  options?: TensorOptions,
): Tensor {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return new Tensor(data, shape ?? [data.length], options);
}

export function zeros(shape: readonly number[], options?: TensorOptions): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)), shape, options);
}

export function full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)).fill(value), shape, options);
}

export function scalar(value: number, options?: TensorOptions): Tensor {
  return new Tensor(Float32Array.of(value), [], options);
}

export interface RandomOptions extends TensorOptions {
  /** Seed for a fresh generator; ignored when `rng` is given. Defaults to 0. */
  seed?: number;
  /** Generator to draw from, so a model's init is one reproducible stream. Defaults to a new one. */
  rng?: Rng;
}

/** Normal(0, std²) values. */
export function randn(shape: readonly number[], std = 1, options: RandomOptions = {}): Tensor {
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
  return new Tensor(data, shape, options);
}

/** Uniform values in [lo, hi). */
export function uniform(shape: readonly number[], lo = 0, hi = 1, options: RandomOptions = {}): Tensor {
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.next();
  return new Tensor(data, shape, options);
}

/** A trainable leaf: the same data, with `requiresGrad` set. */
export function parameter(t: Tensor, name?: string): Tensor {
  return new Tensor(t.data, t.shape, { requiresGrad: true, name: name ?? t.name });
}
