// GEMM: c (M, N) = op(a) (M, K) · op(b) (K, N), overwriting c, or adding to it when accumulate.
// a is stored (M, K) row-major, or (K, M) when transA; b is stored (K, N), or (N, K) when transB.
//
// The blocked path follows the BLIS/GotoBLAS layout: for each (KC × NC) block of op(b), packed
// into NR-wide column panels, and each (MC × KC) block of op(a), packed into MR-tall row panels,
// an MR × NR micro-kernel keeps its C tile in registers across the whole KC loop. Packing also
// absorbs the transposes, so the micro-kernel sees one layout. Edge tiles are zero-padded in the
// packs and written back through a small buffer.
//
// Micro-kernels, chosen at run time so the binary stays portable: AVX-512 14×32 (28 zmm
// accumulators) or AVX2+FMA 6×16 (12 ymm) on x86-64, NEON 8×8 on arm64, and a portable 4×8
// loop otherwise.
// Threads each own a rectangle of c (split along the longer of M and N, in whole micro-tiles)
// and pack their own blocks, so no two threads write the same memory.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "kernels.h"
#include "threadpool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace genrm {
namespace {

// Block sizes (overridable at compile time for tuning runs): a KC × NR panel of B (16 KB) and
// an MR × KC panel of A stay in L1, an MC × KC block of A (144 KB) in L2, KC × NC of B in L3.
#ifndef GENRM_GEMM_KC
#define GENRM_GEMM_KC 256
#endif
#ifndef GENRM_GEMM_MC
#define GENRM_GEMM_MC 144
#endif
#ifndef GENRM_GEMM_NC
#define GENRM_GEMM_NC 3072
#endif
constexpr int64_t KC = GENRM_GEMM_KC;
constexpr int64_t MC_ROWS = GENRM_GEMM_MC;
constexpr int64_t NC = GENRM_GEMM_NC;
// Below this many multiply-adds the packing costs more than it saves.
constexpr int64_t NAIVE_MAX_WORK = 16 * 16 * 16;
// Below this many multiply-adds per extra thread, waking threads costs more than it saves.
constexpr int64_t THREAD_MIN_WORK = 64 * 64 * 64;

// Writes the mr × nr tile `tile` (row stride ld_tile) into c, adding when add.
inline void store_tile(float* c, int64_t ldc, const float* tile, int64_t ld_tile, int64_t mr, int64_t nr, bool add) {
  for (int64_t i = 0; i < mr; i++) {
    float* crow = c + i * ldc;
    const float* trow = tile + i * ld_tile;
    if (add)
      for (int64_t j = 0; j < nr; j++) crow[j] += trow[j];
    else
      for (int64_t j = 0; j < nr; j++) crow[j] = trow[j];
  }
}

// ---- micro-kernels: c (MR × NR, row stride ldc) (+)= ap (kc × MR) · bp (kc × NR) ----

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void kernel_avx2_6x16(int64_t kc, const float* ap, const float* bp, float* c,
                                                          int64_t ldc, bool add) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // The C tile is touched only after the k loop; start its rows' cache lines on their way now.
  for (int i = 0; i < 6; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 15), _MM_HINT_T0);
  }
  for (int64_t p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(bp);
    const __m256 b1 = _mm256_load_ps(bp + 8);
    __m256 a = _mm256_broadcast_ss(ap + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(ap + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(ap + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(ap + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(ap + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(ap + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    ap += 6;
    bp += 16;
  }
  __m256 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < 6; i++) {
    float* row = c + i * ldc;
    if (add) {
      _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), acc[2 * i]));
      _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[2 * i + 1]));
    } else {
      _mm256_storeu_ps(row, acc[2 * i]);
      _mm256_storeu_ps(row + 8, acc[2 * i + 1]);
    }
  }
}

// AVX-512: 14 rows × 32 columns (28 zmm accumulators; A values are broadcast straight from
// memory into the FMA). On Intel cores with two 512-bit FMA ports this doubles AVX2's peak; on
// AMD Zen 4 the peak is the same but half the instructions issue.
__attribute__((target("avx512f"))) void kernel_avx512_14x32(int64_t kc, const float* ap, const float* bp, float* c,
                                                           int64_t ldc, bool add) {
  __m512 acc[14][2];
  for (int i = 0; i < 14; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int i = 0; i < 14; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
  for (int64_t p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
    for (int i = 0; i < 14; i++) {
      const __m512 a = _mm512_set1_ps(ap[i]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
    ap += 14;
    bp += 32;
  }
  for (int i = 0; i < 14; i++) {
    float* row = c + i * ldc;
    if (add) {
      _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), acc[i][0]));
      _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), acc[i][1]));
    } else {
      _mm512_storeu_ps(row, acc[i][0]);
      _mm512_storeu_ps(row + 16, acc[i][1]);
    }
  }
}

