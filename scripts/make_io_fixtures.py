#!/usr/bin/python3
"""Writes the PyTorch checkpoint fixtures for vit/src/test/java/adamerge/vit/io.

Run with a Python that has torch (Debian's /usr/bin/python3 has torch 1.13):
    /usr/bin/python3 scripts/make_io_fixtures.py
It writes vit/src/test/resources/io/{state_dict,nested,module,head_Tiny,legacy}.pt, module.pkl and
expected.safetensors, which holds every float tensor the Java readers must find, named
"<file stem>/<state_dict key>", in state_dict order and in the tensor's own dtype.
"""
import collections
import enum
import json
import os
import pickle
import struct
import sys
import types

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vit", "src", "test", "resources", "io")
torch.manual_seed(0)


def fake_module(name, source):
    """A module importable as `name` (so pickles reference e.g. src.modeling.ImageEncoder)."""
    mod = types.ModuleType(name)
    mod.__dict__.update(torch=torch, nn=torch.nn, enum=enum, collections=collections)
    sys.modules[name] = mod
    exec(source, mod.__dict__)
    return mod


fake_module("src", "")
modeling = fake_module("src.modeling", '''
class InterpolationMode(enum.Enum):  # stands in for torchvision's enum: pickled as REDUCE(cls, ("bicubic",))
    BICUBIC = "bicubic"

class Resize:
    def __init__(self, size):
        self.size = size
        self.interpolation = InterpolationMode.BICUBIC

class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

class ResidualAttentionBlock(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(w)
        self.attn = nn.MultiheadAttention(w, heads)
        self.ln_2 = nn.LayerNorm(w)
        self.mlp = nn.Sequential(collections.OrderedDict([
            ("c_fc", nn.Linear(w, 2 * w)), ("gelu", nn.GELU()), ("c_proj", nn.Linear(2 * w, w))]))

class Transformer(nn.Module):
    def __init__(self, w, layers, heads):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(w, heads) for _ in range(layers)])

class VisualTransformer(nn.Module):
    def __init__(self, w=8, patch=4, grid=2, out=4):
        super().__init__()
        self.conv1 = nn.Conv2d(3, w, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(w))
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, w))
        self.ln_pre = nn.LayerNorm(w)
        self.transformer = Transformer(w, 2, 2)
        self.ln_post = nn.LayerNorm(w)
        self.proj = nn.Parameter(torch.randn(w, out))

class CLIP(nn.Module):
    def __init__(self):
        super().__init__()
        self.visual = VisualTransformer()
        self.logit_scale = nn.Parameter(torch.tensor(4.6052))
        self.register_buffer("attn_mask", torch.ones(3, 3), persistent=False)
        self.register_buffer("counter", torch.tensor([2.0, 3.0]))

class ImageEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = CLIP()
        self.train_preprocess = Compose([Resize(224)])
        self.val_preprocess = self.train_preprocess
        self.cache_dir = None
''')
heads = fake_module("src.heads", '''
class ClassificationHead(nn.Linear):
    def __init__(self, normalize, weights):
        out, dim = weights.shape
        super().__init__(dim, out)
        self.normalize = normalize
        self.weight = nn.Parameter(weights.clone())
        self.bias = nn.Parameter(torch.zeros_like(self.bias))
''')


def perturb(module):
    with torch.no_grad():  # LayerNorms start at ones/zeros: make every value distinct
        for p in module.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return module


def write_safetensors(path, tensors):
    """A tiny safetensors writer (the safetensors package may be absent)."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
    header, blobs, at = {}, [], 0
    for k, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    header["__metadata__"] = {"generator": "scripts/make_io_fixtures.py", "torch": torch.__version__}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def floats(sd):
    return collections.OrderedDict((k, v) for k, v in sd.items() if v.is_floating_point())


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = collections.OrderedDict()

    base = torch.arange(10, dtype=torch.float32) / 4
    a = torch.randn(4, 3)
    sd = collections.OrderedDict([
        ("a.f32", torch.randn(3, 4)),
        ("b.f16", torch.randn(5).half()),
        ("c.bf16", torch.randn(2, 3).bfloat16()),
        ("d.transposed", a.t()),                    # non-contiguous view, strides (1, 3)
        ("e.base", base),
        ("e.view", base[2:8].view(2, 3)),           # same storage, offset 2
        ("f.scalar", torch.tensor(3.5)),
        ("g.empty", torch.zeros(0, 3)),
        ("h.position_ids", torch.arange(4)),        # int64: not a float tensor, skipped
        ("p.param", torch.nn.Parameter(torch.randn(2, 2))),
    ])
    torch.save(sd, os.path.join(OUT, "state_dict.pt"))
    for k, v in floats(sd).items():
        expected["state_dict/" + k] = v

    nested = {"epoch": 3, "state_dict": collections.OrderedDict([("w", torch.randn(2, 2)), ("b", torch.randn(2))])}
    torch.save(nested, os.path.join(OUT, "nested.pt"))
    for k, v in nested["state_dict"].items():
        expected["nested/" + k] = v

    enc = perturb(modeling.ImageEncoder())
    try:
        import torchvision.transforms as T
        enc.val_preprocess = T.Compose([T.Resize(224, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(224), T.ToTensor()])
    except ImportError:
        pass
    torch.save(enc, os.path.join(OUT, "module.pt"))
    for k, v in floats(enc.state_dict()).items():
        expected["module/" + k] = v

    head = heads.ClassificationHead(True, torch.randn(3, 8))
    torch.save(head, os.path.join(OUT, "head_Tiny.pt"))
    for k, v in head.state_dict().items():
        expected["head_Tiny/" + k] = v

    # pre-1.6 format: storages follow the pickles; e.view shares e.base's storage at offset 2
    legacy = collections.OrderedDict([("w", torch.randn(2, 3).half()), ("e.base", base), ("e.view", base[2:8].view(2, 3))])
    torch.save(legacy, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    for k, v in legacy.items():
        expected["legacy/" + k] = v

    # task_vectors' torch_load_old path: a plain pickle.dump of the module (storages as legacy bytes)
    with open(os.path.join(OUT, "module.pkl"), "wb") as f:
        pickle.dump(enc, f, protocol=2)

    expected["labels"] = torch.tensor([3, -1, 7, 1 << 40])
    write_safetensors(os.path.join(OUT, "expected.safetensors"), expected)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
