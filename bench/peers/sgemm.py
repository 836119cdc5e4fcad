#!/usr/bin/python3
"""Twin of `Nabla.Bench sgemm`: SGEMM GFLOP/s of torch.mm (Debian's torch calls libblas.so.3 = OpenBLAS).

usage: /usr/bin/python3 bench/peers/sgemm.py [--threads 1[,2]] [--filter part[,part…]]
Each thread count runs in a child process because OpenBLAS reads its thread count at start-up;
the child also calls torch.set_num_threads. Prints `RESULT name GFLOP/s` lines like the Nabla side.
"""
import os
import subprocess
import sys
import time

SHAPES = [  # name, transA, transB, m, n, k  (same as bench/Nabla.Bench/GemmBenchmark.cs)
    ("square 64", False, False, 64, 64, 64),
    ("square 96", False, False, 96, 96, 96),
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


def result_name(shape):
    return "_".join(shape.replace("*", " ").replace("(", "").replace(")", "").split())


def measure(shapes, threads):
    import torch
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(42)
    out = {}
    for name, ta, tb, m, n, k in shapes:
        a = torch.rand((k, m) if ta else (m, k), generator=g) - 0.5
        b = torch.rand((n, k) if tb else (k, n), generator=g) - 0.5
        opa, opb = (a.t() if ta else a), (b.t() if tb else b)
        c = torch.empty((m, n))
        flops = 2.0 * m * n * k
        calls = int(min(max(5e9 / flops, 1), 100_000))
        for _ in range(max(3, calls)):
            torch.mm(opa, opb, out=c)
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(calls):
                torch.mm(opa, opb, out=c)
            times.append((time.perf_counter() - t0) / calls)
        times.sort()
        out[name] = flops / times[len(times) // 2] / 1e9
    return out


def main():
    threads = [1, 2]
    if "--threads" in sys.argv:
        threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    shapes = SHAPES
    if "--filter" in sys.argv:
        parts = sys.argv[sys.argv.index("--filter") + 1].lower().split(",")
        shapes = [s for s in SHAPES if any(p in s[0].lower() for p in parts)]
    if "--child" in sys.argv:
        for name, g in measure(shapes, threads[0]).items():
            print(f"{name}\t{g!r}")
        return
    results = {}
    for t in threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
        argv = [sys.executable, __file__, "--child", "--threads", str(t)] + sys.argv[1:]
        text = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        results[t] = dict(line.split("\t") for line in text.strip().splitlines())
    import torch
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(f"torch {torch.__version__} torch.mm (BLAS: {blas}), GFLOP/s = 2·m·n·k / median time")
    print(f"{'shape':<32} {'m':>5} {'n':>5} {'k':>5}" + "".join(f" {str(t) + ' thr':>9}" for t in threads))
    for name, ta, tb, m, n, k in shapes:
        print(f"{name:<32} {m:>5} {n:>5} {k:>5}" + "".join(f" {float(results[t][name]):>9.1f}" for t in threads))
    for name, *_ in shapes:
        for t in threads:
            suffix = f".t{t}" if len(threads) > 1 else ""
            print(f"RESULT {result_name(name)}{suffix} {results[t][name]} GFLOP/s higher")


if __name__ == "__main__":
    main()