bool cpu_has_avx512f() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

#if defined(__aarch64__)
void kernel_neon_8x8(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, bool add) {
  float32x4_t acc[8][2];
  for (int i = 0; i < 8; i++) acc[i][0] = acc[i][1] = vdupq_n_f32(0.f);
  for (int64_t p = 0; p < kc; p++) {
    const float32x4_t b0 = vld1q_f32(bp);
    const float32x4_t b1 = vld1q_f32(bp + 4);
    const float32x4_t a0 = vld1q_f32(ap);
    const float32x4_t a1 = vld1q_f32(ap + 4);
    acc[0][0] = vfmaq_laneq_f32(acc[0][0], b0, a0, 0);
    acc[0][1] = vfmaq_laneq_f32(acc[0][1], b1, a0, 0);
    acc[1][0] = vfmaq_laneq_f32(acc[1][0], b0, a0, 1);
    acc[1][1] = vfmaq_laneq_f32(acc[1][1], b1, a0, 1);
    acc[2][0] = vfmaq_laneq_f32(acc[2][0], b0, a0, 2);
    acc[2][1] = vfmaq_laneq_f32(acc[2][1], b1, a0, 2);
    acc[3][0] = vfmaq_laneq_f32(acc[3][0], b0, a0, 3);
    acc[3][1] = vfmaq_laneq_f32(acc[3][1], b1, a0, 3);
    acc[4][0] = vfmaq_laneq_f32(acc[4][0], b0, a1, 0);
    acc[4][1] = vfmaq_laneq_f32(acc[4][1], b1, a1, 0);
    acc[5][0] = vfmaq_laneq_f32(acc[5][0], b0, a1, 1);
    acc[5][1] = vfmaq_laneq_f32(acc[5][1], b1, a1, 1);
    acc[6][0] = vfmaq_laneq_f32(acc[6][0], b0, a1, 2);
    acc[6][1] = vfmaq_laneq_f32(acc[6][1], b1, a1, 2);
    acc[7][0] = vfmaq_laneq_f32(acc[7][0], b0, a1, 3);
    acc[7][1] = vfmaq_laneq_f32(acc[7][1], b1, a1, 3);
    ap += 8;
    bp += 8;
  }
  for (int i = 0; i < 8; i++) {
    float* row = c + i * ldc;
    if (add) {
      vst1q_f32(row, vaddq_f32(vld1q_f32(row), acc[i][0]));
      vst1q_f32(row + 4, vaddq_f32(vld1q_f32(row + 4), acc[i][1]));
    } else {
      vst1q_f32(row, acc[i][0]);
      vst1q_f32(row + 4, acc[i][1]);
    }
  }
}
#endif

void kernel_scalar_4x8(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, bool add) {
  float acc[4][8] = {};
  for (int64_t p = 0; p < kc; p++) {
    for (int i = 0; i < 4; i++) {
      const float a = ap[i];
      for (int j = 0; j < 8; j++) acc[i][j] += a * bp[j];
    }
    ap += 4;
    bp += 8;
  }
  store_tile(c, ldc, &acc[0][0], 8, 4, 8, add);
}

using MicroKernel = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);

// ---- packing ----

// op(a)[i0 : i0 + mc, p0 : p0 + kc] into MR-tall panels, each (kc × MR), zero-padded past mc.
template <int MR>
void pack_a(float* dst, const float* a, int64_t lda, bool transA, int64_t i0, int64_t mc, int64_t p0, int64_t kc) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - ir);
    float* panel = dst + ir * kc;
    if (transA) {
      // Stored (K, M): the MR values of one k are contiguous.
      for (int64_t p = 0; p < kc; p++) {
        const float* src = a + (p0 + p) * lda + i0 + ir;
        float* d = panel + p * MR;
        int64_t r = 0;
        for (; r < mr; r++) d[r] = src[r];
        for (; r < MR; r++) d[r] = 0.f;
      }
    } else {
      for (int64_t r = 0; r < mr; r++) {
        const float* src = a + (i0 + ir + r) * lda + p0;
        for (int64_t p = 0; p < kc; p++) panel[p * MR + r] = src[p];
      }
      for (int64_t r = mr; r < MR; r++)
        for (int64_t p = 0; p < kc; p++) panel[p * MR + r] = 0.f;
    }
  }
}

