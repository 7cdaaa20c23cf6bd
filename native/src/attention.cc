// Causal self-attention with grouped-query heads, in query blocks of BR rows.
//   q, out, dq, dout: (B, T, H, D); k, v, dk, dv: (B, T, Hkv, D); key_mask: (B, T) or null,
//   nonzero = may be attended; lse: (B, H, T). Query head h reads KV head h / (H / Hkv).
//   forward:  for each query row i, s_j = scale · q_i·k_j over visible keys j <= i,
//             out_i = Σ softmax(s)_j v_j, lse_i = logsumexp(s). A row with no visible key gets
//             out_i = 0 and lse_i = -inf. Overwrites out and lse.
//   backward: recomputes p_j = exp(s_j - lse_i); with delta_i = dout_i·out_i,
//             ds_j = scale · p_j (dout_i·v_j - delta_i): dq_i += Σ ds_j k_j, dk_j += ds_j q_i,
//             dv_j += p_j dout_i. Accumulates into dq, dk, dv.
// Each block of BR query rows computes its scores against keys [0, block end) with the packed
// GEMM (gemm_serial, strided views into q/k/v, no copies), so only a BR × T score block per
// thread is ever stored; the backward rebuilds P from lse (FlashAttention's recipe) and does
// dP = dO·Vᵀ, dQ += dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO as four more GEMMs.
// Threads: the forward splits (b, h, query block). The backward splits (b, kv head, row chunk):
// a task owns dq for its rows of the group's query heads; the group's dk/dv are written directly
// when it has one chunk, else into per-task buffers summed afterwards. No two threads write the
// same memory. Row chunks carry equal causal work (boundaries at T·sqrt(r/R)).
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

// Turns raw scores q·k (n keys) of query row i into probabilities in place:
// p_j = exp(scale·s_j - shift) for visible keys, 0 otherwise. With shift = NAN the row's own
// logsumexp is used and the row is normalised. Returns the logsumexp (-inf: nothing visible).
GENRM_CLONES float row_softmax(float* s, int64_t n, int64_t i, const uint8_t* mask, float scale, float shift) {
  const int64_t visible = std::min(n, i + 1);
  float m = -INFINITY;
  for (int64_t j = 0; j < visible; j++) {
    const bool ok = mask == nullptr || mask[j] != 0;
    s[j] = ok ? s[j] * scale : -INFINITY;
    m = std::max(m, s[j]);
  }
  for (int64_t j = visible; j < n; j++) s[j] = 0.f;
  if (m == -INFINITY) {
    for (int64_t j = 0; j < visible; j++) s[j] = 0.f;
    return -INFINITY;
  }
  const bool normalise = std::isnan(shift);
  const float sub = normalise ? m : shift;
  float l = 0.f;
#pragma omp simd reduction(+ : l)
  for (int64_t j = 0; j < visible; j++) {
    const float p = s[j] == -INFINITY ? 0.f : fast_exp(s[j] - sub);
    s[j] = p;
    l += p;
  }
  if (!normalise) return shift;
  const float inv = 1.f / l;
#pragma omp simd
  for (int64_t j = 0; j < visible; j++) s[j] *= inv;
  return m + std::log(l);
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
                   const Dims& d, int64_t b, int64_t h, int64_t i0, int64_t i1) {
  const int64_t hk = h / (d.H / d.Hkv);
  const int64_t qs = d.H * d.D, ks = d.Hkv * d.D;
  const int64_t rows = i1 - i0, n = i1, ld = n;
  const float* qb = q + (b * d.T + i0) * qs + h * d.D;
  const float* kb = k + b * d.T * ks + hk * d.D;
  const float* vb = v + b * d.T * ks + hk * d.D;
  float* ob = out + (b * d.T + i0) * qs + h * d.D;
  const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T : nullptr;
  float* s = scores_buffer(rows * ld).data();
  gemm_serial(s, ld, qb, qs, kb, ks, rows, n, d.D, false, true, false);
  for (int64_t r = 0; r < rows; r++) {
    lse[(b * d.H + h) * d.T + i0 + r] = row_softmax(s + r * ld, n, i0 + r, mask, d.scale, NAN);
  }
  gemm_serial(ob, qs, s, ld, vb, ks, rows, d.D, n, false, false, false);
}

