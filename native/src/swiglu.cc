// SwiGLU gating, elementwise over n values.
//   forward:  out = silu(gate) · up, silu(x) = x · sigmoid(x). Overwrites.
//   backward: dup += dout · silu(gate); dgate += dout · up · sigmoid(gate) · (1 + gate · (1 - sigmoid(gate))).
//             Accumulates.
// Chunks are split across threads.
#include <algorithm>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

constexpr int64_t CHUNK = 1 << 15;

GENRM_CLONES void swiglu_forward_range(float* out, const float* gate, const float* up, int64_t i0, int64_t i1) {
#pragma omp simd
  for (int64_t i = i0; i < i1; i++) {
    const float g = gate[i];
    out[i] = g / (1.f + fast_exp(-g)) * up[i];
  }
}

GENRM_CLONES void swiglu_backward_range(float* dgate, float* dup, const float* dout, const float* gate,
                                        const float* up, int64_t i0, int64_t i1) {
#pragma omp simd
  for (int64_t i = i0; i < i1; i++) {
    const float g = gate[i];
    const float sig = 1.f / (1.f + fast_exp(-g));
    dup[i] += dout[i] * g * sig;
    dgate[i] += dout[i] * up[i] * sig * (1.f + g * (1.f - sig));
  }
}

int64_t chunks(int64_t n) { return std::max<int64_t>(1, (n + CHUNK - 1) / CHUNK); }

}  // namespace

void swiglu_forward(float* out, const float* gate, const float* up, int64_t n) {
  parallel_for(chunks(n), [&](int64_t t) {
    swiglu_forward_range(out, gate, up, t * CHUNK, std::min(n, (t + 1) * CHUNK));
  });
}

void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) {
  parallel_for(chunks(n), [&](int64_t t) {
    swiglu_backward_range(dgate, dup, dout, gate, up, t * CHUNK, std::min(n, (t + 1) * CHUNK));
  });
}

}  // namespace genrm
