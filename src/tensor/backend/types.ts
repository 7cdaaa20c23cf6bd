/**
 * The kernel surface a backend implements. Every kernel works on flat row-major Float32Arrays and
 * takes its arguments in llm.c's order: outputs, saved statistics, inputs and weights, then dims.
 * Letters: B batch, T time, C channels, N rows (B*T), H query heads, Hkv key/value heads,
 * D head dim, V vocab, M/N/K the GEMM dims.
 *
 * Forward kernels overwrite their outputs. Backward kernels accumulate (`+=`) into theirs, like
 * llm.c; the ops pass fresh zeroed arrays, and the autograd walker sums across uses.
 */

/** RoPE pairing: "neox" rotates (i, i + D/2) (Qwen2/3, GPT-NeoX); "interleaved" rotates (2i, 2i+1) (llama.cpp's normal mode for Llama). */
export type RopeStyle = "neox" | "interleaved";

export interface Backend {
  readonly name: "reference" | "native";

  /**
   * c (M, N) = op(a) (M, K) · op(b) (K, N), or += when `accumulate`. a is stored (M, K), or (K, M)
   * when `transA`; b is stored (K, N), or (N, K) when `transB`.
   */
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

  /** out (N, C) = inp · rstd · weight over C; rstd (N) saved for backward. */
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

  /**
   * inp/out (N, H, D); row r rotates by angles of position `positions[r]`, read from the tables
   * cos/sin (P, D/2). `inverse` rotates by the negative angle (the backward of a rotation).
   * The backward is this kernel with `inverse` set and overwrite semantics.
   */
  rope(
    out: Float32Array,
    inp: Float32Array,
    positions: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    N: number,
    H: number,
    D: number,
    style: RopeStyle,
    inverse: boolean,
  ): void;

  /** out (n) = silu(gate) · up. */
  swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, n: number): void;
  swigluBackward(
    dgate: Float32Array,
    dup: Float32Array,
    dout: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    n: number,
  ): void;

  /**
   * Causal self-attention with grouped KV heads. q/out (B, T, H, D), k/v (B, T, Hkv, D); query
   * head h reads KV head floor(h / (H / Hkv)). keyMask (B, T), 1 = may be attended, or null.
   * segmentStarts (B, T) or null: query t sees keys [segmentStarts[t], t] of its row (packing;
   * contiguous segments, checked by the op); null = [0, t].
   * lse (B, H, T) saved for backward: the log-sum-exp of each row's scaled scores, -Infinity
   * (and a zero output row) where no key is visible.
   */
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

  /**
   * losses (N) = logsumexp(logits row) - logits[target]; 0 where target == ignoreIndex.
   * lse (N) saved for backward.
   */
  crossentropyForward(
    losses: Float32Array,
    lse: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;
  /** dlogits (N, V) += dlosses[n] · (softmax(logits row) - onehot(target)); ignored rows get nothing. */
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

  /**
   * In-place AdamW (Loshchilov & Hutter, decoupled weight decay) with bias correction for step
   * `step` (1-based): param -= lr · (m̂ / (sqrt(v̂) + eps) + weightDecay · param).
   */
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
