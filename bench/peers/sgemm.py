#!/usr/bin/python3
"""SGEMM GFLOP/s of numpy (OpenBLAS) for the shapes of `Nabla.Bench sgemm`, for comparison.

usage: /usr/bin/python3 bench/peers/sgemm.py [--threads 1,2] [--filter <part of a shape name>]
Each thread count runs in a child process because OpenBLAS reads its thread count at import.
"""
import os
import subprocess
import sys
import time

SHAPES = [  # name, transA, transB, m, n, k  (same as bench/Nabla.Bench/GemmBenchmark.cs)
    ("square 128", False, False, 128, 128, 128),
    ("square 256", False, False, 256, 256, 256),
    ("square 512", False, False, 512, 512, 512),
    ("square 1024", False, False, 1024, 1024, 1024),
    ("square 2048", False, False, 2048, 2048, 2048),
    ("mlp fwd 128x784 * (256x784)T", False, True, 128, 256, 784),
    ("mlp dX 128x256 * 256x784", False, False, 128, 784, 256),
    ("mlp dW (128x256)T * 128x784", True, False, 256, 784, 128),
    ("mlp fwd 128x256 * (128x256)T", False, True, 128, 128, 256),
    ("mlp dX 128x128 * 128x256", False, False, 128, 256, 128),
    ("mlp dW (128x128)T * 128x256", True, False, 128, 256, 128),
    ("mlp fwd 128x128 * (10x128)T", False, True, 128, 10, 128),
]


def selected():
    if "--filter" not in sys.argv:
        return SHAPES
    part = sys.argv[sys.argv.index("--filter") + 1].lower()
    return [s for s in SHAPES if part in s[0].lower()]


def measure_all():
    import numpy as np
    rng = np.random.default_rng(42)
    out = {}
    for name, ta, tb, m, n, k in selected():
        a = (rng.random((k, m) if ta else (m, k), dtype=np.float32) - 0.5)
        b = (rng.random((n, k) if tb else (k, n), dtype=np.float32) - 0.5)
        opa, opb = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        calls = int(min(max(5e9 / flops, 1), 100_000))
        for _ in range(max(3, calls)):
            np.matmul(opa, opb, out=c)
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(calls):
                np.matmul(opa, opb, out=c)
            times.append((time.perf_counter() - t0) / calls)
        times.sort()
        out[name] = flops / times[len(times) // 2] / 1e9
    return out


def main():
    threads = [1, 2]
    if "--threads" in sys.argv:
        threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    if "--child" in sys.argv:
        for name, g in measure_all().items():
            print(f"{name}\t{g:.1f}")
        return
    results = {}
    for t in threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
        text = subprocess.run([sys.executable, __file__, "--child"] + sys.argv[1:], env=env, check=True,
                              capture_output=True, text=True).stdout
        results[t] = dict(line.split("\t") for line in text.strip().splitlines())
    import numpy as np
    # Debian's numpy links libblas.so.3, which the alternatives system points at OpenBLAS.
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(f"numpy {np.__version__} matmul (BLAS: {blas}), GFLOP/s = 2·m·n·k / median time")
    print(f"{'shape':<32} {'m':>5} {'n':>5} {'k':>5}" + "".join(f" {str(t) + ' thr':>9}" for t in threads))
    for name, ta, tb, m, n, k in selected():
        print(f"{name:<32} {m:>5} {n:>5} {k:>5}" + "".join(f" {results[t][name]:>9}" for t in threads))


if __name__ == "__main__":
    main()
