#!/usr/bin/python3
"""A ViT-B/32-shaped random CLIP image encoder, AdaMerge4J against PyTorch (the full-size
counterpart of the small fixtures in scripts/fixtures/).

Run:  /usr/bin/python3 bench/vit_b32_check.py [--images 4] [--seed 0] [--keep DIR]

Draws a random ViT-B/32 with clip_torch.py's scales (plus small random layer-norm gains and
biases, so that every parameter matters), writes it as an open_clip-convention safetensors
(`visual.` keys) and a batch of random pixel_values as a data set, runs
`bin/adamerge encode` on them and compares its image_embeds with the features of clip_torch.py's
functional encoder computed in float64. Prints the max abs and max relative error
(max|diff| / max|ref|, also for a float32 PyTorch run as the yardstick) and exits 1 when the
relative error exceeds --tol (1e-4). Uses Debian's torch 1.13; writes safetensors without the
`safetensors` package (scripts/fixtures/safetensors_lite.py).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
import clip_torch  # noqa: E402
import safetensors_lite  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4, help="max allowed max|diff| / max|ref|")
    ap.add_argument("--keep", help="write the model, data and embeddings here instead of a temporary folder")
    args = ap.parse_args()

    shapes = clip_torch.ClipShapes(*clip_torch.CONFIGS["vit-b-32"])
    gen = torch.Generator().manual_seed(args.seed)
    weights = shapes.random_weights(gen, "cpu")
    for name, t in weights.items():  # layer-norm gains around 1 and biases around 0, not exactly
        if "ln_" in name or name.endswith("bias"):
            t += 0.05 * torch.randn(t.shape, generator=gen)
    pixels = torch.randn((args.images, 3, shapes.image, shapes.image), generator=gen)

    with torch.no_grad():
        ref = shapes.encode({k: v.double() for k, v in weights.items()}, pixels.double()).numpy()
        ref32 = shapes.encode(weights, pixels).double().numpy()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or tmp
        os.makedirs(folder, exist_ok=True)
        model, data, out = (os.path.join(folder, f) for f in ("vit-b-32-random.safetensors", "pixels.safetensors", "embeds.safetensors"))
        safetensors_lite.save(model, {"visual." + k: v for k, v in weights.items()})
        safetensors_lite.save(data, {"pixel_values": pixels})
        start = time.time()
        subprocess.run([os.path.join(ROOT, "bin", "adamerge"), "encode", "--model", model, "--input", data, "--out", out],
                       check=True)
        seconds = time.time() - start
        tensors, _ = safetensors_lite.load(out)
        got = tensors["image_embeds"].astype(np.float64)

    if got.shape != ref.shape:
        sys.exit(f"image_embeds has shape {got.shape}, PyTorch's features {ref.shape}")
    scale = np.abs(ref).max()
    diff, diff32 = np.abs(got - ref).max(), np.abs(ref32 - ref).max()
    print(f"vit-b-32 random (seed {args.seed}), {args.images} images, features {ref.shape}, max|ref| {scale:.4g}")
    print(f"AdaMerge4J encode vs PyTorch float64:  max abs {diff:.3e}  max rel {diff / scale:.3e}  ({seconds:.1f} s for the command)")
    print(f"PyTorch float32   vs PyTorch float64:  max abs {diff32:.3e}  max rel {diff32 / scale:.3e}")
    if not diff / scale <= args.tol:
        sys.exit(f"FAIL: relative error {diff / scale:.3e} exceeds {args.tol:g}")
    print("OK")


if __name__ == "__main__":
    main()
