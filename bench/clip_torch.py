"""The CLIP ViT image encoder written out in PyTorch functional calls, for the benchmarks.

Weights are a dict in open_clip's layout without the `visual.` prefix (AdaMerge4J's canonical
layout, ClipWeights.names); `random_weights` draws them with the scales of ClipWeights.random.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

CONFIGS = {  # image, patch, width, layers, heads, output dim
    "vit-b-32": (224, 32, 768, 12, 12, 512),
    "vit-b-16": (224, 16, 768, 12, 12, 512),
    "vit-l-14": (224, 14, 1024, 24, 16, 768),
}


@dataclass(frozen=True)
class ClipShapes:
    image: int
    patch: int
    width: int
    layers: int
    heads: int
    out: int

    def shapes(self):
        """Canonical tensor names and shapes in open_clip's state-dict order."""
        w, m, g = self.width, 4 * self.width, self.image // self.patch
        s = {"class_embedding": (w,), "positional_embedding": (g * g + 1, w), "proj": (w, self.out),
             "conv1.weight": (w, 3, self.patch, self.patch), "ln_pre.weight": (w,), "ln_pre.bias": (w,)}
        for i in range(self.layers):
            b = f"transformer.resblocks.{i}."
            s.update({b + "ln_1.weight": (w,), b + "ln_1.bias": (w,), b + "attn.in_proj_weight": (3 * w, w),
                      b + "attn.in_proj_bias": (3 * w,), b + "attn.out_proj.weight": (w, w), b + "attn.out_proj.bias": (w,),
                      b + "ln_2.weight": (w,), b + "ln_2.bias": (w,), b + "mlp.c_fc.weight": (m, w), b + "mlp.c_fc.bias": (m,),
                      b + "mlp.c_proj.weight": (w, m), b + "mlp.c_proj.bias": (w,)})
        s["ln_post.weight"] = (w,)
        s["ln_post.bias"] = (w,)
        return s

    def random_weights(self, gen, device):
        """Matrices ~ N(0, 1/fan_in), layer-norm gains 1, biases 0, embeddings ~ N(0, 0.02)."""
        out = {}
        for name, shape in self.shapes().items():
            if "ln_" in name and name.endswith("weight"):
                t = torch.ones(shape)
            elif name.endswith("bias"):
                t = torch.zeros(shape)
            elif len(shape) == 1 or name == "positional_embedding":
                t = torch.randn(shape, generator=gen) * 0.02
            else:
                fan_in = shape[0] if name == "proj" else math.prod(shape) // shape[0]
                t = torch.randn(shape, generator=gen) / math.sqrt(fan_in)
            out[name] = t.to(device)
        return out

    def encode(self, p, x):
        """Features [b, out]: patch conv, class token, positions, ln_pre, pre-LN blocks with packed
        q;k;v attention and a QuickGELU MLP, ln_post on the class token, @ proj (LayerNorm eps 1e-5)."""
        b, w, h = x.shape[0], self.width, self.heads
        x = F.conv2d(x, p["conv1.weight"], stride=self.patch).flatten(2).transpose(1, 2)  # [b, g*g, w]
        x = torch.cat([p["class_embedding"].expand(b, 1, w), x], 1) + p["positional_embedding"]
        x = F.layer_norm(x, (w,), p["ln_pre.weight"], p["ln_pre.bias"], 1e-5)
        t, d = x.shape[1], w // h
        for i in range(self.layers):
            k = f"transformer.resblocks.{i}."
            y = F.layer_norm(x, (w,), p[k + "ln_1.weight"], p[k + "ln_1.bias"], 1e-5)
            qkv = F.linear(y, p[k + "attn.in_proj_weight"], p[k + "attn.in_proj_bias"])
            q, kk, v = (z.reshape(b, t, h, d).transpose(1, 2) for z in qkv.split(w, -1))
            att = torch.softmax((q / math.sqrt(d)) @ kk.transpose(-1, -2), -1)
            o = (att @ v).transpose(1, 2).reshape(b, t, w)
            x = x + F.linear(o, p[k + "attn.out_proj.weight"], p[k + "attn.out_proj.bias"])
            y = F.layer_norm(x, (w,), p[k + "ln_2.weight"], p[k + "ln_2.bias"], 1e-5)
            y = F.linear(y, p[k + "mlp.c_fc.weight"], p[k + "mlp.c_fc.bias"])
            y = y * torch.sigmoid(1.702 * y)  # QuickGELU
            x = x + F.linear(y, p[k + "mlp.c_proj.weight"], p[k + "mlp.c_proj.bias"])
        return F.layer_norm(x[:, 0], (w,), p["ln_post.weight"], p["ln_post.bias"], 1e-5) @ p["proj"]
