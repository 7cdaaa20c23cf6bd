/**
 * The reference backend: every kernel in plain TypeScript, written to be read and trusted rather
 * than fast. Gradient checks run against it, the native kernels are tested against it, and it is
 * the fallback when the addon is not built. Sums over a row accumulate in JS doubles.
 */
import type { Backend, RopeStyle } from "./types.js";

export const referenceBackend: Backend = {
  name: "reference",

  gemm(c, a, b, M, N, K, transA, transB, accumulate) {
    if (!accumulate) c.fill(0, 0, M * N);
    const row = new Float64Array(N);
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let p = 0; p < K; p++) {
        const aip = transA ? a[p * M + i] : a[i * K + p];
        if (aip === 0) continue;
        if (transB) {
          for (let j = 0; j < N; j++) row[j] += aip * b[j * K + p];
        } else {
          const off = p * N;
          for (let j = 0; j < N; j++) row[j] += aip * b[off + j];
        }
      }
      const off = i * N;
      for (let j = 0; j < N; j++) c[off + j] += row[j];
    }
  },

  rmsnormForward(out, rstd, inp, weight, N, C, eps) {
    for (let n = 0; n < N; n++) {
      const off = n * C;
      let ss = 0;
      for (let c = 0; c < C; c++) ss += inp[off + c] * inp[off + c];
      const r = 1 / Math.sqrt(ss / C + eps);
      rstd[n] = r;
      for (let c = 0; c < C; c++) out[off + c] = inp[off + c] * r * weight[c];
    }
  },

  rmsnormBackward(dinp, dweight, dout, inp, weight, rstd, N, C) {
    for (let n = 0; n < N; n++) {
      const off = n * C;
      const r = rstd[n];
      // dx = r · (g - xhat · mean(g · xhat)) with g = dout · weight and xhat = x · r.
      let dot = 0;
      for (let c = 0; c < C; c++) dot += dout[off + c] * weight[c] * inp[off + c] * r;
      const meanDot = dot / C;
      for (let c = 0; c < C; c++) {
        const xhat = inp[off + c] * r;
        dinp[off + c] += r * (dout[off + c] * weight[c] - xhat * meanDot);
        dweight[c] += dout[off + c] * xhat;
      }
    }
  },

  rope(out, inp, positions, cos, sin, N, H, D, style, inverse) {
    const half = D / 2;
    const sign = inverse ? -1 : 1;
    for (let r = 0; r < N; r++) {
      const tab = positions[r] * half;
      for (let h = 0; h < H; h++) {
        const off = (r * H + h) * D;
        for (let i = 0; i < half; i++) {
          const [i1, i2] = ropePair(style, i, half);
          const c = cos[tab + i];
          const s = sign * sin[tab + i];
          const x1 = inp[off + i1];
          const x2 = inp[off + i2];
          out[off + i1] = x1 * c - x2 * s;
          out[off + i2] = x2 * c + x1 * s;
        }
      }
    }
  },

  swigluForward(out, gate, up, n) {
    for (let i = 0; i < n; i++) {
      const g = gate[i];
      out[i] = (g / (1 + Math.exp(-g))) * up[i];
    }
  },

  swigluBackward(dgate, dup, dout, gate, up, n) {
    for (let i = 0; i < n; i++) {
      const g = gate[i];
      const sig = 1 / (1 + Math.exp(-g));
      const silu = g * sig;
      dup[i] += dout[i] * silu;
      dgate[i] += dout[i] * up[i] * sig * (1 + g * (1 - sig));
    }
  },

  attentionForward(out, lse, q, k, v, keyMask, segmentStarts, B, T, H, Hkv, D, scale) {
    const rep = H / Hkv;
    const s = new Float64Array(T);
    const o = new Float64Array(D);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const hk = Math.floor(h / rep);
        for (let i = 0; i < T; i++) {
          const qo = ((b * T + i) * H + h) * D;
          const first = segmentStarts === null ? 0 : segmentStarts[b * T + i];
          let m = Number.NEGATIVE_INFINITY;
          for (let j = first; j <= i; j++) {
            if (keyMask !== null && keyMask[b * T + j] === 0) {
              s[j] = Number.NEGATIVE_INFINITY;
              continue;
            }
            const ko = ((b * T + j) * Hkv + hk) * D;
            let dot = 0;
            for (let d = 0; d < D; d++) dot += q[qo + d] * k[ko + d];
            s[j] = dot * scale;
            if (s[j] > m) m = s[j];
          }
          o.fill(0);
          if (m === Number.NEGATIVE_INFINITY) {
            lse[(b * H + h) * T + i] = Number.NEGATIVE_INFINITY;
          } else {
            let l = 0;
            for (let j = first; j <= i; j++) {
              if (s[j] === Number.NEGATIVE_INFINITY) continue;
              const p = Math.exp(s[j] - m);
              l += p;
              const vo = ((b * T + j) * Hkv + hk) * D;
              for (let d = 0; d < D; d++) o[d] += p * v[vo + d];
            }
            for (let d = 0; d < D; d++) o[d] /= l;
            lse[(b * H + h) * T + i] = m + Math.log(l);
          }
          for (let d = 0; d < D; d++) out[qo + d] = o[d];
        }
      }
    }
  },

  attentionBackward(dq, dk, dv, dout, q, k, v, out, lse, keyMask, segmentStarts, B, T, H, Hkv, D, scale) {
    const rep = H / Hkv;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const hk = Math.floor(h / rep);
        for (let i = 0; i < T; i++) {
          const L = lse[(b * H + h) * T + i];
          if (L === Number.NEGATIVE_INFINITY) continue;
          const qo = ((b * T + i) * H + h) * D;
          // delta = dO·O is the softmax Jacobian's correction: dS_j = P_j (dP_j - delta).
          let delta = 0;
          for (let d = 0; d < D; d++) delta += dout[qo + d] * out[qo + d];
          const first = segmentStarts === null ? 0 : segmentStarts[b * T + i];
          for (let j = first; j <= i; j++) {
            if (keyMask !== null && keyMask[b * T + j] === 0) continue;
            const ko = ((b * T + j) * Hkv + hk) * D;
            let dot = 0;
            for (let d = 0; d < D; d++) dot += q[qo + d] * k[ko + d];
            const p = Math.exp(dot * scale - L);
            let dp = 0;
            for (let d = 0; d < D; d++) {
              dv[ko + d] += p * dout[qo + d];
              dp += dout[qo + d] * v[ko + d];
            }
            const ds = p * (dp - delta) * scale;
            for (let d = 0; d < D; d++) {
              dq[qo + d] += ds * k[ko + d];
              dk[ko + d] += ds * q[qo + d];
            }
          }
        }
      }
    }
  },

  crossentropyForward(losses, lse, logits, targets, N, V, ignoreIndex) {
    for (let n = 0; n < N; n++) {
      const t = targets[n];
      if (t === ignoreIndex) {
        losses[n] = 0;
        lse[n] = 0;
        continue;
      }
      const off = n * V;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < V; j++) if (logits[off + j] > m) m = logits[off + j];
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(logits[off + j] - m);
      const L = m + Math.log(sum);
      lse[n] = L;
      losses[n] = L - logits[off + t];
    }
  },

  crossentropyBackward(dlogits, dlosses, logits, lse, targets, N, V, ignoreIndex) {
    for (let n = 0; n < N; n++) {
      const t = targets[n];
      if (t === ignoreIndex) continue;
      const off = n * V;
      const g = dlosses[n];
      const L = lse[n];
      for (let j = 0; j < V; j++) dlogits[off + j] += g * Math.exp(logits[off + j] - L);
      dlogits[off + t] -= g;
    }
  },

  adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step) {
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mhat = m[i] / c1;
      const vhat = v[i] / c2;
      param[i] -= lr * (mhat / (Math.sqrt(vhat) + eps) + weightDecay * param[i]);
    }
  },
};

/** Indices within a head of rotation pair i (0 <= i < D/2). */
export function ropePair(style: RopeStyle, i: number, half: number): [number, number] {
  return style === "neox" ? [i, i + half] : [2 * i, 2 * i + 1];
}
