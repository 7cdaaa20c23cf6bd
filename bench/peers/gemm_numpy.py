"""GEMM peer for bench/train-gemm.ts: float32 square matmul through numpy (OpenBLAS).

Usage: python3 gemm_numpy.py N [N ...] [--seconds S]
Prints one JSON line per size: {"n": N, "gflops": best of three timed runs}, after a first line
{"blas": core name, "threads": n} when the OpenBLAS core can be asked (scipy-openblas wheels).
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
            for suffix in ("64_", ""):
                name = getattr(lib, f"scipy_openblas_get_corename{suffix}", None)
                threads = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
                if name is not None and threads is not None:
                    name.restype = ctypes.c_char_p
                    return {"blas": name().decode(), "threads": threads()}
        except OSError:
            pass
    return {"blas": "unknown", "threads": None}


def main():
    args = sys.argv[1:]
    seconds = 0.3
    if "--seconds" in args:
        i = args.index("--seconds")
        seconds = float(args[i + 1])
        del args[i : i + 2]
    print(json.dumps(blas_info()), flush=True)
    rng = np.random.default_rng(0)
    for n in map(int, args):
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        np.matmul(a, b, out=c)
        flops = 2.0 * n * n * n
        reps = max(1, int(seconds * 50e9 / flops))
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(reps):
                np.matmul(a, b, out=c)
            best = max(best, flops * reps / (time.perf_counter() - t) / 1e9)
        print(json.dumps({"n": n, "gflops": best}), flush=True)


if __name__ == "__main__":
    main()
