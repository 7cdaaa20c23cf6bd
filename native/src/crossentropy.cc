// Softmax cross-entropy with integer targets.
//   forward:  lse (N) = logsumexp(logits row); losses (N) = lse - logits[target]. Overwrites.
//             Rows whose target is ignore_index get loss 0 (lse 0).
//   backward: dlogits (N, V) += dlosses[n] · (exp(logits - lse) - onehot(target)). Accumulates;
//             ignored rows are left untouched.
// Rows are split across threads; exp is the vectorised fast_exp (about 2 ulp).
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

GENRM_CLONES float row_lse(const float* x, int64_t V) {
  float m = -INFINITY;
#pragma omp simd reduction(max : m)
  for (int64_t j = 0; j < V; j++) m = std::max(m, x[j]);
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < V; j++) s += fast_exp(x[j] - m);
  return m + std::log(s);
}

GENRM_CLONES void row_grad(float* d, const float* x, float g, float lse, int64_t V) {
#pragma omp simd
  for (int64_t j = 0; j < V; j++) d[j] += g * fast_exp(x[j] - lse);
}

int64_t tasks_for(int64_t N, int64_t V) {
  const int64_t per = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, V));
  return std::max<int64_t>(1, std::min<int64_t>((N + per - 1) / per, 8 * pool_threads()));
}

}  // namespace

void crossentropy_forward(float* losses, float* lse, const float* logits, const int32_t* targets, int64_t N,
                          int64_t V, int32_t ignore_index) {
  const int64_t tasks = tasks_for(N, V);
  parallel_for(tasks, [&](int64_t t) {
    for (int64_t n = N * t / tasks; n < N * (t + 1) / tasks; n++) {
      if (targets[n] == ignore_index) {
        losses[n] = 0.f;
        lse[n] = 0.f;
        continue;
      }
      const float* x = logits + n * V;
      const float L = row_lse(x, V);
      lse[n] = L;
      losses[n] = L - x[targets[n]];
    }
  });
}

void crossentropy_backward(float* dlogits, const float* dlosses, const float* logits, const float* lse,
                           const int32_t* targets, int64_t N, int64_t V, int32_t ignore_index) {
  const int64_t tasks = tasks_for(N, V);
  parallel_for(tasks, [&](int64_t t) {
    for (int64_t n = N * t / tasks; n < N * (t + 1) / tasks; n++) {
      if (targets[n] == ignore_index) continue;
      row_grad(dlogits + n * V, logits + n * V, dlosses[n], lse[n], V);
      dlogits[n * V + targets[n]] -= dlosses[n];
    }
  });
}

}  // namespace genrm
