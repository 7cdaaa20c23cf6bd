// Causal self-attention with grouped-query heads, in query blocks of BR rows.
//   q, out, dq, dout: (B, T, H, D); k, v, dk, dv: (B, T, Hkv, D); key_mask: (B, T) or null,
//   nonzero = may be attended; lse: (B, H, T). Query head h reads KV head h / (H / Hkv).
//   seg: (B, T) or null: packing, several sequences in one row; query i sees only keys
//   j in [seg_i, i] (a block-diagonal causal mask). Segments are contiguous (seg_i is seg_{i-1}
//   or i; the addon checks), so a block of rows starting at i0 needs no key before seg_{i0}.
//   forward:  for each query row i, s_j = scale · q_i·k_j over visible keys j <= i,
//             out_i = Σ softmax(s)_j v_j, lse_i = logsumexp(s). A row with no visible key gets
//             out_i = 0 and lse_i = -inf. Overwrites out and lse.
//   backward: recomputes p_j = exp(s_j - lse_i); with delta_i = dout_i·out_i,
//             ds_j = scale · p_j (dout_i·v_j - delta_i): dq_i += Σ ds_j k_j, dk_j += ds_j q_i,
//             dv_j += p_j dout_i. Accumulates into dq, dk, dv.
// Each block of BR query rows computes its scores against keys [seg_{i0}, block end) with the packed
// GEMM (gemm_serial, strided views into q/k/v, no copies), so only a BR × T score block per
// thread is ever stored; the backward rebuilds P from lse (FlashAttention's recipe) and does
// dP = dO·Vᵀ, dQ += dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO as four more GEMMs.
// Threads: the forward splits (b, h, query block). The backward splits (b, kv head, row chunk):
// a task owns dq for its rows of the group's query heads; the group's dk/dv are written directly
// when it has one chunk, else into per-task buffers (the keys the chunk can reach) summed
// afterwards. No two threads write the same memory. Row chunks carry equal causal work
// (boundaries at T·sqrt(r/R); equal row counts for packed rows, whose work grows linearly).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

constexpr int64_t BR = 64;

struct Dims {
  int64_t B, T, H, Hkv, D;
  float scale;
};

// First row of chunk r of R so every chunk has about the same number of (i, j <= i) pairs.
int64_t chunk_start(int64_t T, int64_t r, int64_t R) {
  if (r >= R) return T;
  return static_cast<int64_t>(static_cast<double>(T) * std::sqrt(static_cast<double>(r) / static_cast<double>(R)));
}

// Turns raw scores q·k (n keys) of one query row into probabilities in place, for keys
// [lo, hi) visible (lo: the row's segment start, hi: the row itself + 1, both relative to the
// first key): p_j = exp(scale·s_j - shift) for visible unmasked keys, 0 otherwise. With
// shift = NAN the row's own logsumexp is used and the row is normalised. Returns the
// logsumexp (-inf: nothing visible).
GENRM_CLONES float row_softmax(float* s, int64_t n, int64_t lo, int64_t hi, const uint8_t* mask, float scale,
                               float shift) {
  float m = -INFINITY;
  for (int64_t j = 0; j < lo; j++) s[j] = 0.f;
  for (int64_t j = lo; j < hi; j++) {
    const bool ok = mask == nullptr || mask[j] != 0;
    s[j] = ok ? s[j] * scale : -INFINITY;
    m = std::max(m, s[j]);
  }
  for (int64_t j = hi; j < n; j++) s[j] = 0.f;
  if (m == -INFINITY) {
    for (int64_t j = lo; j < hi; j++) s[j] = 0.f;
    return -INFINITY;
  }
  const bool normalise = std::isnan(shift);
  const float sub = normalise ? m : shift;
  float l = 0.f;
#pragma omp simd reduction(+ : l)
  for (int64_t j = lo; j < hi; j++) {
    const float p = s[j] == -INFINITY ? 0.f : fast_exp(s[j] - sub);
    s[j] = p;
    l += p;
  }
  if (!normalise) return shift;
  const float inv = 1.f / l;
#pragma omp simd
  for (int64_t j = lo; j < hi; j++) s[j] *= inv;
  return m + std::log(l);
}

// First key row i of sequence b may see.
inline int64_t seg_start(const int32_t* seg, const Dims& d, int64_t b, int64_t i) {
  return seg == nullptr ? 0 : seg[b * d.T + i];
}

