// Standalone GEMM benchmark of native/src/gemm.cc without Node, for machines where only a C++
// compiler is at hand (bench/train-gemm.ts is the real benchmark). Build and run:
//   g++ -O3 -std=c++17 -fopenmp-simd -fno-trapping-math -fno-math-errno -pthread \
//       native/tools/gemm_bench.cc native/src/gemm.cc native/src/threadpool.cc -o gemm_bench
//   GENRM_THREADS=2 ./gemm_bench 256 512 1024 2048
// Prints one line per size and layout: best GFLOP/s of 5 timed runs of about 0.25 s each.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../src/kernels.h"
#include "../src/threadpool.h"

int main(int argc, char** argv) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  // Agreement with the naive loop first, on an odd shape in every layout.
  {
    const int64_t M = 131, N = 77, K = 301;
    std::vector<float> a(M * K), b(K * N), c(M * N), r(M * N);
    for (auto& x : a) x = normal(rng);
    for (auto& x : b) x = normal(rng);
    for (int t = 0; t < 4; t++) {
      genrm::gemm(c.data(), a.data(), b.data(), M, N, K, t & 1, t & 2, false);
      genrm::gemm_naive(r.data(), a.data(), b.data(), M, N, K, t & 1, t & 2, false);
      float diff = 0.f;
      for (size_t i = 0; i < c.size(); i++) diff = std::max(diff, std::fabs(c[i] - r[i]));
      if (diff > 1e-3f) {
        std::printf("MISMATCH layout %d max diff %g\n", t, diff);
        return 1;
      }
    }
  }
  std::printf("isa %s threads %d\n", genrm::gemm_isa(), genrm::pool_threads());
  for (int arg = 1; arg < argc; arg++) {
    const int64_t n = std::atoll(argv[arg]);
    std::vector<float> a(n * n), b(n * n), c(n * n);
    for (auto& x : a) x = normal(rng);
    for (auto& x : b) x = normal(rng);
    const char* names[] = {"NN", "NT", "TN"};
    for (int layout = 0; layout < 3; layout++) {
      const bool ta = layout == 2, tb = layout == 1;
      genrm::gemm(c.data(), a.data(), b.data(), n, n, n, ta, tb, false);
      const double flops = 2.0 * n * n * n;
      const int reps = std::max(1, static_cast<int>(0.25 * 100e9 / flops));
      double best = 0;
      for (int r = 0; r < 5; r++) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < reps; i++) genrm::gemm(c.data(), a.data(), b.data(), n, n, n, ta, tb, false);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, flops * reps / s / 1e9);
      }
      std::printf("n=%lld %s %.1f GFLOP/s\n", static_cast<long long>(n), names[layout], best);
    }
  }
  return 0;
}
