#!/usr/bin/python3
"""One layer-wise AdaMerging step in PyTorch, timed against `bin/adamerge bench adamerging`.

Does what the official AdaMerging code (EnnengYang/AdaMerging, main_layer_wise_adamerging.py)
does per step, on random weights in the real shapes:
  * lambdas: a [layers, K] parameter (prior 0.3), clamped to [0, 1]; the pretrained model's
    coefficient is fixed at 1;
  * for every task: theta_j = sum over (pretrained, tau_1..tau_K) of coefficient * tensor,
    computed with autograd (the official code rebuilds the merged weights inside forward(),
    once per task; --merge-once builds them once per step instead), then a hand-written CLIP
    ViT forward (QuickGELU) on that task's batch, the frozen head (100 x normalised rows on
    L2-normalised features) and the mean entropy;
  * the entropies summed over tasks, one backward into the lambdas, one Adam step (lr 1e-3).
Prints seconds per step (median of --steps after one warm-up) and the peak memory (peak RSS on
the CPU; torch.cuda.max_memory_allocated on CUDA) of both sides and ours/PyTorch.

Each side runs in a process of its own (ours: `bin/adamerge bench adamerging --json`, or the
command in $ADAMERGE; PyTorch: this script with --pytorch-only), one after the other, so neither
holds memory while the other runs (PyTorch's 8-task CPU step peaks near 20 GB). --rounds R takes
R turns each (ours, PyTorch, ours, PyTorch, ...) and reports the median of the per-round ratios:
on a shared VM whose speed drifts over minutes, turns close together compare like with like.

    /usr/bin/python3 bench/adamerging_pytorch.py --tasks 2 [--threads 2]        # CPU, here
    ADAMERGE_JAVA_OPTS=-Xmx2g /usr/bin/python3 bench/adamerging_pytorch.py --tasks 8 --steps 2 --rounds 3
    python3 bench/adamerging_pytorch.py --device cuda --ours-device opencl     # GPU machine
"""
import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--config", default="vit-b-32", choices=["vit-b-32", "vit-b-16", "vit-l-14"])
parser.add_argument("--tasks", type=int, default=8)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--batches-per-step", type=int, default=1)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--classes", type=int, default=10)
parser.add_argument("--device", default="cpu", help="cpu or cuda")
parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch (and ours: -Dadamerge.threads)")
parser.add_argument("--merge-once", action="store_true", help="merge once per step instead of once per task (official)")
parser.add_argument("--no-ours", action="store_true", help="skip running bin/adamerge")
parser.add_argument("--pytorch-only", action="store_true", help="run PyTorch's side here and print its JSON (used by the rounds)")
parser.add_argument("--rounds", type=int, default=1, help="turns each side takes, alternating (default 1)")
parser.add_argument("--ours-device", default=None, help="--device for ours (default: cpu, or opencl with --device cuda)")
parser.add_argument("--json", action="store_true", help="print one JSON object with both results last")
args = parser.parse_args()

os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
import peer_blas  # noqa: E402,F401  (sets the peer's best OpenBLAS kernels before torch loads it)
import torch  # noqa: E402

from clip_torch import CONFIGS, ClipShapes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
clip = ClipShapes(*CONFIGS[args.config])
dev = torch.device(args.device)
if dev.type == "cpu":
    torch.set_num_threads(args.threads)
else:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def entropy(logits):
    return -(logits.softmax(1) * logits.log_softmax(1)).sum(1).mean(0)


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def pytorch_bench():
    gen = torch.Generator().manual_seed(1)
    names = list(clip.shapes())
    pre = clip.random_weights(gen, dev)
    taus = [{n: (torch.randn(pre[n].shape, generator=gen) * 1e-3).to(dev) for n in names} for _ in range(args.tasks)]
    heads = []
    for _ in range(args.tasks):
        w = torch.randn(args.classes, clip.out, generator=gen)
        heads.append((100 * w / w.norm(dim=1, keepdim=True)).to(dev))
    batches = [[torch.randn(args.batch, 3, clip.image, clip.image, generator=gen).to(dev) for _ in range(args.batches_per_step)]
               for _ in range(args.tasks)]
    # Official layout: paramslist = [pretrained, tau_1..tau_K]; lambdas = [1 | clamp(raw)] per layer.
    raw = torch.full((len(names), args.tasks), 0.3, device=dev, requires_grad=True)
    opt = torch.optim.Adam([raw], lr=1e-3, betas=(0.9, 0.999))

    def merged():
        lam = torch.cat([torch.ones(len(names), 1, device=dev), raw.clamp(0, 1)], 1)
        return {n: sum(lam[j, k] * t for k, t in enumerate([pre[n]] + [tv[n] for tv in taus])) for j, n in enumerate(names)}

    def step():
        loss = 0
        params = merged() if args.merge_once else None
        for t in range(args.tasks):
            for x in batches[t]:
                p = params if args.merge_once else merged()
                f = clip.encode(p, x)
                f = f / f.norm(dim=-1, keepdim=True)
                loss = loss + entropy(f @ heads[t].t())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync()
        return loss.item()

    t0 = time.perf_counter()
    step()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    if dev.type == "cuda":
        peak, peak_kind = torch.cuda.max_memory_allocated(), "cuda_max_allocated_bytes"
    else:
        peak, peak_kind = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "peak_rss_bytes"
    model_bytes = 4 * sum(t.numel() for t in pre.values())
    return {"step_s": statistics.median(times), "step_mean_s": statistics.mean(times), "warmup_s": warm, "loss": loss,
            peak_kind: peak, "model_bytes": model_bytes, "torch": torch.__version__,
            "device": torch.cuda.get_device_name() if dev.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
            "merge": "once per step" if args.merge_once else "once per task (official)"}


