// Causal self-attention with grouped-query heads (FlashAttention-style: scores never stored).
//   q, out, dq, dout: (B, T, H, D); k, v, dk, dv: (B, T, Hkv, D); key_mask: (B, T) or null,
//   nonzero = may be attended; lse: (B, H, T). Query head h reads KV head h / (H / Hkv).
//   forward:  for each query row i, s_j = scale · q_i·k_j over visible keys j <= i,
//             out_i = Σ softmax(s)_j v_j, lse_i = logsumexp(s). A row with no visible key gets
//             out_i = 0 and lse_i = -inf. Overwrites out and lse.
//   backward: recomputes p_j = exp(s_j - lse_i); with delta_i = dout_i·out_i,
//             ds_j = p_j (dout_i·v_j - delta_i): dq_i += scale Σ ds_j k_j, dk_j += scale ds_j q_i,
//             dv_j += p_j dout_i. Accumulates into dq, dk, dv.
// Threads: the forward splits (b, h, row chunk). The backward splits (b, kv head, row chunk):
// each task owns dq for its rows and the group's query heads; dk/dv for a kv head are written
// directly when the group has one chunk, else into per-task buffers summed afterwards, so no
// two threads write the same memory. Row chunks have equal causal work (boundaries at T·sqrt(r/R)).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

struct Dims {
  int64_t B, T, H, Hkv, D;
  float scale;
};

// First row of chunk r of R so every chunk has about the same number of (i, j <= i) pairs.
int64_t chunk_start(int64_t T, int64_t r, int64_t R) {
  if (r >= R) return T;
  return static_cast<int64_t>(static_cast<double>(T) * std::sqrt(static_cast<double>(r) / static_cast<double>(R)));
}

// Scaled scores of row i against keys 0..i into s; masked keys get -inf. Returns the max.
GENRM_CLONES float row_scores(float* s, const float* qi, const float* k, const uint8_t* mask, int64_t i,
                              int64_t kstride, int64_t D, float scale) {
  float m = -INFINITY;
  for (int64_t j = 0; j <= i; j++) {
    if (mask != nullptr && mask[j] == 0) {
      s[j] = -INFINITY;
      continue;
    }
    s[j] = dot(qi, k + j * kstride, D) * scale;
    m = std::max(m, s[j]);
  }
  return m;
}

// p_j = exp(s_j - shift) in place (0 where s_j = -inf); returns Σ p_j.
GENRM_CLONES float row_exp(float* s, int64_t n, float shift) {
  float l = 0.f;
#pragma omp simd reduction(+ : l)
  for (int64_t j = 0; j < n; j++) {
    const float p = s[j] == -INFINITY ? 0.f : fast_exp(s[j] - shift);
    s[j] = p;
    l += p;
  }
  return l;
}

GENRM_CLONES void forward_rows(float* out, float* lse, const float* q, const float* k, const float* v,
                               const uint8_t* key_mask, const Dims& d, int64_t b, int64_t h, int64_t i0, int64_t i1,
                               float* s) {
  const int64_t hk = h / (d.H / d.Hkv);
  const int64_t qstride = d.H * d.D, kstride = d.Hkv * d.D;
  const float* kb = k + (b * d.T * d.Hkv + hk) * d.D;
  const float* vb = v + (b * d.T * d.Hkv + hk) * d.D;
  const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T : nullptr;
  for (int64_t i = i0; i < i1; i++) {
    const float* qi = q + (b * d.T + i) * qstride + h * d.D;
    float* oi = out + (b * d.T + i) * qstride + h * d.D;
    std::fill(oi, oi + d.D, 0.f);
    const float m = row_scores(s, qi, kb, mask, i, kstride, d.D, d.scale);
    if (m == -INFINITY) {
      lse[(b * d.H + h) * d.T + i] = -INFINITY;
      continue;
    }
    const float l = row_exp(s, i + 1, m);
    for (int64_t j = 0; j <= i; j++)
      if (s[j] != 0.f) axpy(s[j], vb + j * kstride, oi, d.D);
    const float inv = 1.f / l;
#pragma omp simd
    for (int64_t c = 0; c < d.D; c++) oi[c] *= inv;
    lse[(b * d.H + h) * d.T + i] = m + std::log(l);
  }
}

