/**
 * Causal self-attention with grouped-query heads, fused: the T×T scores are never stored. The
 * forward keeps each row's log-sum-exp (B, H, T); the backward recomputes the probabilities
 * from it (the FlashAttention recipe), trading one extra QKᵀ for O(T²) less memory.
 *
 * `segmentStarts` packs several sequences into one row (TRL's padding-free batches): the causal
 * mask becomes block-diagonal, each token attending only to the keys of its own segment, so a
 * packed row computes what its segments would alone, without the padding.
 */
import { record } from "../autograd.js";
import { getBackend } from "../backend/index.js";
import { ShapeError } from "../ShapeError.js";
import { Tensor } from "../Tensor.js";
import { registerOp } from "./registry.js";

const ATTENTION = registerOp("causalAttention");

export interface AttentionOptions {
  /** Query heads H; q's last dim is H·D. */
  heads: number;
  /** Key/value heads Hkv (divides H); k's and v's last dim is Hkv·D. Defaults to `heads`. */
  kvHeads?: number;
  /**
   * (B·T) flags, 1 where a key may be attended (left or right padding). A query row that sees
   * no key gets a zero output and no gradient. Defaults to every key.
   */
  keyMask?: Uint8Array;
  /** Valid length of each right-padded sequence (B); keys at or after it are masked. Defaults to T. */
  lengths?: Int32Array;
  /**
   * (B·T) packing: the position in its row where each token's segment starts; a token attends only
   * to keys from there up to itself. Segments are contiguous: each entry equals the one before it
   * or its own position (0 at t = 0). Defaults to one segment per row (all zeros).
   */
  segmentStarts?: Int32Array;
  /** Score scale. Defaults to 1/sqrt(D). */
  scale?: number;
}

/** q (B, T, H·D), k and v (B, T, Hkv·D) -> (B, T, H·D). */
export function causalAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  const { heads: H, kvHeads: Hkv = options.heads, keyMask, lengths } = options;
  const shapes = { q: q.shape, k: k.shape, v: v.shape };
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) {
    throw new ShapeError("causalAttention", "q, k, v must be (B, T, heads·D)", shapes);
  }
  const [B, T, QC] = q.shape as [number, number, number];
  if (!(H > 0 && Hkv > 0 && H % Hkv === 0 && QC % H === 0)) {
    throw new ShapeError("causalAttention", `heads ${H} / kvHeads ${Hkv} do not fit`, shapes);
  }
  const D = QC / H;
  for (const t of [k, v]) {
    if (t.shape[0] !== B || t.shape[1] !== T || t.shape[2] !== Hkv * D) {
      throw new ShapeError("causalAttention", `k and v must be (${B}, ${T}, ${Hkv}·${D})`, shapes);
    }
  }
  const scale = options.scale ?? 1 / Math.sqrt(D);
  const mask = resolveMask(B, T, keyMask, lengths, shapes);
  const segments = options.segmentStarts ?? null;
  if (segments !== null) checkSegmentStarts(segments, B, T, shapes);
  const out = new Tensor(new Float32Array(q.size), q.shape);
  const lse = new Float32Array(B * H * T);
  getBackend().attentionForward(
    out.data,
    lse,
    q.data,
    k.data,
    v.data,
    mask,
    segments,
    B,
    T,
    H,
    Hkv,
    D,
    scale,
  );
  // The output itself is saved too: the backward needs rowwise dO·O.
  return record(out, ATTENTION, [q, k, v], (g, needs) => {
    const dq = new Float32Array(q.size);
    const dk = new Float32Array(k.size);
    const dv = new Float32Array(v.size);
    getBackend().attentionBackward(
      dq,
      dk,
      dv,
      g,
      q.data,
      k.data,
      v.data,
      out.data,
      lse,
      mask,
      segments,
      B,
      T,
      H,
      Hkv,
      D,
      scale,
    );
    return [needs[0] ? dq : null, needs[1] ? dk : null, needs[2] ? dv : null];
  });
}

function resolveMask(
  B: number,
  T: number,
  keyMask: Uint8Array | undefined,
  lengths: Int32Array | undefined,
  shapes: Record<string, readonly number[]>,
): Uint8Array | null {
  if (keyMask !== undefined && lengths !== undefined) {
    throw new ShapeError("causalAttention", "give keyMask or lengths, not both", shapes);
  }
  if (keyMask !== undefined) {
    if (keyMask.length !== B * T) {
      throw new ShapeError(
        "causalAttention",
        `keyMask has ${keyMask.length} entries, needs B·T = ${B * T}`,
        shapes,
      );
    }
    return keyMask;
  }
  if (lengths === undefined) return null;
  if (lengths.length !== B) {
    throw new ShapeError("causalAttention", `lengths has ${lengths.length} entries, needs B = ${B}`, shapes);
  }
  const mask = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) mask.fill(1, b * T, b * T + Math.max(0, Math.min(T, lengths[b])));
  return mask;
}

/** The kernels read keys from a block's first segment start on; anything else would misread. */
function checkSegmentStarts(
  starts: Int32Array,
  B: number,
  T: number,
  shapes: Record<string, readonly number[]>,
): void {
  if (starts.length !== B * T) {
    throw new ShapeError(
      "causalAttention",
      `segmentStarts has ${starts.length} entries, needs B·T = ${B * T}`,
      shapes,
    );
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const s = starts[b * T + t]!;
      const ok = t === 0 ? s === 0 : s === starts[b * T + t - 1] || s === t;
      if (!ok) {
        throw new ShapeError(
          "causalAttention",
          `segmentStarts[${b * T + t}] is ${s}: a segment start must repeat the previous one or be the position itself (${t})`,
          shapes,
        );
      }
    }
  }
}