// op(b)[p0 : p0 + kc, j0 : j0 + nc] into NR-wide panels, each (kc × NR), zero-padded past nc.
template <int NR>
void pack_b(float* dst, const float* b, int64_t ldb, bool transB, int64_t p0, int64_t kc, int64_t j0, int64_t nc) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - jr);
    float* panel = dst + jr * kc;
    if (!transB) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b + (p0 + p) * ldb + j0 + jr;
        float* d = panel + p * NR;
        int64_t c = 0;
        for (; c < nr; c++) d[c] = src[c];
        for (; c < NR; c++) d[c] = 0.f;
      }
    } else {
      // Stored (N, K): walk each source row once, scattering into the panel's column.
      for (int64_t c = 0; c < nr; c++) {
        const float* src = b + (j0 + jr + c) * ldb + p0;
        for (int64_t p = 0; p < kc; p++) panel[p * NR + c] = src[p];
      }
      for (int64_t c = nr; c < NR; c++)
        for (int64_t p = 0; p < kc; p++) panel[p * NR + c] = 0.f;
    }
  }
}

struct AlignedFree {
  void operator()(float* p) const {
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
  }
};

// Per-thread pack buffers, grown on demand and kept for the next call.
float* scratch(std::unique_ptr<float, AlignedFree>& buf, size_t& cap, size_t n) {
  if (n > cap) {
    const size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
#if defined(_WIN32)
    buf.reset(static_cast<float*>(_aligned_malloc(bytes, 64)));
#else
    buf.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
#endif
    cap = n;
  }
  return buf.get();
}

// One thread's rectangle c[m0 : m1, n0 : n1]; lda/ldb/ldc are the stored matrices' row strides.
template <int MR, int NR>
void gemm_block(MicroKernel kernel, float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb,
                int64_t K, bool transA, bool transB, bool accumulate, int64_t m0, int64_t m1, int64_t n0,
                int64_t n1) {
  thread_local std::unique_ptr<float, AlignedFree> abuf, bbuf;
  thread_local size_t acap = 0, bcap = 0;
  constexpr int64_t MC = (MC_ROWS / MR) * MR;
  float* ap = scratch(abuf, acap, static_cast<size_t>(MC * KC));
  float* bp = scratch(bbuf, bcap, static_cast<size_t>(KC * (NC + NR)));
  alignas(64) float tile[MR * NR];

  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min(NC, n1 - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool add = accumulate || pc > 0;
      pack_b<NR>(bp, b, ldb, transB, pc, kc, jc, nc);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min(MC, m1 - ic);
        pack_a<MR>(ap, a, lda, transA, ic, mc, pc, kc);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = std::min<int64_t>(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = std::min<int64_t>(MR, mc - ir);
            float* cij = c + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              kernel(kc, ap + ir * kc, bp + jr * kc, cij, ldc, add);
            } else {
              kernel(kc, ap + ir * kc, bp + jr * kc, tile, NR, false);
              store_tile(cij, ldc, tile, NR, mr, nr, add);
            }
          }
        }
      }
    }
  }
}

template <int MR, int NR>
void gemm_threaded(MicroKernel kernel, float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                   bool transA, bool transB, bool accumulate) {
  const int64_t work = M * N * K;
  int64_t parts = std::min<int64_t>(pool_threads(), std::max<int64_t>(1, work / THREAD_MIN_WORK));
  // Split the longer side, in whole micro-tiles so only the last part has an edge.
  const bool split_n = N >= M;
  const int64_t unit = split_n ? NR : MR;
  const int64_t units = ((split_n ? N : M) + unit - 1) / unit;
  parts = std::max<int64_t>(1, std::min(parts, units));
  auto run = [&](int64_t t) {
    const int64_t u0 = units * t / parts;
    const int64_t u1 = units * (t + 1) / parts;
    const int64_t lo = u0 * unit;
    const int64_t hi = std::min((split_n ? N : M), u1 * unit);
    if (lo >= hi) return;
    const int64_t lda = transA ? M : K, ldb = transB ? K : N;
    if (split_n)
      gemm_block<MR, NR>(kernel, c, N, a, lda, b, ldb, K, transA, transB, accumulate, 0, M, lo, hi);
    else
      gemm_block<MR, NR>(kernel, c, N, a, lda, b, ldb, K, transA, transB, accumulate, lo, hi, 0, N);
  };
  if (parts == 1)
    run(0);
  else
    parallel_for(parts, run);
}

