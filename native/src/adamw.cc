// AdamW (Loshchilov & Hutter 2019), in place on param, m, v (n values each), step 1-based:
//   m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²
//   param -= lr · (m/(1-b1^step) / (sqrt(v/(1-b2^step)) + eps) + weight_decay · param)
// Chunks are split across threads.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

constexpr int64_t CHUNK = 1 << 15;

GENRM_CLONES void adamw_range(float* param, const float* grad, float* m, float* v, int64_t i0, int64_t i1, float lr,
                              float beta1, float beta2, float eps, float weight_decay, float c1, float c2) {
#pragma omp simd
  for (int64_t i = i0; i < i1; i++) {
    const float g = grad[i];
    const float mi = beta1 * m[i] + (1.f - beta1) * g;
    const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= lr * ((mi / c1) / (std::sqrt(vi / c2) + eps) + weight_decay * param[i]);
  }
}

}  // namespace

void adamw(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
           float eps, float weight_decay, int64_t step) {
  // The corrections in double: beta2^step is within float's reach of 1 for small steps.
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step)));
  const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step)));
  const int64_t tasks = std::max<int64_t>(1, (n + CHUNK - 1) / CHUNK);
  parallel_for(tasks, [&](int64_t t) {
    adamw_range(param, grad, m, v, t * CHUNK, std::min(n, (t + 1) * CHUNK), lr, beta1, beta2, eps, weight_decay, c1,
                c2);
  });
}

}  // namespace genrm
