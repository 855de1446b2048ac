#!/usr/bin/python3
"""TSV-Merge, Iso-C and Iso-CTS in PyTorch, timed against `bin/adamerge bench svd-merge`.

The PyTorch side runs the upstream algorithms (task_singular_vectors' compute_and_sum_svd_mem_reduction,
iso-merging's iso_c and iso_cts) as scripts/fixtures/make_dare_svd_fixtures.py writes them, here
in float32 as upstream runs them (torch.linalg.svd, LAPACK gesdd), on K random task vectors
(N(0, 1e-6) entries) in the shapes of --config; only the merge is timed. Ours runs in a process of
its own afterwards on random models of the same shapes. --layers L keeps only L transformer blocks
on both sides: every block has the same four matrices, so the per-block time, and the ratio, is
that of the whole model in a fraction of the wait (PyTorch's 8-task TSV-Merge of all of ViT-B/32
takes a quarter of an hour on 2 cores).

    /usr/bin/python3 bench/svd_merges_pytorch.py --method all --tasks 8 --layers 2 [--threads 2]
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "scripts" / "fixtures"))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--method", default="all", choices=["tsv", "iso-c", "iso-cts", "all"])
parser.add_argument("--config", default="vit-b-32", choices=["vit-b-32", "vit-b-16", "vit-l-14"])
parser.add_argument("--tasks", type=int, default=8)
parser.add_argument("--layers", type=int, default=0, help="transformer blocks kept (default 0: all)")
parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch (and ours: -Dadamerge.threads)")
parser.add_argument("--no-ours", action="store_true", help="skip running bin/adamerge")
parser.add_argument("--json", action="store_true", help="print one JSON object per method with both results")
args = parser.parse_args()

os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
import peer_blas  # noqa: E402,F401  (sets the peer's best OpenBLAS kernels before torch loads it)
import torch  # noqa: E402

import clip_torch  # noqa: E402
import make_dare_svd_fixtures as upstream  # noqa: E402

torch.set_num_threads(args.threads)
upstream.D = torch.float32  # upstream merges float32 task vectors

image, patch, width, layers, heads, out = clip_torch.CONFIGS[args.config]
shapes = clip_torch.ClipShapes(image, patch, width, args.layers or layers, heads, out).shapes()


def pytorch_side(method):
    gen = torch.Generator().manual_seed(0)
    taus = [{k: 1e-3 * torch.randn(s, generator=gen) for k, s in shapes.items()} for _ in range(args.tasks)]
    t0 = time.perf_counter()
    if method == "tsv":
        merged = upstream.tsv_merge(taus)
    elif method == "iso-c":
        merged = upstream.iso_c(taus)
    else:
        merged, _ = upstream.iso_cts(taus, 0.8)
    seconds = time.perf_counter() - t0
    assert all(torch.isfinite(v).all() for v in merged.values())
    return {"merge_s": seconds, "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def ours(method):
    env = dict(os.environ)
    env["ADAMERGE_JAVA_OPTS"] = (env.get("ADAMERGE_JAVA_OPTS", "") + " -Dadamerge.threads=%d" % args.threads).strip()
    cmd = [str(ROOT / "bin" / "adamerge"), "bench", "svd-merge", "--method", method, "--config", args.config,
           "--tasks", str(args.tasks), "--layers", str(args.layers), "--json"]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("%s failed:\n%s" % (shlex.join(cmd), res.stderr))
    return json.loads(res.stdout.strip().splitlines()[-1])


methods = ["tsv", "iso-c", "iso-cts"] if args.method == "all" else [args.method]
for m in methods:
    torch_r = pytorch_side(m)
    row = {"method": m, "config": args.config, "layers": args.layers or layers, "tasks": args.tasks, "threads": args.threads,
           "pytorch": torch_r, "torch_version": torch.__version__}
    if not args.no_ours:
        row["ours"] = ours(m)
        row["ours_time_over_pytorch"] = row["ours"]["merge_s"] / torch_r["merge_s"]
    if args.json:
        print(json.dumps(row))
    else:
        line = "%-8s %s, %d blocks, %d tasks, %d threads: PyTorch %.1f s (peak RSS %.0f MiB, %s)" % (
            m, args.config, row["layers"], args.tasks, args.threads, torch_r["merge_s"], torch_r["peak_rss_bytes"] / 2**20,
            peer_blas.describe())
        if "ours" in row:
            line += ", ours %.1f s (peak RSS %.0f MiB): %.2fx the time" % (
                row["ours"]["merge_s"], row["ours"]["peak_rss_bytes"] / 2**20, row["ours_time_over_pytorch"])
        print(line, flush=True)
