#!/usr/bin/env python3
"""Our OpenCL GEMM against PyTorch's FP32 matmul (cuBLAS, TF32 off) on the bench-gemm shapes.

The shapes of `bin/adamerge bench gemm`: forward NN, backward NT and TN of the three linears of
a ViT-B/32 block with 800 tokens (16 images x 50). PyTorch is timed with CUDA events, each run
20 products, median of --runs; ours comes from `bin/adamerge bench gemm --json --device opencl`
(or the command in $ADAMERGE), and the script prints both with ours/cuBLAS.

    python3 bench/gemm_cuda.py [--device cuda] [--ours-device opencl] [--no-ours]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

import torch

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--device", default="cuda")
parser.add_argument("--ours-device", default="opencl")
parser.add_argument("--runs", type=int, default=7)
parser.add_argument("--no-ours", action="store_true")
args = parser.parse_args()
torch.backends.cuda.matmul.allow_tf32 = False
ROOT = Path(__file__).resolve().parent.parent
TOKENS, LINEARS, BATCH = 800, [(768, 3072), (3072, 768), (768, 2304)], 20


def shapes():
    for i, o in LINEARS:
        yield from (("NN", TOKENS, i, o), ("NT", TOKENS, o, i), ("TN", i, TOKENS, o))


def torch_gflops(layout, m, k, n):
    dev = torch.device(args.device)
    g = torch.Generator().manual_seed(1)
    a = (torch.randn(k, m, generator=g).t() if layout[0] == "T" else torch.randn(m, k, generator=g)).to(dev)
    b = (torch.randn(n, k, generator=g).t() if layout[1] == "T" else torch.randn(k, n, generator=g)).to(dev)
    if dev.type == "cuda":  # .to() keeps the transposed strides, so cuBLAS gets a transpose flag
        a = a.t().contiguous().t() if layout[0] == "T" else a
        b = b.t().contiguous().t() if layout[1] == "T" else b
    out = torch.empty(m, n, device=dev)
    for _ in range(5):
        torch.mm(a, b, out=out)
    times = []
    for _ in range(args.runs):
        if dev.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(BATCH):
                torch.mm(a, b, out=out)
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end) / 1e3 / BATCH)
        else:
            import time
            t0 = time.perf_counter()
            for _ in range(BATCH):
                torch.mm(a, b, out=out)
            times.append((time.perf_counter() - t0) / BATCH)
    return 2.0 * m * n * k / statistics.median(times) / 1e9


def ours():
    cmd = shlex.split(os.environ.get("ADAMERGE", str(ROOT / "bin" / "adamerge")))
    cmd += ["bench", "gemm", "--json", "--device", args.ours_device, "--runs", str(args.runs)]
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ours failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    rows = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
    return {(o["layout"], o["m"], o["k"], o["n"]): o for o in rows}


name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
theirs = {s: torch_gflops(*s) for s in shapes()}
mine = {} if args.no_ours else ours()
print(f"FP32 GEMM, TF32 off; PyTorch {torch.__version__} on {name}")
print(f"{'layout':6} {'m':>5} {'k':>5} {'n':>5} {'torch GF/s':>11} {'ours GF/s':>10} {'ours/torch':>10}")
ratios = []
for s, gf in theirs.items():
    o = mine.get(s, {}).get("gflops")
    if o:
        ratios.append(o / gf)
    print(f"{s[0]:6} {s[1]:5} {s[2]:5} {s[3]:5} {gf:11.1f} {o if o else float('nan'):10.1f} {o / gf if o else float('nan'):10.2f}")
if ratios:
    print(f"geometric mean ours/torch = {statistics.geometric_mean(ratios):.2f}"
          + (f"  (ours on {next(iter(mine.values())).get('device')})" if mine else ""))
