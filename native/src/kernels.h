// genrm native kernels: the C++ surface that addon.cc binds and that the kernel files define.
//
// Layouts are row-major and contiguous. Letters as in src/tensor/backend/types.ts: B batch,
// T time, N rows (B*T), C channels, H query heads, Hkv key/value heads, D head dim, V vocab.
// Argument order follows llm.c: outputs, saved statistics, inputs and weights, then dims.
// Forward kernels overwrite their outputs; backward kernels accumulate (+=) into theirs.
// Every kernel may use the thread pool; none may be called from inside a pool task.
#pragma once

#include <cstdint>

namespace genrm {

// c (M, N) = op(a) · op(b), or += when accumulate. a is stored (M, K), or (K, M) when transA;
// b is stored (K, N), or (N, K) when transB.
void gemm(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool transA, bool transB,
          bool accumulate);
// The unblocked triple loop: the fallback for tiny shapes and the oracle in native tests.
void gemm_naive(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool transA,
                bool transB, bool accumulate);
// gemm on the calling thread only, with explicit row strides of the stored matrices (lda, ldb,
// ldc), for kernels that call it from inside their own pool tasks (attention).
void gemm_serial(float* c, int64_t ldc, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t M,
                 int64_t N, int64_t K, bool transA, bool transB, bool accumulate);
// Which micro-kernel gemm dispatched to: "avx512", "avx2", "neon" or "scalar".
const char* gemm_isa();

void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, int64_t N, int64_t C,
                     float eps);
void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                      const float* rstd, int64_t N, int64_t C);

// style: 0 = neox (pairs i, i + D/2), 1 = interleaved (pairs 2i, 2i + 1). cos/sin are (P, D/2)
// tables indexed by positions[row]. inverse rotates by the negative angle. Overwrites out.
void rope(float* out, const float* inp, const int32_t* positions, const float* cos, const float* sin, int64_t N,
          int64_t H, int64_t D, int style, bool inverse);

void swiglu_forward(float* out, const float* gate, const float* up, int64_t n);
void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n);

// q/out (B, T, H, D), k/v (B, T, Hkv, D), key_mask (B, T) or null, lse (B, H, T), seg (B, T) or
// null: the first key each query may see (packed rows; contiguous segments).
void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const uint8_t* key_mask, const int32_t* seg, int64_t B, int64_t T, int64_t H, int64_t Hkv,
                       int64_t D, float scale);
void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                        const float* v, const float* out, const float* lse, const uint8_t* key_mask,
                        const int32_t* seg, int64_t B, int64_t T, int64_t H, int64_t Hkv, int64_t D, float scale);

// losses (N), lse (N), logits (N, V), targets (N); rows whose target is ignore_index get 0.
void crossentropy_forward(float* losses, float* lse, const float* logits, const int32_t* targets, int64_t N,
                          int64_t V, int32_t ignore_index);
void crossentropy_backward(float* dlogits, const float* dlosses, const float* logits, const float* lse,
                           const int32_t* targets, int64_t N, int64_t V, int32_t ignore_index);

// In place on param, m, v. step is 1-based.
void adamw(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
           float eps, float weight_decay, int64_t step);

}  // namespace genrm
