/**
 * Float32 <-> GGUF tensor bytes for F32, F16, BF16 and Q8_0, little-endian. Rounding matches ggml's
 * reference paths: F16 and BF16 round to nearest even, Q8_0 uses `d = amax / 127` and rounds half away
 * from zero (`quantize_row_q8_0_ref`), with `d` stored as F16. Other types are not handled here.
 */

import { InternalError } from "../../errors.js";
import type { GgmlTensorType } from "./ggmlTypes.js";

export const Q8_0_BLOCK = 32;
const Q8_0_BYTES = 34;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** IEEE half bits for one float, round to nearest even; overflow saturates to ±Inf as ggml does. */
export function f32ToF16Bits(value: number): number {
  scratchF32[0] = value;
  return f32BitsToF16Bits(scratchU32[0]!);
}

function f32BitsToF16Bits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: shift the implicit-1 mantissa right and round the bits shifted out.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

let f16Table: Float32Array | undefined;

/** All 65536 half values decoded once (256 KiB), so decoding is one lookup per element. */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  f16Table = table;
  return table;
}

export function f16BitsToF32(bits: number): number {
  return halfTable()[bits & 0xffff]!;
}

function f32BitsToBf16Bits(f: number): number {
  if ((f & 0x7fffffff) > 0x7f800000) return ((f >>> 16) | 0x40) & 0xffff;
  return ((f + 0x7fff + ((f >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Bytes needed to store `elements` values as `type`. */
export function encodedByteLength(type: GgmlTensorType, elements: number): number {
  switch (type) {
    case "F32":
      return elements * 4;
    case "F16":
    case "BF16":
      return elements * 2;
    case "Q8_0":
      if (elements % Q8_0_BLOCK !== 0) {
        throw new InternalError(`Q8_0 needs a multiple of ${Q8_0_BLOCK} elements, got ${elements}`);
      }
      return (elements / Q8_0_BLOCK) * Q8_0_BYTES;
  }
}

/**
 * Encode `src` into `out` (which must hold `encodedByteLength(type, src.length)` bytes from
 * `out.byteOffset`). Returns the number of bytes written.
 */
export function encodeTensorInto(type: GgmlTensorType, src: Float32Array, out: Uint8Array): number {
  const n = src.length;
  const bytes = encodedByteLength(type, n);
  if (out.length < bytes) throw new InternalError(`encode buffer holds ${out.length} bytes, needs ${bytes}`);
  const srcBits = new Uint32Array(src.buffer, src.byteOffset, n);
  switch (type) {
    case "F32": {
      out.set(new Uint8Array(src.buffer, src.byteOffset, bytes));
      return bytes;
    }
    case "F16":
    case "BF16": {
      const convert = type === "F16" ? f32BitsToF16Bits : f32BitsToBf16Bits;
      for (let i = 0; i < n; i++) {
        const h = convert(srcBits[i]!);
        out[2 * i] = h & 0xff;
        out[2 * i + 1] = h >>> 8;
      }
      return bytes;
    }
    case "Q8_0": {
      for (let b = 0, o = 0; b < n; b += Q8_0_BLOCK, o += Q8_0_BYTES) {
        let amax = 0;
        for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(src[b + j]!));
        const d = amax / 127;
        const id = d !== 0 ? 1 / d : 0;
        const h = f32ToF16Bits(d);
        out[o] = h & 0xff;
        out[o + 1] = h >>> 8;
        for (let j = 0; j < Q8_0_BLOCK; j++) {
          const x = src[b + j]! * id;
          // roundf: half away from zero.
          const q = x < 0 ? -Math.round(-x) : Math.round(x);
          out[o + 2 + j] = q & 0xff;
        }
      }
      return bytes;
    }
  }
}

export function encodeTensor(type: GgmlTensorType, src: Float32Array): Uint8Array {
  const out = new Uint8Array(encodedByteLength(type, src.length));
  encodeTensorInto(type, src, out);
  return out;
}

/** Decode `elements` values of `type` from `bytes` (starting at its byteOffset). */
export function decodeTensor(type: GgmlTensorType, bytes: Uint8Array, elements: number): Float32Array {
  const need = encodedByteLength(type, elements);
  if (bytes.length < need) throw new InternalError(`decode got ${bytes.length} bytes, needs ${need}`);
  const out = new Float32Array(elements);
  switch (type) {
    case "F32": {
      new Uint8Array(out.buffer).set(bytes.subarray(0, need));
      return out;
    }
    case "F16": {
      const table = halfTable();
      for (let i = 0; i < elements; i++) out[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
      return out;
    }
    case "BF16": {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < elements; i++) bits[i] = ((bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16) >>> 0;
      return out;
    }
    case "Q8_0": {
      const table = halfTable();
      const signed = new Int8Array(bytes.buffer, bytes.byteOffset, need);
      for (let b = 0, o = 0; b < elements; b += Q8_0_BLOCK, o += Q8_0_BYTES) {
        const d = table[bytes[o]! | (bytes[o + 1]! << 8)]!;
        for (let j = 0; j < Q8_0_BLOCK; j++) out[b + j] = signed[o + 2 + j]! * d;
      }
      return out;
    }
  }
}