// dS = scale · P ⊙ (dP - delta) in place of dP, row by row.
GENRM_CLONES void softmax_backward_row(float* dp, const float* p, int64_t n, float delta, float scale) {
#pragma omp simd
  for (int64_t j = 0; j < n; j++) dp[j] = scale * p[j] * (dp[j] - delta);
}

std::vector<float>& scores_buffer(int64_t n) {
  thread_local std::vector<float> buf;
  if (static_cast<int64_t>(buf.size()) < n) buf.resize(static_cast<size_t>(n));
  return buf;
}

std::vector<float>& grad_buffer(int64_t n) {
  thread_local std::vector<float> buf;
  if (static_cast<int64_t>(buf.size()) < n) buf.resize(static_cast<size_t>(n));
  return buf;
}

void forward_block(float* out, float* lse, const float* q, const float* k, const float* v, const uint8_t* key_mask,
                   const int32_t* seg, const Dims& d, int64_t b, int64_t h, int64_t i0, int64_t i1) {
  const int64_t hk = h / (d.H / d.Hkv);
  const int64_t qs = d.H * d.D, ks = d.Hkv * d.D;
  const int64_t k0 = seg_start(seg, d, b, i0);
  const int64_t rows = i1 - i0, n = i1 - k0, ld = n;
  const float* qb = q + (b * d.T + i0) * qs + h * d.D;
  const float* kb = k + (b * d.T + k0) * ks + hk * d.D;
  const float* vb = v + (b * d.T + k0) * ks + hk * d.D;
  float* ob = out + (b * d.T + i0) * qs + h * d.D;
  const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T + k0 : nullptr;
  float* s = scores_buffer(rows * ld).data();
  gemm_serial(s, ld, qb, qs, kb, ks, rows, n, d.D, false, true, false);
  for (int64_t r = 0; r < rows; r++) {
    const int64_t i = i0 + r;
    lse[(b * d.H + h) * d.T + i] =
        row_softmax(s + r * ld, n, seg_start(seg, d, b, i) - k0, i + 1 - k0, mask, d.scale, NAN);
  }
  gemm_serial(ob, qs, s, ld, vb, ks, rows, d.D, n, false, false, false);
}

// Query rows [c0, c1) of every head in kv group (b, hk). dk/dv point at the group's slices from
// key row key0 on (no block of these rows reaches a key before it), with row stride dkv_stride.
void backward_rows(float* dq, float* dk, float* dv, int64_t dkv_stride, int64_t key0, const float* dout,
                   const float* q, const float* k, const float* v, const float* out, const float* lse,
                   const uint8_t* key_mask, const int32_t* seg, const Dims& d, int64_t b, int64_t hk, int64_t c0,
                   int64_t c1) {
  const int64_t rep = d.H / d.Hkv;
  const int64_t qs = d.H * d.D, ks = d.Hkv * d.D;
  for (int64_t h = hk * rep; h < (hk + 1) * rep; h++) {
    for (int64_t i0 = c0; i0 < c1; i0 += BR) {
      const int64_t i1 = std::min(c1, i0 + BR);
      const int64_t k0 = seg_start(seg, d, b, i0);
      const int64_t rows = i1 - i0, n = i1 - k0, ld = n;
      const int64_t row0 = (b * d.T + i0) * qs + h * d.D;
      const float* kb = k + (b * d.T + k0) * ks + hk * d.D;
      const float* vb = v + (b * d.T + k0) * ks + hk * d.D;
      const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T + k0 : nullptr;
      float* p = scores_buffer(rows * ld).data();
      float* ds = grad_buffer(rows * ld).data();
      gemm_serial(p, ld, q + row0, qs, kb, ks, rows, n, d.D, false, true, false);
      gemm_serial(ds, ld, dout + row0, qs, vb, ks, rows, n, d.D, false, true, false);
      for (int64_t r = 0; r < rows; r++) {
        const int64_t i = i0 + r;
        const float L = lse[(b * d.H + h) * d.T + i];
        float* pr = p + r * ld;
        if (L == -INFINITY) {
          std::fill(pr, pr + n, 0.f);
          std::fill(ds + r * ld, ds + r * ld + n, 0.f);
          continue;
        }
        row_softmax(pr, n, seg_start(seg, d, b, i) - k0, i + 1 - k0, mask, d.scale, L);
        const float delta = dot(dout + row0 + r * qs, out + row0 + r * qs, d.D);
        softmax_backward_row(ds + r * ld, pr, n, delta, d.scale);
      }
      gemm_serial(dq + row0, qs, ds, ld, kb, ks, rows, d.D, n, false, false, true);
      float* dkb = dk + (k0 - key0) * dkv_stride;
      float* dvb = dv + (k0 - key0) * dkv_stride;
      gemm_serial(dkb, dkv_stride, ds, ld, q + row0, qs, n, d.D, rows, true, false, true);
      gemm_serial(dvb, dkv_stride, p, ld, dout + row0, qs, n, d.D, rows, true, false, true);
    }
  }
}

}  // namespace