enum class Isa { Scalar, Avx2, Avx512, Neon };

// GENRM_GEMM_ISA=scalar|avx2 caps the choice (for comparisons and for tests of the fallbacks).
Isa detect_isa() {
  const char* env = std::getenv("GENRM_GEMM_ISA");
  const bool cap_scalar = env != nullptr && std::strcmp(env, "scalar") == 0;
  const bool cap_avx2 = env != nullptr && std::strcmp(env, "avx2") == 0;
  if (cap_scalar) return Isa::Scalar;
#if defined(__x86_64__)
  if (!cap_avx2 && cpu_has_avx512f()) return Isa::Avx512;
  if (cpu_has_avx2_fma()) return Isa::Avx2;
#endif
#if defined(__aarch64__)
  return Isa::Neon;
#endif
  return Isa::Scalar;
}

Isa isa() {
  static const Isa chosen = detect_isa();
  return chosen;
}

}  // namespace

const char* gemm_isa() {
  switch (isa()) {
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
    case Isa::Neon:
      return "neon";
    default:
      return "scalar";
  }
}

namespace {

void naive_strided(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t M,
                   int64_t N, int64_t K, bool transA, bool transB, bool accumulate) {
  for (int64_t i = 0; i < M; i++) {
    for (int64_t j = 0; j < N; j++) {
      float s = 0.f;
      for (int64_t p = 0; p < K; p++) {
        const float x = transA ? a[p * lda + i] : a[i * lda + p];
        const float y = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
      }
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
    }
  }
}

}  // namespace

void gemm_naive(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool transA, bool transB,
                bool accumulate) {
  naive_strided(c, N, a, transA ? M : K, b, transB ? K : N, M, N, K, transA, transB, accumulate);
}

void gemm_serial(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t M,
                 int64_t N, int64_t K, bool transA, bool transB, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; i++) std::memset(c + i * ldc, 0, sizeof(float) * static_cast<size_t>(N));
    return;
  }
  if (M * N * K <= NAIVE_MAX_WORK) {
    naive_strided(c, ldc, a, lda, b, ldb, M, N, K, transA, transB, accumulate);
    return;
  }
  switch (isa()) {
#if defined(__x86_64__)
    case Isa::Avx512:
      gemm_block<14, 32>(kernel_avx512_14x32, c, ldc, a, lda, b, ldb, K, transA, transB, accumulate, 0, M, 0, N);
      return;
    case Isa::Avx2:
      gemm_block<6, 16>(kernel_avx2_6x16, c, ldc, a, lda, b, ldb, K, transA, transB, accumulate, 0, M, 0, N);
      return;
#endif
#if defined(__aarch64__)
    case Isa::Neon:
      gemm_block<8, 8>(kernel_neon_8x8, c, ldc, a, lda, b, ldb, K, transA, transB, accumulate, 0, M, 0, N);
      return;
#endif
    default:
      gemm_block<4, 8>(kernel_scalar_4x8, c, ldc, a, lda, b, ldb, K, transA, transB, accumulate, 0, M, 0, N);
  }
}

void gemm(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool transA, bool transB,
          bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) std::memset(c, 0, sizeof(float) * static_cast<size_t>(M * N));
    return;
  }
  if (M * N * K <= NAIVE_MAX_WORK) {
    gemm_naive(c, a, b, M, N, K, transA, transB, accumulate);
    return;
  }
  switch (isa()) {
#if defined(__x86_64__)
    case Isa::Avx512:
      gemm_threaded<14, 32>(kernel_avx512_14x32, c, a, b, M, N, K, transA, transB, accumulate);
      return;
    case Isa::Avx2:
      gemm_threaded<6, 16>(kernel_avx2_6x16, c, a, b, M, N, K, transA, transB, accumulate);
      return;
#endif
#if defined(__aarch64__)
    case Isa::Neon:
      gemm_threaded<8, 8>(kernel_neon_8x8, c, a, b, M, N, K, transA, transB, accumulate);
      return;
#endif
    default:
      gemm_threaded<4, 8>(kernel_scalar_4x8, c, a, b, M, N, K, transA, transB, accumulate);
  }
}

}  // namespace genrm
