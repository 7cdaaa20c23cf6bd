/**
 * Reverse-mode autograd. Each op output that needs a gradient carries a `Node`: the op's name,
 * its inputs, and a backward closure holding exactly what the backward needs. `backward(loss)`
 * walks the nodes that lead to parameters in reverse topological order, calls each closure once,
 * checks one gradient per input with the input's size, sums gradients of tensors used more than
 * once, adds (`+=`) into leaves' `.grad`, and then drops every node it visited so the activations
 * they hold can be collected. There is no retain-graph mode and no higher-order gradient.
 */
import { InternalError } from "../errors.js";
import { formatShape, ShapeError } from "./ShapeError.js";
import { Tensor } from "./Tensor.js";

/**
 * A backward closure receives the output's gradient and which inputs want one, and returns one
 * entry per input: a gradient with the input's size, or null (no gradient, or not wanted).
 * Returned arrays must not alias an array that is written later; the walker never writes into
 * them, so passing `gOut` straight through (reshape) is allowed.
 */
export type BackwardFn = (gOut: Float32Array, needsGrad: readonly boolean[]) => (Float32Array | null)[];

export interface Node {
  op: string;
  inputs: readonly Tensor[];
  backward: BackwardFn;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording any node (evaluation, reference log-probs for DPO). Synchronous on
 * purpose: a flag that spanned an `await` would switch grad off for unrelated code meanwhile.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new InternalError("noGrad(fn): fn must be synchronous; await outside noGrad");
    }
    return result;
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op over these inputs must record a node. */
export function needsTape(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Attaches a node to `out` when grad mode is on and some input requires grad; otherwise returns
 * `out` untouched. The backward closure is only kept in the first case, so ops can capture
 * saved tensors freely.
 */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!needsTape(inputs)) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward };
  return out;
}

export interface BackwardOptions {
  /** Gradient of the root; required when the root has more than one element. Defaults to 1. */
  grad?: Float32Array;
}

export function backward(root: Tensor, options: BackwardOptions = {}): void {
  let seed = options.grad;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new ShapeError("backward", "a non-scalar root needs an explicit grad", { root: root.shape });
    }
    seed = Float32Array.of(1);
  } else if (seed.length !== root.size) {
    throw new ShapeError("backward", `grad has ${seed.length} elements`, { root: root.shape });
  }
  if (!root.requiresGrad) {
    throw new InternalError(
      "backward: the root does not require grad (no parameter reaches it, or it was built under noGrad)",
    );
  }

  const order = topoOrder(root);
  const grads = new Map<Tensor, Float32Array>();
  accumulate(grads, root, seed);

  for (let i = order.length - 1; i >= 0; i--) {
    const out = order[i]!;
    const node = out.node!;
    const gOut = grads.get(out);
    grads.delete(out);
    out.node = null;
    if (gOut === undefined) continue;
    const needs = node.inputs.map((t) => t.requiresGrad);
    const gIns = node.backward(gOut, needs);
    if (gIns.length !== node.inputs.length) {
      throw new InternalError(
        `backward of ${node.op} returned ${gIns.length} gradients for ${node.inputs.length} inputs`,
      );
    }
    for (let j = 0; j < gIns.length; j++) {
      const g = gIns[j];
      const input = node.inputs[j]!;
      if (g === null || g === undefined || !input.requiresGrad) continue;
      if (g.length !== input.size) {
        throw new InternalError(
          `backward of ${node.op}: gradient ${j} has ${g.length} elements, input ${formatShape(input.shape)} has ${input.size}`,
        );
      }
      if (input.node === null) accumulateLeaf(input, g);
      else accumulate(grads, input, g);
    }
  }
  if (root.node === null && order.length === 0) accumulateLeaf(root, seed);
}

/** Nodes reachable from root through tensors that require grad, inputs before outputs. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: a deep model's graph (hundreds of ops per layer) would overflow recursion.
  const stack: [Tensor, number][] = [];
  if (root.node !== null) stack.push([root, 0]);
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = t.node!.inputs;
    if (next < inputs.length) {
      top[1] = next + 1;
      const child = inputs[next]!;
      if (child.requiresGrad && child.node !== null && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** Never writes into a stored array: it may be another tensor's gradient (reshape passes through). */
function accumulate(grads: Map<Tensor, Float32Array>, t: Tensor, g: Float32Array): void {
  const prev = grads.get(t);
  if (prev === undefined) {
    grads.set(t, g);
    return;
  }
  const sum = new Float32Array(prev.length);
  for (let i = 0; i < sum.length; i++) sum[i] = prev[i] + g[i];
  grads.set(t, sum);
}

function accumulateLeaf(leaf: Tensor, g: Float32Array): void {
  if (leaf.grad === null) {
    leaf.grad = new Tensor(Float32Array.from(g), leaf.shape);
    return;
  }
  const d = leaf.grad.data;
  for (let i = 0; i < d.length; i++) d[i] += g[i];
}
