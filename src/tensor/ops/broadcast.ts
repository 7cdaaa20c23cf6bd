/**
 * Numpy broadcasting for the binary elementwise ops. An operand maps each output index to one of
 * its own indices; the common model cases get closed forms so they need no index table:
 * the same shape, a suffix such as a bias (C) against (B, T, C) (index mod its size), and a
 * prefix with trailing 1s such as a per-row scale (N, 1) against (N, C) (index div the row width).
 */
import { ShapeError } from "../ShapeError.js";
import { shapeSize } from "../Tensor.js";

export type IndexMap =
  | { kind: "same" }
  | { kind: "scalar" }
  | { kind: "mod"; size: number }
  | { kind: "div"; inner: number }
  | { kind: "table"; index: Int32Array };

export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `cannot broadcast dimension ${i}`, { a, b });
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function indexMap(outShape: readonly number[], inShape: readonly number[]): IndexMap {
  const outSize = shapeSize(outShape);
  const inSize = shapeSize(inShape);
  if (inSize === outSize) return { kind: "same" };
  if (inSize === 1) return { kind: "scalar" };
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  // First and last dimension where the operand is not broadcast.
  let first = 0;
  while (padded[first] === 1 && outShape[first] !== 1) first++;
  let last = rank - 1;
  while (padded[last] === 1 && outShape[last] !== 1) last--;
  let contiguous = true;
  for (let i = first; i <= last; i++) if (padded[i] !== outShape[i]) contiguous = false;
  if (contiguous && last === rank - 1) return { kind: "mod", size: inSize };
  if (contiguous && first === 0) return { kind: "div", inner: outSize / inSize };

  const index = new Int32Array(outSize);
  const inStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = padded[i] === 1 ? 0 : stride;
    stride *= padded[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < outSize; o++) {
    index[o] = src;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += inStrides[d];
      if (counter[d] < outShape[d]) break;
      src -= inStrides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return { kind: "table", index };
}

/** Expands `data` (an operand) to the output's size. Returns `data` itself when no copy is needed. */
export function expand(data: Float32Array, map: IndexMap, outSize: number): Float32Array {
  switch (map.kind) {
    case "same":
      return data;
    case "scalar":
      return new Float32Array(outSize).fill(data[0]);
    case "mod": {
      const out = new Float32Array(outSize);
      for (let o = 0; o < outSize; o += map.size) out.set(data, o);
      return out;
    }
    case "div": {
      const out = new Float32Array(outSize);
      for (let r = 0; r < data.length; r++) out.fill(data[r], r * map.inner, (r + 1) * map.inner);
      return out;
    }
    case "table": {
      const out = new Float32Array(outSize);
      for (let o = 0; o < outSize; o++) out[o] = data[map.index[o]];
      return out;
    }
  }
}

/** The sum of `g` (output-sized) over the broadcast dimensions: the gradient of `expand`. */
export function reduceTo(g: Float32Array, map: IndexMap, inSize: number): Float32Array {
  switch (map.kind) {
    case "same":
      return g;
    case "scalar": {
      let s = 0;
      for (let o = 0; o < g.length; o++) s += g[o];
      return Float32Array.of(s);
    }
    case "mod": {
      const acc = new Float64Array(inSize);
      for (let o = 0; o < g.length; o += inSize) for (let i = 0; i < inSize; i++) acc[i] += g[o + i];
      return Float32Array.from(acc);
    }
    case "div": {
      const out = new Float32Array(inSize);
      for (let r = 0; r < inSize; r++) {
        let s = 0;
        for (let o = r * map.inner; o < (r + 1) * map.inner; o++) s += g[o];
        out[r] = s;
      }
      return out;
    }
    case "table": {
      const acc = new Float64Array(inSize);
      for (let o = 0; o < g.length; o++) acc[map.index[o]] += g[o];
      return Float32Array.from(acc);
    }
  }
}
