/**
 * Activation recomputation ("gradient checkpointing", Chen et al. 2016) for one block of ops: the
 * forward runs without a tape and keeps only its input; the backward replays the block with a tape
 * from that input and back-propagates through the replay. Parameters read inside the block get
 * their gradients from the inner backward (accumulated into `.grad` as usual), so the outer node
 * returns null for them; they are listed as inputs only so the node is recorded when nothing but a
 * parameter needs a gradient (a frozen embedding under LoRA).
 */
import { InternalError } from "../../errors.js";
import { record } from "../../tensor/autograd.js";
import { backward, isGradEnabled, noGrad } from "../../tensor/index.js";
import { Tensor } from "../../tensor/Tensor.js";

export function checkpoint(fn: (x: Tensor) => Tensor, x: Tensor, params: readonly Tensor[]): Tensor {
  const inputs = [x, ...params];
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn(x);
  const y = noGrad(() => fn(x));
  const out = new Tensor(y.data, y.shape);
  return record(out, "checkpoint", inputs, (g, needs) => {
    if (!isGradEnabled()) {
      throw new InternalError("checkpoint: backward ran under noGrad, so the block cannot be replayed");
    }
    const xin = new Tensor(x.data, x.shape, { requiresGrad: needs[0] });
    const replay = fn(xin);
    if (replay.requiresGrad) backward(replay, { grad: g });
    const gx = needs[0] ? (xin.grad?.data ?? new Float32Array(x.size)) : null;
    return [gx, ...params.map(() => null)];
  });
}
