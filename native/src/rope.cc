// Rotary position embedding.
//   inp/out (N, H, D); row r uses position positions[r]; cos/sin (P, D/2) tables.
//   style 0 (neox) rotates pairs (i, i + D/2); style 1 (interleaved) rotates (2i, 2i + 1).
//   out = rotate(inp, +angle), or rotate(inp, -angle) when inverse (the backward). Overwrites.
// Rows are split across threads. out may not alias inp.
#include <algorithm>

#include "kernels.h"
#include "simd.h"
#include "threadpool.h"

namespace genrm {
namespace {

GENRM_CLONES void rope_rows(float* out, const float* inp, const int32_t* positions, const float* cos_tab,
                            const float* sin_tab, int64_t r0, int64_t r1, int64_t H, int64_t D, int style,
                            float sign) {
  const int64_t half = D / 2;
  for (int64_t r = r0; r < r1; r++) {
    const float* cs = cos_tab + static_cast<int64_t>(positions[r]) * half;
    const float* sn = sin_tab + static_cast<int64_t>(positions[r]) * half;
    for (int64_t h = 0; h < H; h++) {
      const float* x = inp + (r * H + h) * D;
      float* o = out + (r * H + h) * D;
      if (style == 0) {
#pragma omp simd
        for (int64_t i = 0; i < half; i++) {
          const float c = cs[i], s = sign * sn[i];
          const float x1 = x[i], x2 = x[i + half];
          o[i] = x1 * c - x2 * s;
          o[i + half] = x2 * c + x1 * s;
        }
      } else {
        for (int64_t i = 0; i < half; i++) {
          const float c = cs[i], s = sign * sn[i];
          const float x1 = x[2 * i], x2 = x[2 * i + 1];
          o[2 * i] = x1 * c - x2 * s;
          o[2 * i + 1] = x2 * c + x1 * s;
        }
      }
    }
  }
}

}  // namespace

void rope(float* out, const float* inp, const int32_t* positions, const float* cos, const float* sin, int64_t N,
          int64_t H, int64_t D, int style, bool inverse) {
  const int64_t per = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, H * D));
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>((N + per - 1) / per, 4 * pool_threads()));
  const float sign = inverse ? -1.f : 1.f;
  parallel_for(tasks, [&](int64_t t) {
    rope_rows(out, inp, positions, cos, sin, N * t / tasks, N * (t + 1) / tasks, H, D, style, sign);
  });
}

}  // namespace genrm