void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const uint8_t* key_mask, const int32_t* seg, int64_t B, int64_t T, int64_t H, int64_t Hkv,
                       int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t blocks = (T + BR - 1) / BR;
  // Later blocks see more keys; handing out the largest first evens out the threads' finish.
  parallel_for(B * H * blocks, [&](int64_t task) {
    const int64_t blk = blocks - 1 - task % blocks, bh = task / blocks;
    forward_block(out, lse, q, k, v, key_mask, seg, d, bh / H, bh % H, blk * BR, std::min(T, (blk + 1) * BR));
  });
}

void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                        const float* v, const float* out, const float* lse, const uint8_t* key_mask,
                        const int32_t* seg, int64_t B, int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t groups = B * Hkv;
  const int64_t R = std::min<int64_t>((T + BR - 1) / BR,
                                      std::max<int64_t>(1, (4 * pool_threads() + groups - 1) / groups));
  const int64_t ks = Hkv * D;
  const auto bound = [&](int64_t r) {
    if (seg == nullptr) return chunk_start(T, r, R);
    return r >= R ? T : T * r / R;
  };
  // Chunk (g, r) owns rows [bound(r), bound(r+1)) and reaches keys [seg of its first row, its end).
  std::vector<int64_t> key0(static_cast<size_t>(groups * R)), offset(static_cast<size_t>(groups * R + 1), 0);
  for (int64_t task = 0; task < groups * R; task++) {
    const int64_t b = task / R / Hkv, r = task % R;
    const int64_t c0 = bound(r), c1 = bound(r + 1);
    key0[task] = c0 < c1 ? seg_start(seg, d, b, c0) : c1;
    offset[task + 1] = offset[task] + (R > 1 ? 2 * (c1 - key0[task]) * D : 0);
  }
  std::vector<float> priv(static_cast<size_t>(offset[groups * R]), 0.f);
  parallel_for(groups * R, [&](int64_t task) {
    const int64_t g = task / R, r = task % R;
    const int64_t b = g / Hkv, hk = g % Hkv;
    const int64_t c0 = bound(r), c1 = bound(r + 1);
    if (c0 >= c1) return;
    if (R == 1) {
      backward_rows(dq, dk + b * T * ks + hk * D, dv + b * T * ks + hk * D, ks, 0, dout, q, k, v, out, lse, key_mask,
                    seg, d, b, hk, c0, c1);
    } else {
      float* dkp = priv.data() + offset[task];
      float* dvp = dkp + (c1 - key0[task]) * D;
      backward_rows(dq, dkp, dvp, D, key0[task], dout, q, k, v, out, lse, key_mask, seg, d, b, hk, c0, c1);
    }
  });
  if (R == 1) return;
  parallel_for(groups, [&](int64_t g) {
    const int64_t b = g / Hkv, hk = g % Hkv;
    for (int64_t r = 0; r < R; r++) {
      const int64_t task = g * R + r;
      const int64_t j0 = key0[task], j1 = bound(r + 1);
      if (j1 <= j0) continue;
      const float* dkp = priv.data() + offset[task];
      const float* dvp = dkp + (j1 - j0) * D;
      for (int64_t j = j0; j < j1; j++) {
        axpy(1.f, dkp + (j - j0) * D, dk + (b * T + j) * ks + hk * D, D);
        axpy(1.f, dvp + (j - j0) * D, dv + (b * T + j) * ks + hk * D, D);
      }
    }
  });
}

}  // namespace genrm