def ours_bench(device):
    cmd = shlex.split(os.environ.get("ADAMERGE", str(ROOT / "bin" / "adamerge")))
    cmd += ["bench", "adamerging", "--json", "--config", args.config, "--tasks", str(args.tasks), "--batch", str(args.batch),
            "--batches-per-step", str(args.batches_per_step), "--steps", str(args.steps), "--device", device]
    env = dict(os.environ)
    if device == "cpu":
        env["ADAMERGE_JAVA_OPTS"] = (env.get("ADAMERGE_JAVA_OPTS", "") + f" -Dadamerge.threads={args.threads}").strip()
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"ours failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads([ln for ln in r.stdout.splitlines() if ln.startswith("{")][-1])


def pytorch_subprocess():
    """PyTorch's side in a fresh process, so its memory is returned before ours runs again."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--pytorch-only"] + [a for a in sys.argv[1:] if a != "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"PyTorch's run failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.splitlines()[-1])


def describe_pytorch(pt):
    peak = pt.get("peak_rss_bytes", pt.get("cuda_max_allocated_bytes"))
    return (f"PyTorch {pt['torch']} on {pt['device']}, merge {pt['merge']}: {pt['step_s']:.3f} s/step "
            f"(mean {pt['step_mean_s']:.3f}, warm-up {pt['warmup_s']:.3f}), peak memory {peak / 2**20:.0f} MiB "
            f"({'RSS' if 'peak_rss_bytes' in pt else 'CUDA allocated'}), loss {pt['loss']:.5f}")


def describe_ours(ours, device):
    extra = f", device memory peak {ours['peak_device_bytes'] / 2**20:.0f} MiB" if "peak_device_bytes" in ours else ""
    return (f"ours ({device}, {ours['device']}): {ours['step_s']:.3f} s/step (mean {ours['step_mean_s']:.3f}, "
            f"warm-up {ours['warmup_s']:.3f}), peak RSS {ours['peak_rss_bytes'] / 2**20:.0f} MiB{extra}, loss {ours['loss']:.5f}")


def main():
    if args.pytorch_only:
        print(json.dumps(pytorch_bench()))
        return
    conf = (f"{args.config}, {args.tasks} tasks x {args.batches_per_step} batch(es) of {args.batch}, "
            f"median of {args.steps} steps after a warm-up")
    print(f"layer-wise AdaMerging step, {conf}; PyTorch {torch.__version__}, {peer_blas.describe()}", flush=True)
    device = args.ours_device or ("opencl" if dev.type == "cuda" else "cpu")
    rounds = []
    for r in range(args.rounds):
        head = f"round {r + 1}/{args.rounds}: " if args.rounds > 1 else ""
        ours = None if args.no_ours else ours_bench(device)
        if ours:
            print(head + describe_ours(ours, device), flush=True)
        pt = pytorch_subprocess()
        print(head + describe_pytorch(pt), flush=True)
        rounds.append({"ours": ours, "pytorch": pt})
        if ours:
            ratio = ours["step_s"] / pt["step_s"]
            rounds[-1]["ratio_time_ours_over_pytorch"] = ratio
            print(f"{head}time ours / PyTorch = {ratio:.2f}  (speed ours / PyTorch = {1 / ratio:.2f})", flush=True)
    result = {"config": args.config, "tasks": args.tasks, "batch": args.batch, "batches_per_step": args.batches_per_step,
              "rounds": rounds}
    if not args.no_ours and args.rounds > 1:
        ratios = [r["ratio_time_ours_over_pytorch"] for r in rounds]
        result["ratio_time_ours_over_pytorch"] = statistics.median(ratios)
        print(f"time ours / PyTorch over {args.rounds} rounds: median {statistics.median(ratios):.2f} "
              f"(per round {', '.join(f'{x:.2f}' for x in ratios)})")
    elif not args.no_ours:
        result["ratio_time_ours_over_pytorch"] = rounds[0]["ratio_time_ours_over_pytorch"]
    if args.json:
        print(json.dumps(result))


main()
