#!/usr/bin/python3
"""Sgemm against OpenBLAS on the ViT-B/32 training GEMMs.

Runs the shapes of `bin/adamerge bench gemm` (forward NN, backward NT and TN of the three
linears of a ViT-B/32 block with 800 tokens) through PyTorch's CPU matmul, which Debian's
python3-torch sends to the system BLAS (OpenBLAS via libopenblas0-pthread), with 2 threads;
runs `bin/adamerge bench gemm --json` for our figures, and prints both with their ratio.

Run from anywhere, with Debian's interpreter (the pyenv python3 on PATH has no torch):
    /usr/bin/python3 bench/gemm_openblas.py [--threads 2]
The JVM and OpenBLAS take turns, never run together; both report the median of several runs
after warm-up, as GFLOP/s = 2 m n k / seconds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--runs", type=int, default=7)
args = parser.parse_args()

# OpenBLAS reads its thread count when it is loaded, i.e. at `import torch`.
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)
import peer_blas  # noqa: E402,F401  (sets the peer's best OpenBLAS kernels before torch loads it)
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def blas_libraries():
    """BLAS/LAPACK shared objects mapped into this process (after a matmul has run)."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "blas" in line or "lapack" in line})


def torch_gflops(layout, m, k, n, runs):
    """Median GFLOP/s of op(A) @ op(B); a transposed operand is a .t() view, which torch hands
    to sgemm as a transpose flag without copying."""
    g = torch.Generator().manual_seed(1)
    a = torch.randn(k, m, generator=g).t() if layout[0] == "T" else torch.randn(m, k, generator=g)
    b = torch.randn(n, k, generator=g).t() if layout[1] == "T" else torch.randn(k, n, generator=g)
    out = torch.empty(m, n)
    for _ in range(3):
        torch.mm(a, b, out=out)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        torch.mm(a, b, out=out)
        times.append(time.perf_counter() - t0)
    return 2.0 * m * n * k / statistics.median(times) * 1e-9


def main():
    torch.set_num_threads(args.threads)
    ours = subprocess.run([str(ROOT / "bin" / "adamerge"), "bench", "gemm", "--json",
                           "--threads", str(args.threads), "--runs", str(args.runs)],
                          check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in ours.splitlines() if line.startswith("{")]
    if not rows:
        sys.exit("gemm_openblas: `bin/adamerge bench gemm --json` printed no figures")

    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = blas_libraries()
    if not any("openblas" in lib for lib in libs):
        sys.exit(f"gemm_openblas: torch {torch.__version__} did not load OpenBLAS (mapped: {libs}); "
                 "install libopenblas0-pthread and select it with update-alternatives")
    print(f"torch {torch.__version__}, BLAS: {', '.join(libs)} ({peer_blas.describe()}); {args.threads} threads")

    print(f"{'shape (m x k x n)':<20} {'layout':<6} {'ours GFLOP/s':>12} {'OpenBLAS':>9} {'ratio':>6}")
    for r in rows:
        theirs = torch_gflops(r["layout"], r["m"], r["k"], r["n"], args.runs)
        shape = f"{r['m']} x {r['k']} x {r['n']}"
        print(f"{shape:<20} {r['layout']:<6} {r['gflops']:>12.1f} {theirs:>9.1f} {r['gflops'] / theirs:>6.2f}")


if __name__ == "__main__":
    main()
