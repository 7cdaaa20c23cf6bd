"""GEMM peer for bench/train-gemm.ts: float32 square matmul through numpy (OpenBLAS).

A persistent process, so the benchmark can alternate single timed runs of genrm and numpy under
the same machine load. Protocol, one JSON object per line:
  start:          prints {"blas": OpenBLAS core name, "threads": n} (when the core can be asked)
  stdin "N S":    times float32 (N, N) @ (N, N) repeated for about S seconds and prints
                  {"n": N, "gflops": G}
  stdin EOF:      exits
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so OpenBLAS picks its own kernel.
"""

import ctypes
import glob
import json
import os
import sys
import time

import numpy as np


def blas_info():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for suffix in ("64_", ""):
            name = getattr(lib, f"scipy_openblas_get_corename{suffix}", None)
            threads = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            if name is not None and threads is not None:
                name.restype = ctypes.c_char_p
                return {"blas": name().decode(), "threads": threads()}
    return {"blas": "unknown", "threads": None}


def main():
    print(json.dumps(blas_info()), flush=True)
    rng = np.random.default_rng(0)
    cache = {}
    for line in sys.stdin:
        n_str, s_str = line.split()
        n, seconds = int(n_str), float(s_str)
        if n not in cache:
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            c = np.empty((n, n), dtype=np.float32)
            np.matmul(a, b, out=c)
            cache = {n: (a, b, c)}
        a, b, c = cache[n]
        flops = 2.0 * n * n * n
        reps = max(1, int(seconds * 100e9 / flops))
        t = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        gflops = flops * reps / (time.perf_counter() - t) / 1e9
        print(json.dumps({"n": n, "gflops": gflops}), flush=True)


if __name__ == "__main__":
    main()
