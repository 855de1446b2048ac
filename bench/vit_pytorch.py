#!/usr/bin/python3
"""ViT encoder speed: AdaMerge4J (`bin/adamerge bench vit --json`) against PyTorch on the CPU.

Run:  /usr/bin/python3 bench/vit_pytorch.py [--config vit-b-32] [--batch 16] [--runs 3] [--threads 2]

Both sides use random weights and inputs in the real shapes and measure, after one warm-up call,
the median of --runs calls of
  - the forward pass without a graph (images/s), torch.no_grad() here;
  - one forward + backward of the mean softmax entropy of a random 10-class head on normalised
    features, with a gradient for every encoder weight (AdaMerging's inner step);
and the peak resident memory of the process (VmHWM / ru_maxrss).
The torch model is a hand-written OpenAI CLIP ViT (QuickGELU, pre-norm blocks, packed q;k;v),
independent of open_clip. Uses Debian's torch (1.13, OpenBLAS); torch.set_num_threads(--threads).
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import peer_blas  # noqa: E402,F401  (sets the peer's best OpenBLAS kernels before torch loads it)
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# image, patch, width, layers, output dim (heads = width / 64, MLP = 4 width)
CONFIGS = {"vit-b-32": (224, 32, 768, 12, 512), "vit-b-16": (224, 16, 768, 12, 512), "vit-l-14": (224, 14, 1024, 24, 768)}


def random_weights(cfg, seed=1):
    image, patch, width, layers, out = cfg
    g = torch.Generator().manual_seed(seed)
    tokens = (image // patch) ** 2 + 1

    def rn(*shape, std):
        return torch.randn(*shape, generator=g) * std

    w = {"conv1.weight": rn(width, 3, patch, patch, std=(3 * patch * patch) ** -0.5),
         "class_embedding": rn(width, std=0.02), "positional_embedding": rn(tokens, width, std=0.02),
         "ln_pre.weight": torch.ones(width), "ln_pre.bias": torch.zeros(width)}
    for i in range(layers):
        b = "transformer.resblocks.%d." % i
        w[b + "ln_1.weight"], w[b + "ln_1.bias"] = torch.ones(width), torch.zeros(width)
        w[b + "attn.in_proj_weight"] = rn(3 * width, width, std=width ** -0.5)
        w[b + "attn.in_proj_bias"] = torch.zeros(3 * width)
        w[b + "attn.out_proj.weight"] = rn(width, width, std=width ** -0.5)
        w[b + "attn.out_proj.bias"] = torch.zeros(width)
        w[b + "ln_2.weight"], w[b + "ln_2.bias"] = torch.ones(width), torch.zeros(width)
        w[b + "mlp.c_fc.weight"] = rn(4 * width, width, std=width ** -0.5)
        w[b + "mlp.c_fc.bias"] = torch.zeros(4 * width)
        w[b + "mlp.c_proj.weight"] = rn(width, 4 * width, std=(4 * width) ** -0.5)
        w[b + "mlp.c_proj.bias"] = torch.zeros(width)
    w["ln_post.weight"], w["ln_post.bias"] = torch.ones(width), torch.zeros(width)
    w["proj"] = rn(width, out, std=width ** -0.5)
    return w


def forward(w, x, cfg):
    """OpenAI CLIP VisionTransformer.forward: features = ln_post(CLS) @ proj."""
    image, patch, width, layers, out = cfg
    heads, d = width // 64, 64
    b = x.shape[0]
    x = F.conv2d(x, w["conv1.weight"], stride=patch).reshape(b, width, -1).transpose(1, 2)
    x = torch.cat([w["class_embedding"].expand(b, 1, width), x], 1) + w["positional_embedding"]
    x = F.layer_norm(x, (width,), w["ln_pre.weight"], w["ln_pre.bias"], 1e-5)
    t = x.shape[1]
    for i in range(layers):
        p = "transformer.resblocks.%d." % i
        h = F.layer_norm(x, (width,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        qkv = F.linear(h, w[p + "attn.in_proj_weight"], w[p + "attn.in_proj_bias"])
        q, k, v = (qkv[..., j * width:(j + 1) * width].reshape(b, t, heads, d).transpose(1, 2) for j in range(3))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), -1)
        o = (a @ v).transpose(1, 2).reshape(b, t, width)
        x = x + F.linear(o, w[p + "attn.out_proj.weight"], w[p + "attn.out_proj.bias"])
        h = F.layer_norm(x, (width,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        h = F.linear(h, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"])
        h = h * torch.sigmoid(1.702 * h)  # QuickGELU
        x = x + F.linear(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
    return F.layer_norm(x[:, 0], (width,), w["ln_post.weight"], w["ln_post.bias"], 1e-5) @ w["proj"]


def median_seconds(runs, fn):
    fn()
    s = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        s.append(time.perf_counter() - t0)
    return sorted(s)[len(s) // 2]


def torch_bench(cfg, batch, runs):
    w = random_weights(cfg)
    x = torch.randn(batch, 3, cfg[0], cfg[0], generator=torch.Generator().manual_seed(7))
    head = torch.randn(10, cfg[4], generator=torch.Generator().manual_seed(8)) * 5

    def fwd():
        with torch.no_grad():
            forward(w, x, cfg)

    def fwd_bwd():
        params = {k: v.clone().requires_grad_(True) for k, v in w.items()}
        logits = F.normalize(forward(params, x, cfg), dim=-1) @ head.t()
        logp = torch.log_softmax(logits, -1)
        loss = -(logp.exp() * logp).sum(-1).mean()
        loss.backward()
        assert params["conv1.weight"].grad is not None

    f = median_seconds(runs, fwd)
    fb = median_seconds(runs, fwd_bwd)
    return {"images_per_s": batch / f, "fwd_s": f, "fwd_bwd_s": fb,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def ours_bench(config, batch, runs, threads):
    env = dict(os.environ)
    env["ADAMERGE_JAVA_OPTS"] = (env.get("ADAMERGE_JAVA_OPTS", "") + " -Dadamerge.threads=%d" % threads).strip()
    cmd = [os.path.join(ROOT, "bin", "adamerge"), "bench", "vit", "--config", config, "--batch", str(batch),
           "--runs", str(runs), "--json"]
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="vit-b-32", choices=sorted(CONFIGS))
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    ours = ours_bench(a.config, a.batch, a.runs, a.threads)  # first, so torch's memory does not overlap
    ref = torch_bench(CONFIGS[a.config], a.batch, a.runs)
    if a.json:
        print(json.dumps({"config": a.config, "batch": a.batch, "threads": a.threads, "adamerge": ours, "pytorch": ref,
                          "torch_version": torch.__version__}))
        return
    print("%s, batch %d, %d threads, median of %d runs (torch %s, %s)" % (a.config, a.batch, a.threads, a.runs, torch.__version__, peer_blas.describe()))
    print("%-22s %12s %12s %14s" % ("", "AdaMerge4J", "PyTorch", "ours/PyTorch"))
    for key, label, fmt, higher_better in (("images_per_s", "forward images/s", "%12.2f", True),
                                           ("fwd_bwd_s", "fwd+bwd s/batch", "%12.3f", False),
                                           ("peak_rss_bytes", "peak RSS MiB", "%12.0f", False)):
        o, r = ours[key], ref[key]
        if key == "peak_rss_bytes":
            o, r = o / 1048576, r / 1048576
        print("%-22s %s %s %13.2fx%s" % (label, fmt % o, fmt % r, o / r,
                                         "  (higher is better)" if higher_better else "  (lower is better)"))


if __name__ == "__main__":
    sys.exit(main())
