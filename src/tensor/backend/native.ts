/**
 * The native backend: the only file that knows the addon's surface (native/src/addon.cc). It
 * finds `build/Release/genrm_native.node` by walking up from this module (the same code runs from
 * src/ under tsx and from dist/), and wraps the kernels in the `Backend` interface. Kernels the
 * addon does not provide fall through to the reference backend.
 *
 * Every call is synchronous: it blocks the event loop for the kernel's duration (milliseconds
 * for a training step's GEMMs), and the addon's own thread pool does the parallel work.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { referenceBackend } from "./reference.js";
import type { Backend, RopeStyle } from "./types.js";

/** The addon's exports, as registered in native/src/addon.cc. */
interface NativeAddon {
  /** Instruction set the GEMM micro-kernel dispatched to: "avx512", "avx2", "neon" or "scalar". */
  isa(): string;
  /** Threads in the pool, including the calling thread. */
  threads(): number;
  /** Resizes the pool; 0 means the number of cores this process may run on. */
  setThreads(n: number): void;
  gemm(
    c: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    N: number,
    K: number,
    transA: boolean,
    transB: boolean,
    accumulate: boolean,
  ): void;
  rmsnormForward(
    out: Float32Array,
    rstd: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void;
  rmsnormBackward(
    dinp: Float32Array,
    dweight: Float32Array,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    rstd: Float32Array,
    N: number,
    C: number,
  ): void;
  /** style: 0 = neox, 1 = interleaved. */
  rope(
    out: Float32Array,
    inp: Float32Array,
    positions: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    N: number,
    H: number,
    D: number,
    style: number,
    inverse: boolean,
  ): void;
  swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void;
  swigluBackward(
    dgate: Float32Array,
    dup: Float32Array,
    dout: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    n: number,
  ): void;
  /** keyMask: a Uint8Array (B*T) or null. */
  attentionForward(
    out: Float32Array,
    lse: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    keyMask: Uint8Array | null,
    segmentStarts: Int32Array | null,
    B: number,
    T: number,
    H: number,
    Hkv: number,
    D: number,
    scale: number,
  ): void;
  attentionBackward(
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dout: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    out: Float32Array,
    lse: Float32Array,
    keyMask: Uint8Array | null,
    segmentStarts: Int32Array | null,
    B: number,
    T: number,
    H: number,
    Hkv: number,
    D: number,
    scale: number,
  ): void;
  crossentropyForward(
    losses: Float32Array,
    lse: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;
  crossentropyBackward(
    dlogits: Float32Array,
    dlosses: Float32Array,
    logits: Float32Array,
    lse: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;
  adamw(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void;
}

export interface NativeBackend extends Backend {
  readonly name: "native";
  readonly isa: string;
  threads(): number;
  setThreads(n: number): void;
}

const ADDON_FILE = join("build", "Release", "genrm_native.node");

let cached: { backend: NativeBackend | null; error: string } | null = null;

/**
 * Loads the addon once; never throws. `error` says why when `backend` is null.
 * `GENRM_NATIVE_ADDON` names the .node file to load instead of searching for it.
 */
export function loadNativeBackend(): { backend: NativeBackend | null; error: string } {
  if (cached !== null) return cached;
  const override = process.env.GENRM_NATIVE_ADDON;
  const path = override ? (existsSync(override) ? override : null) : findAddon();
  if (path === null) {
    cached = {
      backend: null,
      error: override
        ? `GENRM_NATIVE_ADDON=${override} does not exist`
        : `${ADDON_FILE} not found (the native build was skipped or failed)`,
    };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    cached = { backend: wrap(addon), error: "" };
  } catch (err) {
    cached = { backend: null, error: `loading ${path} failed: ${(err as Error).message}` };
  }
  return cached;
}

function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

const ropeStyleCode: Record<RopeStyle, number> = { neox: 0, interleaved: 1 };

function wrap(addon: NativeAddon): NativeBackend {
  return {
    ...referenceBackend,
    name: "native",
    isa: addon.isa(),
    threads: () => addon.threads(),
    setThreads: (n) => addon.setThreads(n),
    gemm: (c, a, b, M, N, K, transA, transB, accumulate) =>
      addon.gemm(c, a, b, M, N, K, transA, transB, accumulate),
    rmsnormForward: (out, rstd, inp, weight, N, C, eps) =>
      addon.rmsnormForward(out, rstd, inp, weight, N, C, eps),
    rmsnormBackward: (dinp, dweight, dout, inp, weight, rstd, N, C) =>
      addon.rmsnormBackward(dinp, dweight, dout, inp, weight, rstd, N, C),
    rope: (out, inp, positions, cos, sin, N, H, D, style, inverse) =>
      addon.rope(out, inp, positions, cos, sin, N, H, D, ropeStyleCode[style], inverse),
    swigluForward: (out, gate, up, n) => addon.swigluForward(out, gate, up, n),
    swigluBackward: (dgate, dup, dout, gate, up, n) => addon.swigluBackward(dgate, dup, dout, gate, up, n),
    attentionForward: (out, lse, q, k, v, keyMask, segmentStarts, B, T, H, Hkv, D, scale) =>
      addon.attentionForward(out, lse, q, k, v, keyMask, segmentStarts, B, T, H, Hkv, D, scale),
    attentionBackward: (
      dq,
      dk,
      dv,
      dout,
      q,
      k,
      v,
      out,
      lse,
      keyMask,
      segmentStarts,
      B,
      T,
      H,
      Hkv,
      D,
      scale,
    ) =>
      addon.attentionBackward(
        dq,
        dk,
        dv,
        dout,
        q,
        k,
        v,
        out,
        lse,
        keyMask,
        segmentStarts,
        B,
        T,
        H,
        Hkv,
        D,
        scale,
      ),
    crossentropyForward: (losses, lse, logits, targets, N, V, ignoreIndex) =>
      addon.crossentropyForward(losses, lse, logits, targets, N, V, ignoreIndex),
    crossentropyBackward: (dlogits, dlosses, logits, lse, targets, N, V, ignoreIndex) =>
      addon.crossentropyBackward(dlogits, dlosses, logits, lse, targets, N, V, ignoreIndex),
    adamw: (param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step) =>
      addon.adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step),
  };
}