// Rows [i0, i1) of every query head in kv group (b, hk). dk/dv point at this group's (T, D)
// slices with row stride dkv_stride (Hkv·D in the real tensors, D in a private buffer).
GENRM_CLONES void backward_rows(float* dq, float* dk, float* dv, int64_t dkv_stride, const float* dout,
                                const float* q, const float* k, const float* v, const float* out, const float* lse,
                                const uint8_t* key_mask, const Dims& d, int64_t b, int64_t hk, int64_t i0, int64_t i1,
                                float* s) {
  const int64_t rep = d.H / d.Hkv;
  const int64_t qstride = d.H * d.D, kstride = d.Hkv * d.D;
  const float* kb = k + (b * d.T * d.Hkv + hk) * d.D;
  const float* vb = v + (b * d.T * d.Hkv + hk) * d.D;
  const uint8_t* mask = key_mask != nullptr ? key_mask + b * d.T : nullptr;
  for (int64_t h = hk * rep; h < (hk + 1) * rep; h++) {
    for (int64_t i = i0; i < i1; i++) {
      const float L = lse[(b * d.H + h) * d.T + i];
      if (L == -INFINITY) continue;
      const int64_t row = (b * d.T + i) * qstride + h * d.D;
      const float* qi = q + row;
      const float* doi = dout + row;
      float* dqi = dq + row;
      const float delta = dot(doi, out + row, d.D);
      row_scores(s, qi, kb, mask, i, kstride, d.D, d.scale);
      row_exp(s, i + 1, L);
      for (int64_t j = 0; j <= i; j++) {
        const float p = s[j];
        if (p == 0.f) continue;
        const float* vj = vb + j * kstride;
        const float* kj = kb + j * kstride;
        const float ds = p * (dot(doi, vj, d.D) - delta) * d.scale;
        axpy(p, doi, dv + j * dkv_stride, d.D);
        axpy(ds, kj, dqi, d.D);
        axpy(ds, qi, dk + j * dkv_stride, d.D);
      }
    }
  }
}

}  // namespace

void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const uint8_t* key_mask, int64_t B, int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t heads = B * H;
  const int64_t R = std::min<int64_t>(T, std::max<int64_t>(1, (4 * pool_threads() + heads - 1) / heads));
  parallel_for(heads * R, [&](int64_t task) {
    thread_local std::vector<float> s;
    if (static_cast<int64_t>(s.size()) < T) s.resize(static_cast<size_t>(T));
    const int64_t bh = task / R, r = task % R;
    forward_rows(out, lse, q, k, v, key_mask, d, bh / H, bh % H, chunk_start(T, r, R), chunk_start(T, r + 1, R),
                 s.data());
  });
}

void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                        const float* v, const float* out, const float* lse, const uint8_t* key_mask, int64_t B,
                        int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale) {
  const Dims d{B, T, H, Hkv, D, scale};
  const int64_t groups = B * Hkv;
  const int64_t R = std::min<int64_t>(T, std::max<int64_t>(1, (4 * pool_threads() + groups - 1) / groups));
  const int64_t kstride = Hkv * D;
  // With one chunk per group each task owns its kv slices; otherwise each task gets private
  // (T, D) dk and dv buffers.
  std::vector<float> priv;
  if (R > 1) priv.assign(static_cast<size_t>(groups * R * 2 * T * D), 0.f);
  parallel_for(groups * R, [&](int64_t task) {
    thread_local std::vector<float> s;
    if (static_cast<int64_t>(s.size()) < T) s.resize(static_cast<size_t>(T));
    const int64_t g = task / R, r = task % R;
    const int64_t b = g / Hkv, hk = g % Hkv;
    float* dkp;
    float* dvp;
    int64_t stride;
    if (R == 1) {
      dkp = dk + (b * T * Hkv + hk) * D;
      dvp = dv + (b * T * Hkv + hk) * D;
      stride = kstride;
    } else {
      dkp = priv.data() + task * 2 * T * D;
      dvp = dkp + T * D;
      stride = D;
    }
    backward_rows(dq, dkp, dvp, stride, dout, q, k, v, out, lse, key_mask, d, b, hk, chunk_start(T, r, R),
                  chunk_start(T, r + 1, R), s.data());
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
        axpy(1.f, dkp + j * D, dk + (b * T + j) * kstride + hk * D, D);
        axpy(1.f, dvp + j * D, dv + (b * T + j) * kstride + hk * D, D);
      }
    }
  });
}

}  // namespace genrm
