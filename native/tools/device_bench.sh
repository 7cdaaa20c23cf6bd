# Unloaded GEMM comparison on a lent device host (bench/train-gemm.ts needs node_modules, which
# does not travel): native/tools/gemm_bench.cc vs numpy, both pinned to the same two cores.
set -u
echo "== machine"; nproc; lscpu | grep -E 'Model name' | head -1
g++ -O3 -std=c++17 -fopenmp-simd -fno-trapping-math -fno-math-errno -pthread native/tools/gemm_bench.cc native/src/gemm.cc native/src/threadpool.cc -o /tmp/gemm_bench || exit 1
np() { printf '%s\n' "$@" | env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 taskset -c 0,1 python3 bench/peers/gemm_numpy.py | tr '\n' ' '; echo; }
for round in 1 2 3; do
  echo "== round $round"
  GENRM_THREADS=2 taskset -c 0,1 /tmp/gemm_bench 256 512 1024 2048 | tr '\n' ' '; echo
  GENRM_GEMM_ISA=avx2 GENRM_THREADS=2 taskset -c 0,1 /tmp/gemm_bench 256 512 1024 2048 | tr '\n' ' '; echo
  np '256 0.25' '512 0.25' '1024 0.25' '2048 0.25'
done
