// RMSNorm over the last dim.
//   forward:  out (N, C) = inp · rstd[n] · weight, rstd (N) = 1 / sqrt(mean(inp²) + eps). Overwrites.
//   backward: dinp (N, C) += rstd · (g - xhat · mean(g · xhat)) with g = dout · weight,
//             xhat = inp · rstd; dweight (C) += Σ_n dout · xhat. Accumulates.
// Rows are split across threads; dweight is summed from one partial per task, in task order, so
// the result does not depend on the thread count's timing.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

GENRM_CLONES void rmsnorm_forward_rows(float* out, float* rstd, const float* inp, const float* weight, int64_t n0,
                                       int64_t n1, int64_t C, float eps) {
  for (int64_t n = n0; n < n1; n++) {
    const float* x = inp + n * C;
    float* o = out + n * C;
    float ss = 0.f;
#pragma omp simd reduction(+ : ss)
    for (int64_t c = 0; c < C; c++) ss += x[c] * x[c];
    const float r = 1.f / std::sqrt(ss / static_cast<float>(C) + eps);
    rstd[n] = r;
#pragma omp simd
    for (int64_t c = 0; c < C; c++) o[c] = x[c] * r * weight[c];
  }
}

GENRM_CLONES void rmsnorm_backward_rows(float* dinp, float* dweight_part, const float* dout, const float* inp,
                                        const float* weight, const float* rstd, int64_t n0, int64_t n1, int64_t C) {
  for (int64_t n = n0; n < n1; n++) {
    const float* x = inp + n * C;
    const float* d = dout + n * C;
    float* dx = dinp + n * C;
    const float r = rstd[n];
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (int64_t c = 0; c < C; c++) dot += d[c] * weight[c] * x[c];
    const float mean_dot = dot * r / static_cast<float>(C);
#pragma omp simd
    for (int64_t c = 0; c < C; c++) {
      const float xhat = x[c] * r;
      dx[c] += r * (d[c] * weight[c] - xhat * mean_dot);
      dweight_part[c] += d[c] * xhat;
    }
  }
}

int64_t row_tasks(int64_t N, int64_t C) {
  // About 64k elements per task keeps the scheduling overhead small.
  const int64_t per = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, C));
  return std::max<int64_t>(1, std::min<int64_t>((N + per - 1) / per, 4 * pool_threads()));
}

}  // namespace

void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, int64_t N, int64_t C, float eps) {
  const int64_t tasks = row_tasks(N, C);
  parallel_for(tasks, [&](int64_t t) {
    rmsnorm_forward_rows(out, rstd, inp, weight, N * t / tasks, N * (t + 1) / tasks, C, eps);
  });
}

void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                      const float* rstd, int64_t N, int64_t C) {
  const int64_t tasks = row_tasks(N, C);
  std::vector<float> parts(static_cast<size_t>(tasks * C), 0.f);
  parallel_for(tasks, [&](int64_t t) {
    rmsnorm_backward_rows(dinp, parts.data() + t * C, dout, inp, weight, rstd, N * t / tasks, N * (t + 1) / tasks,
                          C);
  });
  for (int64_t t = 0; t < tasks; t++) axpy(1.f, parts.data() + t * C, dweight, C);
}

}  // namespace genrm
