#!/usr/bin/python3
"""Train vitscope's bundled default model: a small pre-norm ViT on Fashion-MNIST (CPU, plain PyTorch).

Writes
  --out          resources/models/fashion-mnist-vit/   config.json, preprocessor_config.json,
                                                        model.safetensors (Hugging Face ViT names)
  --ref-out      tests/data/fashion_mnist_ref/         images/labels/logits/attention_last .npy,
                                                        accuracy.json (C++ parity fixture)
  --samples-out  resources/samples/fashion-mnist/      one PNG per class + README.md

Usage: /usr/bin/python3 tools/train_fashion_mnist.py [--quick] [--epochs N]
Data: Debian package dataset-fashion-mnist (IDX gz files in /usr/share/datasets/fashion-mnist).
"""
import argparse
import copy
import gzip
import json
import math
import os
import re
import struct
import sys
import tempfile
import time

# Under CPU contention, spinning OpenMP workers stall each other's barriers (measured ~4x slower
# per step on the shared 2-core box); passive waiting must be set before libgomp loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _keep_freed_memory() -> None:
    """Keep freed activation buffers in the heap instead of munmap-ing and re-faulting them
    (with 2 threads under load, kernel time fell from ~35% to ~28% of CPU time)."""
    import ctypes
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)   # M_MMAP_THRESHOLD: 1 GiB
        libc.mallopt(-1, 1 << 30)   # M_TRIM_THRESHOLD: 1 GiB
    except (OSError, AttributeError):
        pass


_keep_freed_memory()


