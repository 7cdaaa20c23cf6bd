/** Row gather (token embeddings, or picking hidden states at given positions) with scatter-add backward. */
import { record } from "../autograd.js";
import { ShapeError } from "../ShapeError.js";
import { shapeSize, Tensor } from "../Tensor.js";
import { registerOp } from "./registry.js";

const EMBEDDING = registerOp("embedding");

/**
 * weight (V, C) rows at `ids` -> (...idsShape, C). `idsShape` defaults to [ids.length]. Rows used
 * several times get the sum of their gradients.
 */
export function embedding(weight: Tensor, ids: Int32Array, idsShape?: readonly number[]): Tensor {
  if (weight.ndim !== 2) throw new ShapeError("embedding", "weight must be (V, C)", { weight: weight.shape });
  const [V, C] = weight.shape as [number, number];
  const shape = idsShape ?? [ids.length];
  if (shapeSize(shape) !== ids.length) {
    throw new ShapeError("embedding", `${ids.length} ids do not fill idsShape`, { idsShape: shape });
  }
  const out = new Tensor(new Float32Array(ids.length * C), [...shape, C]);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r];
    if (!(id >= 0 && id < V)) {
      throw new ShapeError("embedding", `id ${id} at position ${r} is outside [0, ${V})`, {
        weight: weight.shape,
      });
    }
    out.data.set(weight.data.subarray(id * C, (id + 1) * C), r * C);
  }
  return record(out, EMBEDDING, [weight], (g) => {
    const gw = new Float32Array(weight.size);
    for (let r = 0; r < ids.length; r++) {
      const dst = ids[r] * C;
      const src = r * C;
      for (let c = 0; c < C; c++) gw[dst + c] += g[src + c];
    }
    return [gw];
  });
}

/** x (N, C) rows at `index` -> (index.length, C): the hidden state at each sequence's last token, say. */
export function gatherRows(x: Tensor, index: Int32Array): Tensor {
  return embedding(x, index);
}