// Query rows [c0, c1) of every head in kv group (b, hk). dk/dv point at the group's (T, D)
// slices with row stride dkv_stride.
void backward_rows(float* dq, float* dk, float* dv, int64_t dkv_stride, const float* dout, const float* q,
                   const float* k, const float* v, const float* out, const float* lse, const uint8_t* key_mask,
                   const Dims& d, int64_t b, int64_t hk, int64_t c0, int64_t c1) {
  const int64_t rep = d.H / d.Hkv;
  const int64_t qs = d.H * d.D, ks = d.Hkv * d.D;
  const float* kb = k + b * d.T * ks + hk * d.D;
  const float* vb = v + b * d.T * ks + hk * d.D;
  const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T : nullptr;
  for (int64_t h = hk * rep; h < (hk + 1) * rep; h++) {
    for (int64_t i0 = c0; i0 < c1; i0 += BR) {
      const int64_t i1 = std::min(c1, i0 + BR);
      const int64_t rows = i1 - i0, n = i1, ld = n;
      const int64_t row0 = (b * d.T + i0) * qs + h * d.D;
      float* p = scores_buffer(rows * ld).data();
      float* ds = grad_buffer(rows * ld).data();
      gemm_serial(p, ld, q + row0, qs, kb, ks, rows, n, d.D, false, true, false);
      gemm_serial(ds, ld, dout + row0, qs, vb, ks, rows, n, d.D, false, true, false);
      for (int64_t r = 0; r < rows; r++) {
        const float L = lse[(b * d.H + h) * d.T + i0 + r];
        float* pr = p + r * ld;
        if (L == -INFINITY) {
          std::fill(pr, pr + n, 0.f);
          std::fill(ds + r * ld, ds + r * ld + n, 0.f);
          continue;
        }
        row_softmax(pr, n, i0 + r, mask, d.scale, L);
        const float delta = dot(dout + row0 + r * qs, out + row0 + r * qs, d.D);
        softmax_backward_row(ds + r * ld, pr, n, delta, d.scale);
      }
      gemm_serial(dq + row0, qs, ds, ld, kb, ks, rows, d.D, n, false, false, true);
      gemm_serial(dk, dkv_stride, ds, ld, q + row0, qs, n, d.D, rows, true, false, true);
      gemm_serial(dv, dkv_stride, p, ld, dout + row0, qs, n, d.D, rows, true, false, true);
    }
  }
}

}  // namespace

void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const uint8_t* key_mask, int64_t B, int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t blocks = (T + BR - 1) / BR;
  // Later blocks see more keys; handing out the largest first evens out the threads' finish.
  parallel_for(B * H * blocks, [&](int64_t task) {
    const int64_t blk = blocks - 1 - task % blocks, bh = task / blocks;
    forward_block(out, lse, q, k, v, key_mask, d, bh / H, bh % H, blk * BR, std::min(T, (blk + 1) * BR));
  });
}

void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                        const float* v, const float* out, const float* lse, const uint8_t* key_mask, int64_t B,
                        int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t groups = B * Hkv;
  const int64_t R = std::min<int64_t>((T + BR - 1) / BR,
                                      std::max<int64_t>(1, (4 * pool_threads() + groups - 1) / groups));
  const int64_t ks = Hkv * D;
  std::vector<float> priv;
  if (R > 1) priv.assign(static_cast<size_t>(groups * R * 2 * T * D), 0.f);
  parallel_for(groups * R, [&](int64_t task) {
    const int64_t g = task / R, r = task % R;
    const int64_t b = g / Hkv, hk = g % Hkv;
    float* dkp;
    float* dvp;
    int64_t stride;
    if (R == 1) {
      dkp = dk + b * T * ks + hk * D;
      dvp = dv + b * T * ks + hk * D;
      stride = ks;
    } else {
      dkp = priv.data() + task * 2 * T * D;
      dvp = dkp + T * D;
      stride = D;
    }
    backward_rows(dq, dkp, dvp, stride, dout, q, k, v, out, lse, key_mask, d, b, hk, chunk_start(T, r, R),
                  chunk_start(T, r + 1, R));
  });
  if (R == 1) return;
  parallel_for(groups, [&](int64_t g) {
    const int64_t b = g / Hkv, hk = g % Hkv;
    for (int64_t r = 0; r < R; r++) {
      const float* dkp = priv.data() + (g * R + r) * 2 * T * D;
      const float* dvp = dkp + T * D;
      // Chunk r only touched keys before its last row.
      const int64_t rows = chunk_start(T, r + 1, R);
      for (int64_t j = 0; j < rows; j++) {
        axpy(1.f, dkp + j * D, dk + (b * T + j) * ks + hk * D, D);
        axpy(1.f, dvp + j * D, dv + (b * T + j) * ks + hk * D, D);
      }
    }
  });
}

}  // namespace genrm
