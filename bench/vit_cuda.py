#!/usr/bin/env python3
"""ViT forward throughput: PyTorch (FP32, TF32 off, no_grad) against `bin/adamerge bench vit`.

Random weights in the real shapes (bench/clip_torch.py), random images; images/s at --batch
(default 128) as the median of --runs forwards after warm-up, timed with CUDA events; then ours
with the same batch (`bin/adamerge bench vit --json --device opencl`, or the command in
$ADAMERGE) and the ratio ours/PyTorch.

    python3 bench/vit_cuda.py [--config vit-b-32] [--batch 128] [--ours-device opencl] [--no-ours]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch  # noqa: E402

from clip_torch import CONFIGS, ClipShapes  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--config", default="vit-b-32", choices=sorted(CONFIGS))
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--runs", type=int, default=10)
parser.add_argument("--device", default="cuda")
parser.add_argument("--ours-device", default="opencl")
parser.add_argument("--no-ours", action="store_true")
args = parser.parse_args()
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
ROOT = Path(__file__).resolve().parent.parent
dev = torch.device(args.device)
clip = ClipShapes(*CONFIGS[args.config])


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


gen = torch.Generator().manual_seed(1)
weights = clip.random_weights(gen, dev)
x = torch.randn(args.batch, 3, clip.image, clip.image, generator=gen).to(dev)
with torch.no_grad():
    for _ in range(3):
        clip.encode(weights, x)
    sync()
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        clip.encode(weights, x)
        sync()
        times.append(time.perf_counter() - t0)
pt = args.batch / statistics.median(times)
name = torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"
print(f"{args.config} forward, batch {args.batch}, FP32 (TF32 off): PyTorch {torch.__version__} on {name}: {pt:.1f} images/s", flush=True)
if not args.no_ours:
    cmd = shlex.split(os.environ.get("ADAMERGE", str(ROOT / "bin" / "adamerge")))
    cmd += ["bench", "vit", "--json", "--config", args.config, "--batch", str(args.batch), "--device", args.ours_device]
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ours failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    o = json.loads([ln for ln in r.stdout.splitlines() if ln.startswith("{")][-1])
    print(f"ours: {o['images_per_s']:.1f} images/s (forward+backward {o.get('fwd_bwd_s', float('nan')):.3f} s); "
          f"ours/PyTorch = {o['images_per_s'] / pt:.2f}")
    print(json.dumps({"pytorch_images_per_s": pt, "ours": o, "ratio": o["images_per_s"] / pt}))