def set_blas_threads(n: int) -> None:
    """Give OpenBLAS (which torch's matmuls call) the same thread count as torch. Left alone, the
    pthread OpenBLAS starts one thread per core in every process, and with two data-parallel
    ranks its four threads spin-wait against each other on two cores: 0.315 s/step with 30 % of the
    CPU time in the kernel, against 0.167 s/step with one BLAS thread per rank."""
    import ctypes
    for path in sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line}):
        try:
            lib = ctypes.CDLL(path)     # already loaded by torch: the same instance
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(n)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab_metrics  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics of x/255
LN_EPS = 1e-12              # Hugging Face ViT default
NUM_REF = 8                 # test images 0..7 go into the parity fixture
# The bundled samples (resources/samples/fashion-mnist): the first test image of each class
SAMPLE_INDICES = (19, 2, 1, 13, 6, 8, 4, 9, 18, 0)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
def read_idx(path: str) -> np.ndarray:
    """Read an IDX file (gz) into a uint8 array: magic 0x0000 08 <ndim>, big-endian dims, data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not a uint8 IDX file (magic {raw[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, expected {int(np.prod(dims))}")
    return data.reshape(dims)


def load_split(name: str, canvas: int = 28):
    """uint8 images (n, canvas, canvas) and int64 labels; with canvas > 28 each 28x28 image sits
    in the middle of a zero (black) canvas of that side."""
    images = read_idx(os.path.join(DATA_DIR, f"{name}-images-idx3-ubyte.gz"))  # (n, 28, 28)
    if canvas > 28:
        lo = (canvas - 28) // 2
        placed = np.zeros((len(images), canvas, canvas), dtype=np.uint8)
        placed[:, lo:lo + 28, lo:lo + 28] = images
        images = placed
    labels = read_idx(os.path.join(DATA_DIR, f"{name}-labels-idx1-ubyte.gz"))  # (n,)
    return images, labels.astype(np.int64)


def preprocess(images_u8: torch.Tensor) -> torch.Tensor:
    """uint8 (B, 28, 28) -> float (B, 1, 28, 28): x/255, then (x - mean) / std."""
    x = images_u8.float().div_(255.0).unsqueeze(1)
    return (x - MEAN) / STD


def augment(images_u8: torch.Tensor, gen: torch.Generator, pad: int, keep: slice, hflip: bool):
    """Random crop with zero padding `pad` (if pad > 0; the background is 0, so this is a random
    translation by up to `pad` pixels), then, with `hflip`, a random horizontal flip; returns the
    uint8 (b', 28, 28) images. The random numbers are drawn for the whole batch, so every
    data-parallel rank stays in step with the others, but only the rank's own slice `keep` is
    augmented and returned."""
    b, h, w = images_u8.shape
    if pad > 0:
        oy = torch.randint(0, 2 * pad + 1, (b,), generator=gen)[keep].tolist()
        ox = torch.randint(0, 2 * pad + 1, (b,), generator=gen)[keep].tolist()
        padded = F.pad(images_u8[keep], (pad, pad, pad, pad))         # (b', 28+2p, 28+2p)
        out = torch.stack([padded[i, y:y + h, x:x + w] for i, (y, x) in enumerate(zip(oy, ox))])
    else:
        out = images_u8[keep].clone()
    flip = (torch.rand(b, generator=gen) < 0.5)[keep]
    if hflip:
        out[flip] = out[flip].flip(-1)
    return out


# ---------------------------------------------------------------------------------------------
# Model: pre-norm ViT, same computation as transformers' ViTForImageClassification
# ---------------------------------------------------------------------------------------------
class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_dim: int, head_temperature: bool = False):
        super().__init__()
        self.heads = heads
        # Optional learned per-head log-scale of the attention logits (0 = the standard 1/sqrt(d)
        # scale). It lets a head sharpen its attention without growing q and k against weight
        # decay; export folds exp(scale) into the head's query rows, so the shipped model is a
        # plain ViT.
        self.log_scale = nn.Parameter(torch.zeros(heads)) if head_temperature else None
        self.ln1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)  # fused q|k|v, split on export
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x: torch.Tensor, want_attn: bool = False):
        b, n, d = x.shape                                           # (B, N, D)
        hd = d // self.heads
        # attention on the pre-normed tokens
        qkv = self.qkv(self.ln1(x)).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                            # (B, H, N, headDim)
        # scaling q rather than the N x N scores: same attention, ~5% less time per step
        scale = hd ** -0.5
        if self.log_scale is not None:
            scale = scale * self.log_scale.exp().view(1, -1, 1, 1)
        attn = torch.softmax((q * scale) @ k.transpose(-2, -1), dim=-1)  # (B, H, N, N)
        ctx = (attn @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.proj(ctx)
        # MLP with exact (erf) GELU
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return (x, attn) if want_attn else (x, None)


class ViT(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d, p = cfg["hidden_size"], cfg["patch_size"]
        grid = cfg["image_size"] // p
        self.patch = nn.Conv2d(cfg["num_channels"], d, kernel_size=p, stride=p)
        self.image_size = cfg["image_size"]
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        # "none" is the paper's Table 8 baseline: the position table is all zeros and never
        # trained, so the exported model keeps the HF layout and computes without positions.
        self.learned_pos = cfg.get("position", "learned") == "learned"
        if self.learned_pos:
            self.pos = nn.Parameter(torch.zeros(1, 1 + grid * grid, d))
        else:
            self.register_buffer("pos", torch.zeros(1, 1 + grid * grid, d))
        self.blocks = nn.ModuleList(
            Block(d, cfg["num_attention_heads"], cfg["intermediate_size"],
                  cfg.get("head_temperature", False))
            for _ in range(cfg["num_hidden_layers"]))
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.head = nn.Linear(d, cfg["num_labels"])
        # Masked patch prediction (the paper's Section 4.6 self-supervision, here an auxiliary
        # loss during training): a masked patch's token is replaced by a learned mask embedding
        # before the positions are added, and a linear decoder predicts its pixels from the final
        # token. Neither is exported: the shipped model stays a plain ViT.
        # With mpp_layer L > 0 the decoder reads the tokens after block L (through its own
        # LayerNorm) instead of the final ones, so block L itself must gather a masked patch's
        # neighbours.
        self.mpp = cfg.get("mpp", 0.0) > 0
        self.mpp_layer = cfg.get("mpp_layer", 0)
        if self.mpp:
            self.mask_token = nn.Parameter(torch.zeros(1, 1, d))
            self.mpp_head = nn.Linear(d, cfg["num_channels"] * p * p)
            if self.mpp_layer > 0:
                self.mpp_norm = nn.LayerNorm(d, eps=1e-12)
            nn.init.trunc_normal_(self.mask_token, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)
        if self.learned_pos:
            nn.init.trunc_normal_(self.pos, std=0.02)
        # "trunc-normal" is BERT's and timm's N(0, 0.02), tuned for width 768; at width 64 it makes
        # the first attention logits ~40x smaller than "xavier" (the paper's JAX code initialises
        # its Dense kernels with xavier-uniform / lecun-normal), so attention starts, and tends to
        # stay, uniform.
        xavier = cfg.get("weight_init", "trunc-normal") == "xavier"
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if xavier:
                    nn.init.xavier_uniform_(m.weight)
                else:
                    nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor, want_attn: bool = False, mask=None):
        """With `mask` (bool, B x patches; training with --mpp only) returns (logits, predicted
        pixels of every patch, B x patches x C*P*P)."""
        tokens = self.patch(x).flatten(2).transpose(1, 2)           # (B, gridH*gridW, D)
        if mask is not None:
            tokens = torch.where(mask[..., None], self.mask_token.to(tokens.dtype), tokens)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), tokens], 1) + self.pos  # (B, N, D)
        attns = []
        early = None
        for i, blk in enumerate(self.blocks):
            x, a = blk(x, want_attn)
            attns.append(a)
            if mask is not None and i + 1 == self.mpp_layer:
                early = self.mpp_norm(x[:, 1:])
        h = self.norm(x)
        logits = self.head(h[:, 0])                                 # (B, numLabels)
        if mask is not None:
            return logits, self.mpp_head(h[:, 1:] if early is None else early)
        return (logits, attns) if want_attn else logits


def patch_pixels(x: torch.Tensor, p: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, patches, C*p*p), patches in row-major grid order, each patch's pixels
    in (C, row, column) order (the masked-patch-prediction target)."""
    b, c, h, w = x.shape
    t = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
    return t.reshape(b, (h // p) * (w // p), c * p * p)


class ConvTeacher(nn.Module):
    """A small CNN: the distillation teacher (DeiT, Touvron et al. 2021), whose convolutions
    carry the locality and translation bias that the ViT lacks, and, wider, the CNN of the
    data-hunger experiment (tools/data_hunger.py). Not exported."""
    def __init__(self, num_labels: int, channels=(32, 64, 128)):
        super().__init__()
        layers, c_in = [], 1
        for c_out in channels:                                      # 28 -> 14 -> 7 -> 3
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in * 3 * 3, num_labels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def hf_state_dict(model: ViT) -> dict:
    """Module parameters under exact Hugging Face ViTForImageClassification names (fp32)."""
    sd = {"vit.embeddings.cls_token": model.cls,
          "vit.embeddings.position_embeddings": model.pos,
          "vit.embeddings.patch_embeddings.projection.weight": model.patch.weight,
          "vit.embeddings.patch_embeddings.projection.bias": model.patch.bias}
    for i, blk in enumerate(model.blocks):
        pre = f"vit.encoder.layer.{i}."
        qw, kw, vw = blk.qkv.weight.chunk(3, dim=0)                 # (D, D) each
        qb, kb, vb = blk.qkv.bias.chunk(3, dim=0)                   # (D,) each
        if blk.log_scale is not None:                               # fold into the query rows
            row = blk.log_scale.exp().repeat_interleave(qw.shape[0] // blk.heads)  # (D,)
            qw, qb = qw * row[:, None], qb * row
        sd.update({
            pre + "layernorm_before.weight": blk.ln1.weight,
            pre + "layernorm_before.bias": blk.ln1.bias,
            pre + "attention.attention.query.weight": qw,
            pre + "attention.attention.query.bias": qb,
            pre + "attention.attention.key.weight": kw,
            pre + "attention.attention.key.bias": kb,
            pre + "attention.attention.value.weight": vw,
            pre + "attention.attention.value.bias": vb,
            pre + "attention.output.dense.weight": blk.proj.weight,
            pre + "attention.output.dense.bias": blk.proj.bias,
            pre + "layernorm_after.weight": blk.ln2.weight,
            pre + "layernorm_after.bias": blk.ln2.bias,
            pre + "intermediate.dense.weight": blk.fc1.weight,
            pre + "intermediate.dense.bias": blk.fc1.bias,
            pre + "output.dense.weight": blk.fc2.weight,
            pre + "output.dense.bias": blk.fc2.bias,
        })
    sd.update({"vit.layernorm.weight": model.norm.weight, "vit.layernorm.bias": model.norm.bias,
               "classifier.weight": model.head.weight, "classifier.bias": model.head.bias})
    return {k: v.detach().float().contiguous().clone() for k, v in sd.items()}


def load_hf_state(model: ViT, folder: str) -> dict:
    """Loads weights written by export_model (HF names) back into the module; returns the
    folder's vitscope_training record, so a second stage can extend the first one's log."""
    w = load_file(os.path.join(folder, "model.safetensors"))
    with torch.no_grad():
        model.cls.copy_(w["vit.embeddings.cls_token"])
        model.pos.copy_(w["vit.embeddings.position_embeddings"])
        model.patch.weight.copy_(w["vit.embeddings.patch_embeddings.projection.weight"])
        model.patch.bias.copy_(w["vit.embeddings.patch_embeddings.projection.bias"])
        for i, blk in enumerate(model.blocks):
            pre = f"vit.encoder.layer.{i}."
            att = pre + "attention.attention."
            blk.qkv.weight.copy_(torch.cat([w[att + n + ".weight"] for n in ("query", "key", "value")]))
            blk.qkv.bias.copy_(torch.cat([w[att + n + ".bias"] for n in ("query", "key", "value")]))
            for mod, name in ((blk.ln1, "layernorm_before"), (blk.ln2, "layernorm_after"),
                              (blk.proj, "attention.output.dense"), (blk.fc1, "intermediate.dense"),
                              (blk.fc2, "output.dense")):
                mod.weight.copy_(w[pre + name + ".weight"])
                mod.bias.copy_(w[pre + name + ".bias"])
        model.norm.weight.copy_(w["vit.layernorm.weight"])
        model.norm.bias.copy_(w["vit.layernorm.bias"])
        model.head.weight.copy_(w["classifier.weight"])
        model.head.bias.copy_(w["classifier.bias"])
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f).get("vitscope_training", {})


def hf_reference_forward(w: dict, cfg: dict, x: np.ndarray):
    """Independent numpy forward that reads only the exported HF names (checks the export)."""
    def ln(t, p):
        mu = t.mean(-1, keepdims=True)
        var = ((t - mu) ** 2).mean(-1, keepdims=True)
        return (t - mu) / np.sqrt(var + LN_EPS) * w[p + ".weight"] + w[p + ".bias"]

    def lin(t, p):
        return t @ w[p + ".weight"].T + w[p + ".bias"]

    erf = np.vectorize(math.erf)
    d, h, p = cfg["hidden_size"], cfg["num_attention_heads"], cfg["patch_size"]
    b, g = x.shape[0], cfg["image_size"] // p
    patches = x.reshape(b, 1, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(b, g * g, p * p)
    proj = w["vit.embeddings.patch_embeddings.projection.weight"].reshape(d, -1)
    tok = patches @ proj.T + w["vit.embeddings.patch_embeddings.projection.bias"]
    cls = np.broadcast_to(w["vit.embeddings.cls_token"], (b, 1, d))
    t = np.concatenate([cls, tok], 1) + w["vit.embeddings.position_embeddings"]
    hd = d // h
    for i in range(cfg["num_hidden_layers"]):
        pre = f"vit.encoder.layer.{i}."
        y = ln(t, pre + "layernorm_before")
        q, k, v = (lin(y, pre + "attention.attention." + n).reshape(b, -1, h, hd)
                   .transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)                               # (B, H, N, N)
        t = t + lin((a @ v).transpose(0, 2, 1, 3).reshape(b, -1, d), pre + "attention.output.dense")
        y = lin(ln(t, pre + "layernorm_after"), pre + "intermediate.dense")
        t = t + lin(0.5 * y * (1.0 + erf(y / math.sqrt(2.0))), pre + "output.dense")
    logits = lin(ln(t, "vit.layernorm")[:, 0], "classifier")
    return logits, a


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] {msg}", flush=True)


@torch.no_grad()
def evaluate(model: ViT, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000,
             rank: int = 0, world: int = 1):
    """Correct top-1 count; with world > 1 each rank scores its contiguous share of the images
    and the counts are summed over ranks."""
    model.eval()
    lo, hi = rank_share(len(images), rank, world)
    correct = 0
    for i in range(lo, hi, batch):
        j = min(hi, i + batch)
        logits = model(preprocess(images[i:j]))
        correct += int((logits.argmax(1) == labels[i:j]).sum())
    return int(all_sum(correct, world))


def rank_share(n: int, rank: int, world: int):
    """The contiguous [lo, hi) part of n items that this rank works on."""
    share = (n + world - 1) // world
    return rank * share, min(n, (rank + 1) * share)


def all_sum(value: float, world: int) -> float:
    if world == 1:
        return value
    t = torch.tensor([float(value)], dtype=torch.float64)
    dist.all_reduce(t)
    return float(t[0])


def lr_at(step: int, total: int, warmup: int, peak: float, floor: float) -> float:
    """Linear warm-up, then cosine decay from peak to floor."""
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return floor + 0.5 * (peak - floor) * (1.0 + math.cos(math.pi * t))


def crop_pad_at(args, epoch: int, epochs: int) -> int:
    """The translation range of `epoch` (1-based): --crop-pad, or with --crop-pad-end a linear
    schedule from --crop-pad in the first epoch to --crop-pad-end in the last (wide shifts first,
    so the position embeddings learn the layout; small ones last, for the centred test set)."""
    end = getattr(args, "crop_pad_end", None)
    if end is None or epochs <= 1:
        return args.crop_pad
    return int(round(args.crop_pad + (end - args.crop_pad) * (epoch - 1) / (epochs - 1)))


def augmentation_text(args) -> str:
    """The augmentation as config.json's vitscope_training records it."""
    end = args.crop_pad_end
    if end is not None and end != args.crop_pad:
        shift = [f"random translation (zero-padded crop), up to {args.crop_pad} px in the first "
                 f"epoch narrowing linearly to {end} px in the last"]
    elif args.crop_pad:
        shift = [f"random translation (zero-padded crop, up to {args.crop_pad} px)"]
    else:
        shift = []
    return " + ".join(shift + (["horizontal flip"] if args.hflip else [])) or "none"


def train(model, args, rank, world, train_x, train_y, test_x, test_y, teacher=None,
          epochs=None, label_smoothing=None, ema=None, tag="", steps=None, quiet=False):
    """Data-parallel training: every rank draws the same permutation and augmentation (one shared
    seed), runs forward/backward on its slice of each batch, and the gradients are averaged over
    ranks, so the update equals that of one process on the whole batch.

    With a teacher (a trained CNN), the loss is DeiT's hard distillation on the class token:
    (CE(logits, label) + CE(logits, teacher's class for the augmented image)) / 2.

    `steps` (the data-hunger runs) sets the total number of updates instead of `epochs`; the
    epochs are then as many passes as it takes. `quiet` logs only the final epoch."""
    epochs = args.epochs if epochs is None else epochs
    label_smoothing = args.label_smoothing if label_smoothing is None else label_smoothing
    ema = args.ema if ema is None else ema
    gen = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = max(1, len(train_x) // args.batch_size)
    if args.quick:
        steps_per_epoch = min(steps_per_epoch, args.quick_steps)
    total = steps_per_epoch * epochs if steps is None else steps
    epochs = -(-total // steps_per_epoch)
    warmup = min(total // 10, steps_per_epoch // 2)
    local = args.batch_size // world
    mine = slice(rank * local, (rank + 1) * local)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        keep = p.ndim <= 1 or name in ("cls", "pos", "mask_token") or (
            getattr(args, "no_qkv_decay", False) and name.endswith("qkv.weight"))
        (no_decay if keep else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.999))
    say = log if rank == 0 and not quiet else (lambda msg: None)
    if teacher is not None:
        teacher.eval()
    # Exponential moving average of the weights (every rank keeps the same copy, so each can
    # score its share of the test set with it); with --ema the average is the exported model.
    ema_model = copy.deepcopy(model) if ema > 0 else None
    ema_params = list(ema_model.parameters()) if ema_model else []
    params = list(model.parameters())
    mpp = getattr(model, "mpp", False)      # the CNN teacher has no patches
    grid, patch = grid_and_patch(model) if mpp else (0, 0)
    history, step, t0 = [], 0, time.time()
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(train_x), generator=gen)
        pad = crop_pad_at(args, epoch, epochs)
        loss_sum, te = 0.0, time.time()
        for s in range(min(steps_per_epoch, total - step)):
            idx = perm[s * args.batch_size:(s + 1) * args.batch_size]
            x = preprocess(augment(train_x[idx], gen, pad, mine, args.hflip))
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, warmup, args.lr, args.lr * 0.01)
            mask = None
            if mpp:
                mask = torch.rand(args.batch_size, grid * grid, generator=gen)[mine] < args.mpp
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                if mask is None:
                    logits = model(x).float()
                else:
                    logits, pred = model(x, mask=mask)
                    logits = logits.float()
                if teacher is not None:
                    with torch.no_grad():
                        hard = teacher(x).argmax(1)
            loss = F.cross_entropy(logits, train_y[idx][mine], label_smoothing=label_smoothing)
            if teacher is not None:
                loss = 0.5 * loss + 0.5 * F.cross_entropy(logits, hard)
            if mask is not None and mask.any():
                err = (pred.float() - patch_pixels(x, patch)).pow(2).mean(-1)   # (B, patches)
                loss = loss + args.mpp_weight * err[mask].mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            average_gradients(model, world)
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if ema_model is not None:
                with torch.no_grad():
                    torch._foreach_mul_(ema_params, ema)
                    torch._foreach_add_(ema_params, params, alpha=1.0 - ema)
            loss_sum += loss.item()
            step += 1
            if s % 100 == 0 and not quiet:
                say(f"{tag}epoch {epoch} step {s}/{steps_per_epoch} loss {loss.item():.4f} "
                    f"({(time.time() - te) / (s + 1):.3f} s/step)")
        if quiet and epoch < epochs:
            continue    # many short epochs: score only the final weights
        correct = evaluate(model, test_x, test_y, rank=rank, world=world)
        row = {"epoch": epoch,
               "train_loss": round(all_sum(loss_sum, world) / world / steps_per_epoch, 4),
               "test_acc": round(100.0 * correct / len(test_x), 2), "crop_pad": pad,
               "epoch_min": round((time.time() - te) / 60, 2)}
        ema_note = ""
        if ema_model is not None:
            correct_ema = evaluate(ema_model, test_x, test_y, rank=rank, world=world)
            row["test_acc_ema"] = round(100.0 * correct_ema / len(test_x), 2)
            row["epoch_min"] = round((time.time() - te) / 60, 2)
            ema_note = f" (EMA {row['test_acc_ema']:.2f}%)"
        if isinstance(model, ViT) and rank == 0:
            row.update(lab_snapshot(ema_model or model, test_x))
        history.append(row)
        if quiet and epoch == epochs and rank == 0:
            log(f"{tag}{len(train_x)} images, {total} steps: test_acc {row['test_acc']:.2f}%")
        say(f"{tag}EPOCH {epoch}/{epochs} train_loss {row['train_loss']:.4f} "
            f"test_acc {row['test_acc']:.2f}%{ema_note} pad {pad} "
            f"epoch_time {row['epoch_min']:.2f} min "
            f"elapsed {(time.time() - t0) / 60:.2f} min"
            + (f" | pos corr {row['pos_corr']} nbr {row['pos_nbr']} mirror {row['pos_mirror']}"
               f" | L1 spread {row['l1_spread']} px, mean L1 {row['l1_mean']} -> "
               f"L{len(row['mad'])} {row['last_mean']} px" if "pos_corr" in row else ""))
    return (ema_model or model), history, (time.time() - t0) / 60


def grid_and_patch(model) -> tuple:
    """The model's patch grid side and patch side in pixels (image side = grid x patch)."""
    patch = model.patch.kernel_size[0]
    return model.image_size // patch, patch


@torch.no_grad()
def lab_snapshot(model, test_x) -> dict:
    """Position-embedding locality and mean attention distance over the bundled samples (the
    first test image of each class), for the per-epoch log."""
    model.eval()
    grid, patch = grid_and_patch(model)
    idx = [int(i) for i in SAMPLE_INDICES]
    _, attns = model(preprocess(test_x[idx]), want_attn=True)
    mad = lab_metrics.mean_attention_distance([a.numpy() for a in attns], grid, patch)
    out = {"mad": [[round(float(v), 1) for v in r] for r in mad],
           "l1_spread": round(float(mad[0].max() - mad[0].min()), 1),
           "l1_mean": round(float(mad[0].mean()), 1), "last_mean": round(float(mad[-1].mean()), 1)}
    if model.learned_pos:
        loc = lab_metrics.position_locality(model.pos[0, 1:].numpy(), grid)
        out.update(pos_corr=loc["pearson_similarity_vs_distance"],
                   pos_nbr=loc["nearest_is_neighbour_fraction"],
                   pos_mirror=loc["nearest_is_mirror_of_off_centre"])
    return out


@torch.no_grad()
def lab_measures(model, test_x, test_y) -> dict:
    """The bundled lab's recorded measures (config.json "vitscope_lab"; tests recompute them
    with the C++ core from the shipped files): position-embedding locality and mean attention
    distance over the bundled samples, per layer and head."""
    model.eval()
    grid, patch = grid_and_patch(model)
    _, attns = model(preprocess(test_x[list(SAMPLE_INDICES)]), want_attn=True)
    mad = lab_metrics.mean_attention_distance([a.numpy() for a in attns], grid, patch)
    out = {"samples": "resources/samples/fashion-mnist (test images %s)" %
                      ", ".join(map(str, SAMPLE_INDICES)),
           "attention_distance": lab_metrics.attention_summary(mad, model.image_size)}
    if model.learned_pos:
        out["position_embeddings"] = lab_metrics.position_locality(model.pos[0, 1:].numpy(), grid)
        out["test_time_ablation"] = test_time_ablation(model, test_x, test_y)
    return out


def shuffle_patches_u8(images_u8: torch.Tensor, seed: int, patch: int = 4) -> torch.Tensor:
    """Image i's patches moved by lab_metrics.shuffle_permutation(patches, seed + i): output patch
    k is input patch perm[k] (the C++ core's shufflePatches, applied to pixels)."""
    b, h, w = images_u8.shape
    gh, gw = h // patch, w // patch
    tiles = patch_pixels(images_u8.unsqueeze(1), patch).reshape(b, gh * gw, patch, patch)
    perms = torch.tensor([lab_metrics.shuffle_permutation(gh * gw, seed + i) for i in range(b)])
    moved = torch.gather(tiles, 1, perms[:, :, None, None].expand(-1, -1, patch, patch))
    return moved.reshape(b, gh, gw, patch, patch).permute(0, 1, 3, 2, 4).reshape(b, h, w)


@torch.no_grad()
def test_time_ablation(model, test_x, test_y, seed: int = 0) -> dict:
    """Test-set top-1 with and without the position embeddings, with and without shuffled patches
    (the window's experiments over the whole test set; `vitscope-cli eval --no-positions
    --shuffle-patches` recomputes them, shuffling by position permutation instead)."""
    shuffled = shuffle_patches_u8(test_x, seed, grid_and_patch(model)[1])
    saved = model.pos.detach().clone()
    out = {}
    for name, images, zero in (("positions", test_x, False), ("no_positions", test_x, True),
                               ("shuffled", shuffled, False), ("no_positions_shuffled", shuffled, True)):
        if zero:
            model.pos.data.zero_()
        out[name] = round(100.0 * evaluate(model, images, test_y) / len(test_y), 2)
        model.pos.data.copy_(saved)
    return {"top1_percent": out, "shuffle_seed": seed,
            "shuffle": "image i: patches moved by shufflePermutation(patches, seed + i)"}


def train_teacher(args, rank, world, train_x, train_y, test_x, test_y):
    """Trains the CNN teacher with the student's optimiser, schedule and augmentation (no label
    smoothing, no EMA); the student then asks it for the class of each augmented image."""
    torch.manual_seed(args.seed + 1)
    teacher = ConvTeacher(len(LABELS))
    if world > 1:
        for p in teacher.parameters():
            dist.broadcast(p.data, 0)
    t0 = time.time()
    teacher, history, _ = train(teacher, args, rank, world, train_x, train_y, test_x, test_y,
                                epochs=args.distill_epochs, label_smoothing=0.0, ema=0.0,
                                tag="teacher ")
    teacher.eval()
    n = len(train_x)
    lo, hi = rank_share(n, rank, world)
    agree = 0
    with torch.no_grad():
        for i in range(lo, hi, 1000):
            j = min(hi, i + 1000)
            agree += int((teacher(preprocess(train_x[i:j])).argmax(1) == train_y[i:j]).sum())
    agree = all_sum(agree, world) / n * 100
    minutes = (time.time() - t0) / 60
    if rank == 0:
        log(f"teacher: test top-1 {history[-1]['test_acc']:.2f}%, agrees with {agree:.2f}% of the "
            f"training labels, {minutes:.1f} min")
    return teacher, {"model": "CNN 32-64-128 (3x3 conv, ReLU, 2x2 max-pool) + linear",
                    "epochs": args.distill_epochs, "test_top1_percent": history[-1]["test_acc"],
                    "train_label_agreement_percent": round(agree, 2),
                    "minutes": round(minutes, 1), "history": history}


def average_gradients(model: nn.Module, world: int) -> None:
    """Mean of the ranks' gradients, in one all-reduce over a flat copy (0.8 MB for the bundled
    model)."""
    if world == 1:
        return
    grads = [p.grad for p in model.parameters()]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def train_worker(rank, world, args, cfg, work_dir):
    """One data-parallel rank (the only one when world == 1). Rank 0 leaves the trained weights
    and the log in work_dir for main() to export."""
    torch.set_num_threads(args.threads)
    set_blas_threads(args.threads)
    if world > 1:
        dist.init_process_group("gloo", init_method=f"file://{work_dir}/rendezvous",
                                rank=rank, world_size=world)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    train_x, train_y = (torch.from_numpy(a.copy()) for a in load_split("train", args.canvas))
    test_x, test_y = (torch.from_numpy(a.copy()) for a in load_split("t10k", args.canvas))
    model = ViT(cfg)
    if rank == 0:
        log(f"data: train {tuple(train_x.shape)}, test {tuple(test_x.shape)}; torch "
            f"{torch.__version__}, {world} process(es) x {torch.get_num_threads()} thread(s); "
            f"args {vars(args)}")
        log(f"model: {sum(p.numel() for p in model.parameters())} parameters")
    previous = {}
    if args.init:
        # Second stage: continue from a model this script wrote, with a fresh warm-up + cosine.
        previous = load_hf_state(model, args.init)
        if rank == 0:
            log(f"initialised from {args.init} (test top-1 {previous.get('test_top1_percent')}%)")
    if world > 1:   # identical seeds give identical weights; broadcasting makes sure of it
        for p in model.parameters():
            dist.broadcast(p.data, 0)
    teacher, teacher_run = None, {}
    if args.distill_epochs:
        teacher, teacher_run = train_teacher(args, rank, world, train_x, train_y, test_x, test_y)
    final, history, minutes = train(model, args, rank, world, train_x, train_y, test_x, test_y,
                                    teacher=teacher)
    if rank == 0:
        save_file(final.state_dict(), os.path.join(work_dir, "state.safetensors"))
        write_json(os.path.join(work_dir, "history.json"),
                   {"history": history, "minutes": minutes + teacher_run.get("minutes", 0.0),
                    "teacher": teacher_run, "previous": previous})
    if world > 1:
        dist.destroy_process_group()


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------
def write_json(path: str, obj) -> None:
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def export_model(model, cfg, out_dir, training, lab=None):
    os.makedirs(out_dir, exist_ok=True)
    config = {
        "architectures": ["ViTForImageClassification"], "model_type": "vit",
        "hidden_size": cfg["hidden_size"], "num_hidden_layers": cfg["num_hidden_layers"],
        "num_attention_heads": cfg["num_attention_heads"],
        "intermediate_size": cfg["intermediate_size"], "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02, "layer_norm_eps": LN_EPS, "image_size": cfg["image_size"],
        "patch_size": cfg["patch_size"], "num_channels": cfg["num_channels"], "qkv_bias": True,
        "id2label": {str(i): n for i, n in enumerate(LABELS)},
        "label2id": {n: i for i, n in enumerate(LABELS)},
        "torch_dtype": "float32", "vitscope_training": training,
    }
    if lab:
        config["vitscope_lab"] = lab
    write_json(os.path.join(out_dir, "config.json"), config)
    write_json(os.path.join(out_dir, "preprocessor_config.json"), {
        "image_processor_type": "ViTImageProcessor", "do_resize": True,
        "size": {"height": cfg["image_size"], "width": cfg["image_size"]}, "resample": 2,
        "do_rescale": True, "rescale_factor": 1.0 / 255.0, "do_normalize": True,
        "image_mean": [MEAN], "image_std": [STD], "num_channels": cfg["num_channels"]})
    save_file(hf_state_dict(model), os.path.join(out_dir, "model.safetensors"),
              metadata={"format": "pt"})


def export_reference(model, cfg, ref_dir, test_x, test_y, correct):
    os.makedirs(ref_dir, exist_ok=True)
    images = test_x[:NUM_REF]                                       # (8, 28, 28) uint8
    model.eval()
    with torch.no_grad():
        logits, attns = model(preprocess(images), want_attn=True)
    np.save(os.path.join(ref_dir, "images.npy"), images.numpy().astype(np.uint8))
    np.save(os.path.join(ref_dir, "labels.npy"), test_y[:NUM_REF].numpy().astype(np.int64))
    np.save(os.path.join(ref_dir, "logits.npy"), logits.numpy().astype(np.float32))
    np.save(os.path.join(ref_dir, "attention_last.npy"),
            attns[-1].numpy().astype(np.float32))                   # (8, H, N, N)
    write_json(os.path.join(ref_dir, "accuracy.json"), {
        "test_top1_percent": round(100.0 * correct / len(test_x), 2),
        "correct": correct, "total": len(test_x)})
    return logits.numpy(), attns[-1].numpy()


def check_export(out_dir, cfg, test_x, logits, attn_last):
    """Reload model.safetensors and recompute with numpy from the HF names only."""
    w = {k: v.double().numpy() for k, v in load_file(os.path.join(out_dir, "model.safetensors")).items()}
    x = preprocess(test_x[:NUM_REF]).double().numpy()
    ref_logits, ref_attn = hf_reference_forward(w, cfg, x)
    dl = float(np.abs(ref_logits - logits).max())
    da = float(np.abs(ref_attn - attn_last).max())
    log(f"export check (numpy forward from safetensors vs torch): "
        f"max |dlogits| {dl:.2e}, max |dattn| {da:.2e}")
    if dl > 1e-4 or da > 1e-5:
        raise RuntimeError("exported weights do not reproduce the PyTorch model")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def export_samples(samples_dir, test_x, test_y):
    from PIL import Image
    os.makedirs(samples_dir, exist_ok=True)
    rows = []
    for c, name in enumerate(LABELS):
        idx = int(np.nonzero(test_y.numpy() == c)[0][0])
        fname = f"{c}-{slug(name)}.png"
        Image.fromarray(test_x[idx].numpy(), mode="L").save(os.path.join(samples_dir, fname))
        rows.append(f"| `{fname}` | {c} | {name} | {idx} |")
    with open(os.path.join(samples_dir, "README.md"), "w") as f:
        f.write("# Fashion-MNIST samples\n\n"
                "The first image of each class in the Fashion-MNIST **test** set (t10k), saved as\n"
                "28x28 8-bit greyscale PNG by `tools/train_fashion_mnist.py`. None of these images\n"
                "was used for training.\n\n"
                "Source: Fashion-MNIST, Zalando Research (https://github.com/zalandoresearch/"
                "fashion-mnist),\nMIT licence; read from the Debian package `dataset-fashion-mnist`."
                "\n\n| File | Label | Class | Test-set index |\n|---|---|---|---|\n")
        f.write("\n".join(rows) + "\n")


# ---------------------------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 short epoch, for smoke tests")
    ap.add_argument("--quick-steps", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--crop-pad", type=int, default=6,
                    help="random translation by up to this many pixels (zero-padded crop), 0 = none")
    ap.add_argument("--crop-pad-end", type=int, default=1,
                    help="translation range in the last epoch; the range goes linearly from "
                         "--crop-pad to this over the epochs (set it to --crop-pad for a "
                         "constant range)")
    ap.add_argument("--hflip", action="store_true",
                    help="random horizontal flips (off by default: they make the position "
                         "embeddings of mirrored patches alike instead of neighbouring ones)")
    ap.add_argument("--position", choices=("learned", "none"), default="learned",
                    help="learned 1-D position embeddings, or none (Table 8's baseline)")
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--mlp", type=int, default=128)
    ap.add_argument("--patch", type=int, default=4,
                    help="patch side in pixels (a divisor of the image side): 4 gives a 7x7 grid "
                         "of 49 patches on 28x28, 2 a 14x14 grid of 196")
    ap.add_argument("--canvas", type=int, default=28,
                    help="image side: above 28 every image sits in the middle of a black canvas "
                         "this wide (the objects become smaller than the image), e.g. 56 with "
                         "--patch 8 keeps the 7x7 grid")
    ap.add_argument("--head-temperature", action="store_true",
                    help="learn a per-head scale of the attention logits during training "
                         "(folded into the query weights on export)")
    ap.add_argument("--no-qkv-decay", action="store_true",
                    help="no weight decay on the fused query/key/value weights (large q and k "
                         "make sharp attention)")
    ap.add_argument("--mpp", type=float, default=0.0,
                    help="masked patch prediction: fraction of patches masked in every training "
                         "image, whose pixels a linear decoder predicts from the final tokens "
                         "(an auxiliary loss; mask embedding and decoder are not exported)")
    ap.add_argument("--mpp-weight", type=float, default=1.0,
                    help="weight of the masked-patch-prediction loss (mean squared error of the "
                         "normalised pixels) against the classification loss")
    ap.add_argument("--mpp-layer", type=int, default=0,
                    help="decode the masked patches from the tokens after this block (1-based; "
                         "0: the final tokens)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--distill-epochs", type=int, default=0,
                    help="first train a small CNN teacher for this many epochs, then train the "
                         "ViT with DeiT's hard distillation from it; 0 = no teacher")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="decay of an exponential moving average of the weights, exported "
                         "instead of the last weights; 0 = off")
    ap.add_argument("--weight-init", choices=("trunc-normal", "xavier"), default="xavier",
                    help="initial Linear weights: N(0, 0.02) truncated (BERT, timm) or "
                         "xavier-uniform (the paper's JAX code)")
    ap.add_argument("--bf16", action="store_true",
                    help="mixed precision: the training forward and backward in bfloat16 "
                         "(autocast; weights, optimiser, evaluation and export stay float32). "
                         "~3x faster per step on CPUs with AMX (Sapphire Rapids), slower "
                         "without")
    ap.add_argument("--init", default="", help="continue from a model folder this script wrote")
    # Two 1-thread processes rather than one 2-thread process: PyTorch 1.13 runs the attention's
    # batched matmuls (thousands of 50x16 by 16x50 products per step) one matrix at a time on one
    # core, so a second intra-op thread helps little. Measured on the idle 2-core box, batch 256,
    # same 101 steps and same result: 0.60 s/step with 2 ranks, 0.69 s/step with 1 rank x 2 threads.
    ap.add_argument("--procs", type=int, default=2, help="data-parallel processes (gloo)")
    ap.add_argument("--threads", type=int, default=1, help="intra-op threads per process")
    ap.add_argument("--out", default=os.path.join(REPO, "resources/models/fashion-mnist-vit"))
    ap.add_argument("--ref-out", default=os.path.join(REPO, "tests/data/fashion_mnist_ref"))
    ap.add_argument("--samples-out", default=os.path.join(REPO, "resources/samples/fashion-mnist"))
    args = ap.parse_args()
    if args.quick:
        args.epochs = 1
        args.distill_epochs = min(args.distill_epochs, 1)
    if not 0.0 <= args.ema < 1.0:
        ap.error(f"--ema {args.ema} must be in [0, 1)")
    if args.canvas < 28 or args.canvas % 2 or args.canvas % args.patch:
        ap.error(f"--canvas {args.canvas} must be even, at least 28 and a multiple of --patch")
    if not 0.0 <= args.mpp < 1.0:
        ap.error(f"--mpp {args.mpp} must be in [0, 1)")
    if not 0 <= args.mpp_layer <= args.depth:
        ap.error(f"--mpp-layer {args.mpp_layer} must be in [0, --depth {args.depth}]")
    if args.procs < 1 or args.batch_size % args.procs:
        ap.error(f"--batch-size {args.batch_size} must be a multiple of --procs {args.procs}")
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    set_blas_threads(args.threads)
    cfg = {"hidden_size": args.dim, "num_hidden_layers": args.depth,
           "num_attention_heads": args.heads, "intermediate_size": args.mlp, "image_size": args.canvas,
           "patch_size": args.patch, "num_channels": 1, "num_labels": len(LABELS),
           "position": args.position, "weight_init": args.weight_init,
           "head_temperature": args.head_temperature, "mpp": args.mpp,
           "mpp_layer": args.mpp_layer}
    if args.dim % args.heads:
        sys.exit(f"--dim {args.dim} is not divisible by --heads {args.heads}")
    with tempfile.TemporaryDirectory(prefix="vitscope-train-") as work_dir:
        if args.procs == 1:
            train_worker(0, 1, args, cfg, work_dir)
        else:
            mp.spawn(train_worker, args=(args.procs, args, cfg, work_dir), nprocs=args.procs)
        model = ViT(cfg)
        model.load_state_dict(load_file(os.path.join(work_dir, "state.safetensors")))
        with open(os.path.join(work_dir, "history.json")) as f:
            run = json.load(f)
    history, minutes = run["history"], run["minutes"]
    teacher, previous = run["teacher"], run["previous"]
    test_x, test_y = (torch.from_numpy(a.copy()) for a in load_split("t10k", args.canvas))
    correct = evaluate(model, test_x, test_y)
    acc = round(100.0 * correct / len(test_x), 2)
    log(f"final test top-1 {acc:.2f}% ({correct}/{len(test_x)}), training {minutes:.1f} min")
    training = {"seed": args.seed, "epochs": args.epochs, "quick": args.quick,
                "test_top1_percent": acc, "train_time_minutes": round(minutes, 1),
                "torch_version": torch.__version__, "processes": args.procs,
                "threads_per_process": args.threads, "batch_size": args.batch_size,
                "optimizer": "AdamW", "lr_peak": args.lr,
                "exported_weights": (f"EMA (decay {args.ema})" if args.ema else "last step"),
                "weight_decay": args.weight_decay, "label_smoothing": args.label_smoothing,
                "schedule": "linear warm-up (half an epoch), cosine to 1% of peak",
                "augmentation": augmentation_text(args),
                "position_embeddings": args.position, "weight_init": args.weight_init,
                "precision": "bfloat16 autocast" if args.bf16 else "float32",
                "attention_scale": ("learned per head, folded into the query weights"
                                    if args.head_temperature else "1/sqrt(head dim)"),
                "qkv_weight_decay": not args.no_qkv_decay,
                "masked_patch_prediction": ({"mask_fraction": args.mpp, "loss_weight": args.mpp_weight,
                                             "target": "normalised pixels of each masked patch",
                                             "decoded_from": (f"tokens after block {args.mpp_layer}"
                                                              if args.mpp_layer else "final tokens")}
                                            if args.mpp else None),
                "normalization": {"mean": MEAN, "std": STD}, "history": history}
    if teacher:
        training["distillation"] = dict(teacher, loss="DeiT hard distillation on the class token: "
                                        "(CE(label, smoothing) + CE(teacher's argmax)) / 2")
    if previous:
        training["first_stage"] = previous
        training["total_train_time_minutes"] = round(minutes + previous.get("train_time_minutes", 0), 1)
    export_model(model, cfg, args.out, training, lab_measures(model, test_x, test_y))
    logits, attn_last = export_reference(model, cfg, args.ref_out, test_x, test_y, correct)
    check_export(args.out, cfg, test_x, logits, attn_last)
    export_samples(args.samples_out, test_x, test_y)
    log(f"wrote {args.out}, {args.ref_out}, {args.samples_out}")


if __name__ == "__main__":
    main()
