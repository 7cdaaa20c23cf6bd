// Small vector helpers shared by the non-GEMM kernels. They are plain loops written so the
// compiler vectorizes them (omp simd, enabled by -fopenmp-simd without the OpenMP runtime);
// kernels marked GENRM_CLONES get an AVX2+FMA build and a baseline build, picked at load time.
// The helpers are always_inline because GCC will not inline a default-target function into an
// arch=haswell clone otherwise ("target specific option mismatch"), and a call in the loop body
// stops vectorization. binding.gyp adds -fno-trapping-math (else GCC turns fast_exp's clamp into
// a branch and gives up on the loop) and -fno-math-errno (else sqrt stays a libm call); neither
// reorders arithmetic the way -ffast-math would.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define GENRM_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define GENRM_CLONES
#endif

namespace genrm {

// exp(x) to about 2 ulp, branch-free so loops over it vectorize: 2^n · p(r) with
// r = x - n·ln2 (ln2 split in two so r keeps its low bits) and a degree-6 polynomial.
// Inputs are clamped to [-87.3, 88.7]: below, the true result is denormal and we return about
// 1e-38, which callers treat as zero; masked entries never reach it.
__attribute__((always_inline)) static inline float fast_exp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  // Adding 1.5·2^23 rounds to an integer in any vector ISA (no roundps needed); |x·log2e| < 2^22.
  const float n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

__attribute__((always_inline)) static inline float dot(const float* a, const float* b, int64_t n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

// y += alpha · x
__attribute__((always_inline)) static inline void axpy(float alpha, const float* x, float* y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

}  // namespace genrm
