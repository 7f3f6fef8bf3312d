"""Plain-PyTorch Vision Transformer reference for vitscope's golden tests.

Written from the documented semantics of Hugging Face transformers (ViT, DeiT, DINOv2), timm's
VisionTransformer and Google's big_vision / vision_transformer checkpoints, without those packages.
Everything runs in float32 on the CPU, in eval mode (no dropout, no drop-path).

The module has two halves:
  * `RefConfig` + `forward()`: one forward pass over weights in a canonical layout (below),
    returning logits or features *and* the softmax attention of every layer and head;
  * `load_hf_folder()`, `load_timm()`, `load_google_npz()`: read a checkpoint in its own naming
    and map it onto the canonical layout, inferring the config the way vitscope's loader must.

Canonical weight names (torch (out, in) linear layout, float32):
    patch_embed.weight (D, C, P, P), patch_embed.bias (D)
    cls_token (D), dist_token (D), reg_token (R, D)
    pos_embed (numPosEntries, D)           prefix entries first (by layout), then patches row-major
    norm_pre.{weight,bias}
    blocks.{i}.norm1.{weight,bias}
    blocks.{i}.{q,k,v}.{weight (D, D), bias (D)}
    blocks.{i}.proj.{weight,bias}
    blocks.{i}.ls1 (D)
    blocks.{i}.norm2.{weight,bias}
    blocks.{i}.fc1.{weight (M, D), bias}, blocks.{i}.fc2.{weight (D, M), bias}
    blocks.{i}.ls2 (D)
    norm.{weight,bias}, fc_norm.{weight,bias}
    pre_logits.{weight (D, D), bias}       Dense + tanh (Google)
    head.{weight (K, pooledDim), bias}, head_dist.{weight (K, D), bias}
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, asdict

import numpy as np
import torch
import torch.nn.functional as F

ACTIVATIONS = ("gelu", "gelu_tanh", "quick_gelu", "relu")
POS_LAYOUTS = ("every_prefix", "class_only", "patches_only", "none")
POOLINGS = ("cls", "mean", "cls_mean")
POS_INTERPS = ("bicubic", "bicubic-aa", "bilinear")


@dataclass
class RefConfig:
    embed_dim: int
    depth: int
    num_heads: int
    mlp_dim: int
    channels: int = 3
    patch_size: int = 16
    image_h: int = 224  # trained input size
    image_w: int = 224
    qkv_bias: bool = True
    layer_scale: bool = False
    norm_pre: bool = False
    final_norm: bool = True
    fc_norm: bool = False
    eps: float = 1e-6
    act: str = "gelu"
    class_token: bool = True
    dist_token: bool = False
    num_registers: int = 0
    pos_layout: str = "every_prefix"
    pooling: str = "cls"
    pre_logits: bool = False
    num_classes: int = 0
    dist_head: bool = False
    notes: list = field(default_factory=list)

    @property
    def head_dim(self) -> int:
        return self.embed_dim // self.num_heads

    @property
    def grid(self) -> tuple[int, int]:
        return self.image_h // self.patch_size, self.image_w // self.patch_size

    @property
    def num_prefix(self) -> int:
        return int(self.class_token) + int(self.dist_token) + self.num_registers

    @property
    def pos_prefix_entries(self) -> int:
        return {"every_prefix": self.num_prefix, "class_only": 1, "patches_only": 0,
                "none": 0}[self.pos_layout]

    @property
    def pooled_dim(self) -> int:
        return 2 * self.embed_dim if self.pooling == "cls_mean" else self.embed_dim

    def validate(self) -> None:
        assert self.act in ACTIVATIONS, self.act
        assert self.pos_layout in POS_LAYOUTS, self.pos_layout
        assert self.pooling in POOLINGS, self.pooling
        if self.num_heads <= 0 or self.embed_dim % self.num_heads:
            raise ValueError(f"embed_dim {self.embed_dim} not divisible by heads {self.num_heads}")
        if self.pos_layout == "class_only" and not self.class_token:
            raise ValueError("class_only position layout needs a class token")
        if self.pooling in ("cls", "cls_mean") and not self.class_token:
            raise ValueError("class-token pooling without a class token")

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------

def activation(x: torch.Tensor, act: str) -> torch.Tensor:
    if act == "gelu":  # exact: 0.5 x (1 + erf(x / sqrt 2))
        return F.gelu(x)
    if act == "gelu_tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        return F.gelu(x, approximate="tanh")
    if act == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    if act == "relu":
        return torch.relu(x)
    raise ValueError(act)


def layer_norm(x: torch.Tensor, w: dict, name: str, eps: float) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), w[name + ".weight"], w[name + ".bias"], eps)


def linear(x: torch.Tensor, w: dict, name: str) -> torch.Tensor:
    return F.linear(x, w[name + ".weight"], w.get(name + ".bias"))


def resample_patch_pos(pos: torch.Tensor, old_grid: tuple[int, int], new_grid: tuple[int, int],
                       mode: str) -> torch.Tensor:
    """(gh0*gw0, D) -> (gh*gw, D); identity when the grids agree."""
    if tuple(old_grid) == tuple(new_grid):
        return pos
    gh0, gw0 = old_grid
    d = pos.shape[-1]
    grid = pos.reshape(1, gh0, gw0, d).permute(0, 3, 1, 2)  # (1, D, gh0, gw0)
    if mode == "bicubic":
        out = F.interpolate(grid, size=tuple(new_grid), mode="bicubic", align_corners=False)
    elif mode == "bicubic-aa":
        out = F.interpolate(grid, size=tuple(new_grid), mode="bicubic", align_corners=False,
                            antialias=True)
    elif mode == "bilinear":
        out = F.interpolate(grid, size=tuple(new_grid), mode="bilinear", align_corners=False)
    else:
        raise ValueError(mode)
    return out.permute(0, 2, 3, 1).reshape(-1, d)


def attention(x: torch.Tensor, w: dict, p: str, num_heads: int):
    """x (T, D) -> (out (T, D), probs (H, T, T))."""
    t, d = x.shape
    hd = d // num_heads
    q = linear(x, w, p + ".q").reshape(t, num_heads, hd).transpose(0, 1)  # (H, T, hd)
    k = linear(x, w, p + ".k").reshape(t, num_heads, hd).transpose(0, 1)
    v = linear(x, w, p + ".v").reshape(t, num_heads, hd).transpose(0, 1)
    scores = (q @ k.transpose(1, 2)) / math.sqrt(hd)  # (H, T, T)
    probs = torch.softmax(scores, dim=-1)
    ctx = (probs @ v).transpose(0, 1).reshape(t, d)  # heads concatenated in order
    return linear(ctx, w, p + ".proj"), probs


# ---------------------------------------------------------------------------------------------
# Forward
# ---------------------------------------------------------------------------------------------

def embed(cfg: RefConfig, w: dict, image: torch.Tensor, pos_interp: str):
    """image (C, H, W) -> tokens (T, D) in [cls][dist][registers][patches] order, grid."""
    p = cfg.patch_size
    c, h, wd = image.shape
    if c != cfg.channels or h % p or wd % p:
        raise ValueError(f"input {tuple(image.shape)} incompatible with C={cfg.channels} P={p}")
    gh, gw = h // p, wd // p
    x = F.conv2d(image[None], w["patch_embed.weight"], w["patch_embed.bias"], stride=p)
    patches = x[0].flatten(1).transpose(0, 1)  # (gh*gw, D), row-major over the grid
    d = cfg.embed_dim

    cls = [w["cls_token"].reshape(1, d)] if cfg.class_token else []
    dist = [w["dist_token"].reshape(1, d)] if cfg.dist_token else []
    regs = [w["reg_token"].reshape(cfg.num_registers, d)] if cfg.num_registers else []

    if cfg.pos_layout == "none":
        return torch.cat(cls + dist + regs + [patches]), (gh, gw)
    pos = w["pos_embed"].reshape(-1, d)
    n_pre = cfg.pos_prefix_entries
    pos_prefix, pos_patch = pos[:n_pre], pos[n_pre:]
    pos_patch = resample_patch_pos(pos_patch, cfg.grid, (gh, gw), pos_interp)

    if cfg.pos_layout == "every_prefix":
        seq = torch.cat(cls + dist + regs + [patches])
        seq = seq + torch.cat([pos_prefix, pos_patch])
    elif cfg.pos_layout == "class_only":
        # HF / original DINOv2: positions on [cls, patches]; registers inserted after the class
        # token afterwards (a distillation token, if any, likewise gets no position).
        cls_p = cls[0] + pos_prefix
        seq = torch.cat([cls_p] + dist + regs + [patches + pos_patch])
    else:  # patches_only (timm no_embed_class)
        seq = torch.cat(cls + dist + regs + [patches + pos_patch])
    return seq, (gh, gw)


def forward(cfg: RefConfig, w: dict, image: torch.Tensor, pos_interp: str = "bicubic") -> dict:
    """Returns {"logits" (K) or None, "features" (pooledDim), "attention" (L, H, T, T),
    "hidden" (T, D) after the final norm, "grid" (gh, gw), "tokens" T}."""
    cfg.validate()
    with torch.no_grad():
        x, grid = embed(cfg, w, image.to(w["patch_embed.weight"].dtype), pos_interp)
        if cfg.norm_pre:
            x = layer_norm(x, w, "norm_pre", cfg.eps)
        probs_all = []
        for i in range(cfg.depth):
            b = f"blocks.{i}"
            a, probs = attention(layer_norm(x, w, b + ".norm1", cfg.eps), w, b, cfg.num_heads)
            if cfg.layer_scale:
                a = a * w[b + ".ls1"]
            x = x + a
            hdn = activation(linear(layer_norm(x, w, b + ".norm2", cfg.eps), w, b + ".fc1"), cfg.act)
            m = linear(hdn, w, b + ".fc2")
            if cfg.layer_scale:
                m = m * w[b + ".ls2"]
            x = x + m
            probs_all.append(probs)
        if cfg.final_norm:
            x = layer_norm(x, w, "norm", cfg.eps)
        n_pre = cfg.num_prefix
        if cfg.pooling == "cls":
            pooled = x[0]
        elif cfg.pooling == "mean":
            pooled = x[n_pre:].mean(dim=0)
        else:
            pooled = torch.cat([x[0], x[n_pre:].mean(dim=0)])
        if cfg.fc_norm:
            pooled = layer_norm(pooled, w, "fc_norm", cfg.eps)
        logits = None
        if cfg.num_classes:
            h = pooled
            if cfg.pre_logits:
                h = torch.tanh(linear(h, w, "pre_logits"))
            logits = linear(h, w, "head")
            if cfg.dist_head:
                dist_idx = int(cfg.class_token)
                logits = (logits + linear(x[dist_idx], w, "head_dist")) / 2
        return {"logits": logits, "features": pooled, "attention": torch.stack(probs_all),
                "hidden": x, "grid": grid, "tokens": x.shape[0]}


# ---------------------------------------------------------------------------------------------
# Loaders: file naming -> (RefConfig, canonical weights)
# ---------------------------------------------------------------------------------------------

def _f32(t) -> torch.Tensor:
    if isinstance(t, np.ndarray):
        t = torch.from_numpy(np.ascontiguousarray(t))
    return t.detach().to(torch.float32).contiguous()


def _is_square(n: int) -> bool:
    r = math.isqrt(n) if n >= 0 else -1
    return r >= 0 and r * r == n


HF_ACT = {"gelu": "gelu", "gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh",
          "gelu_fast": "gelu_tanh", "quick_gelu": "quick_gelu", "relu": "relu"}
TIMM_ACT = {"gelu": "gelu", "gelu_tanh": "gelu_tanh", "quick_gelu": "quick_gelu", "relu": "relu"}


def _pair(v) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def load_hf_folder(folder: str, tensors: dict | None = None):
    """HF ViT / DeiT / DINOv2 (+registers) folder with config.json and model.safetensors."""
    from safetensors_io import load_file  # noqa: local tools module
    with open(os.path.join(folder, "config.json")) as f:
        hc = json.load(f)
    sd = tensors if tensors is not None else load_file(os.path.join(folder, "model.safetensors"))
    mt = hc["model_type"]
    prefix = ""
    for cand in ("vit.", "deit.", "dinov2.", "dinov2_with_registers."):
        if any(k.startswith(cand + "embeddings.") for k in sd):
            prefix = cand
    g = lambda name: _f32(sd[prefix + name])  # noqa: E731
    d = hc["hidden_size"]
    depth = hc["num_hidden_layers"]
    dino = mt in ("dinov2", "dinov2_with_registers")
    mlp = int(d * hc.get("mlp_ratio", 4)) if dino else hc["intermediate_size"]
    ih, iw = _pair(hc["image_size"])
    cfg = RefConfig(embed_dim=d, depth=depth, num_heads=hc["num_attention_heads"], mlp_dim=mlp,
                    channels=hc.get("num_channels", 3), patch_size=hc["patch_size"],
                    image_h=ih, image_w=iw, qkv_bias=hc.get("qkv_bias", True),
                    eps=hc.get("layer_norm_eps", 1e-12), act=HF_ACT[hc.get("hidden_act", "gelu")],
                    layer_scale=dino, dist_token=(mt == "deit"),
                    num_registers=hc.get("num_register_tokens", 0) if dino else 0)
    cfg.pos_layout = "class_only" if dino else "every_prefix"
    w = {"patch_embed.weight": g("embeddings.patch_embeddings.projection.weight"),
         "patch_embed.bias": g("embeddings.patch_embeddings.projection.bias"),
         "cls_token": g("embeddings.cls_token").reshape(d),
         "pos_embed": g("embeddings.position_embeddings").reshape(-1, d)}
    if cfg.dist_token:
        w["dist_token"] = g("embeddings.distillation_token").reshape(d)
    if cfg.num_registers:
        w["reg_token"] = g("embeddings.register_tokens").reshape(cfg.num_registers, d)
    for i in range(depth):
        s, b = f"encoder.layer.{i}.", f"blocks.{i}."
        n1, n2 = ("norm1", "norm2") if dino else ("layernorm_before", "layernorm_after")
        fc1, fc2 = ("mlp.fc1", "mlp.fc2") if dino else ("intermediate.dense", "output.dense")
        pairs = {n1: "norm1", n2: "norm2", "attention.attention.query": "q",
                 "attention.attention.key": "k", "attention.attention.value": "v",
                 "attention.output.dense": "proj", fc1: "fc1", fc2: "fc2"}
        for src, dst in pairs.items():
            w[b + dst + ".weight"] = g(s + src + ".weight")
            if prefix + s + src + ".bias" in sd:
                w[b + dst + ".bias"] = g(s + src + ".bias")
        if dino:
            w[b + "ls1"] = g(s + "layer_scale1.lambda1")
            w[b + "ls2"] = g(s + "layer_scale2.lambda1")
    w["norm.weight"], w["norm.bias"] = g("layernorm.weight"), g("layernorm.bias")
    if "cls_classifier.weight" in sd:  # DeiT with teacher
        cfg.dist_head = True
        w["head.weight"], w["head.bias"] = _f32(sd["cls_classifier.weight"]), _f32(sd["cls_classifier.bias"])
        w["head_dist.weight"] = _f32(sd["distillation_classifier.weight"])
        w["head_dist.bias"] = _f32(sd["distillation_classifier.bias"])
    elif "classifier.weight" in sd:
        w["head.weight"], w["head.bias"] = _f32(sd["classifier.weight"]), _f32(sd["classifier.bias"])
    if "head.weight" in w:
        cfg.num_classes = w["head.weight"].shape[0]
        if w["head.weight"].shape[1] == 2 * d:
            cfg.pooling = "cls_mean"
    cfg.validate()
    return cfg, w


def load_timm(tensors: dict, config: dict | None = None, num_heads: int = 0):
    """timm VisionTransformer state dict (bare safetensors), optional timm hub config.json.
    Without a config, the head count is `num_heads` or, failing that, D / 64."""
    sd = {k: _f32(v) for k, v in tensors.items()}
    config = config or {}
    margs = config.get("model_args", {})
    pw = sd["patch_embed.proj.weight"]
    d, c, p, _ = pw.shape
    depth = 0
    while f"blocks.{depth}.norm1.weight" in sd:
        depth += 1
    heads = num_heads or margs.get("num_heads", 0)
    notes = []
    if not heads:
        heads = max(d // 64, 1) if d % 64 == 0 else 0
        notes.append("number of heads assumed: head width 64")
    cfg = RefConfig(embed_dim=d, depth=depth, num_heads=heads,
                    mlp_dim=sd["blocks.0.mlp.fc1.weight"].shape[0], channels=c, patch_size=p,
                    qkv_bias="blocks.0.attn.qkv.bias" in sd, eps=1e-6,
                    act=TIMM_ACT[margs.get("act_layer", "gelu")],
                    layer_scale="blocks.0.ls1.gamma" in sd, norm_pre="norm_pre.weight" in sd,
                    final_norm="norm.weight" in sd, fc_norm="fc_norm.weight" in sd,
                    class_token="cls_token" in sd, dist_token="dist_token" in sd,
                    num_registers=sd["reg_token"].shape[1] if "reg_token" in sd else 0,
                    notes=notes)
    w = {"patch_embed.weight": pw, "patch_embed.bias": sd["patch_embed.proj.bias"]}
    for name, dst in (("cls_token", "cls_token"), ("dist_token", "dist_token")):
        if name in sd:
            w[dst] = sd[name].reshape(d)
    if cfg.num_registers:
        w["reg_token"] = sd["reg_token"].reshape(-1, d)
    # Position layout from the number of entries; trained grid from the config or a square.
    if "pos_embed" in sd:
        n = sd["pos_embed"].reshape(-1, d).shape[0]
        w["pos_embed"] = sd["pos_embed"].reshape(-1, d)
        input_size = config.get("pretrained_cfg", {}).get("input_size")
        if input_size:
            cfg.image_h, cfg.image_w = input_size[1], input_size[2]
            npatch = (cfg.image_h // p) * (cfg.image_w // p)
            if n == cfg.num_prefix + npatch:
                cfg.pos_layout = "every_prefix"
            elif n == npatch:
                cfg.pos_layout = "patches_only"
            elif n == 1 + npatch and cfg.class_token:
                cfg.pos_layout = "class_only"
            else:
                raise ValueError(f"pos_embed: {n} entries do not fit the input size {input_size}")
        else:
            for layout, pre in (("every_prefix", cfg.num_prefix), ("patches_only", 0),
                                ("class_only", 1)):
                if n - pre > 0 and _is_square(n - pre):
                    cfg.pos_layout = layout
                    g = math.isqrt(n - pre)
                    cfg.image_h = cfg.image_w = g * p
                    break
            else:
                raise ValueError(f"pos_embed: {n} entries, patch grid not square")
    else:
        cfg.pos_layout = "none"
    if "norm_pre.weight" in sd:
        w["norm_pre.weight"], w["norm_pre.bias"] = sd["norm_pre.weight"], sd["norm_pre.bias"]
    for i in range(depth):
        s, b = f"blocks.{i}.", f"blocks.{i}."
        qkv_w = sd[s + "attn.qkv.weight"]  # (3D, D), rows q, k, v
        for j, name in enumerate("qkv"):
            w[b + name + ".weight"] = qkv_w[j * d:(j + 1) * d]
            if cfg.qkv_bias:
                w[b + name + ".bias"] = sd[s + "attn.qkv.bias"][j * d:(j + 1) * d]
        for src, dst in (("norm1", "norm1"), ("attn.proj", "proj"), ("norm2", "norm2"),
                         ("mlp.fc1", "fc1"), ("mlp.fc2", "fc2")):
            w[b + dst + ".weight"] = sd[s + src + ".weight"]
            if s + src + ".bias" in sd:
                w[b + dst + ".bias"] = sd[s + src + ".bias"]
        if cfg.layer_scale:
            w[b + "ls1"], w[b + "ls2"] = sd[s + "ls1.gamma"], sd[s + "ls2.gamma"]
    for name in ("norm", "fc_norm", "head", "head_dist"):
        if name + ".weight" in sd:
            w[name + ".weight"] = sd[name + ".weight"]
            w[name + ".bias"] = sd[name + ".bias"]
    # Pooling: class token, unless there is none, fc_norm says avg, or the head is 2D wide.
    gp = config.get("global_pool")
    if not cfg.class_token or cfg.fc_norm or gp == "avg":
        cfg.pooling = "mean"
    if "head.weight" in w:
        cfg.num_classes = w["head.weight"].shape[0]
        if w["head.weight"].shape[1] == 2 * d:
            cfg.pooling = "cls_mean"
        cfg.dist_head = "head_dist.weight" in w
    cfg.validate()
    return cfg, w


def load_google_npz(path: str):
    """big_vision / vision_transformer .npz ('/'-separated keys, JAX layouts)."""
    with np.load(path) as z:
        a = {k: z[k] for k in z.files}
    kern = a["embedding/kernel"]  # (P, P, C, D) HWIO
    p, _, c, d = kern.shape
    depth = 0
    while f"Transformer/encoderblock_{depth}/LayerNorm_0/scale" in a:
        depth += 1
    att0 = "Transformer/encoderblock_0/MultiHeadDotProductAttention_1/"
    _, heads, hd = a[att0 + "query/kernel"].shape
    mlp = a["Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel"].shape[1]
    n = a["Transformer/posembed_input/pos_embedding"].shape[1]
    g = math.isqrt(n - 1)
    cfg = RefConfig(embed_dim=d, depth=depth, num_heads=heads, mlp_dim=mlp, channels=c,
                    patch_size=p, image_h=g * p, image_w=g * p, eps=1e-6, act="gelu")
    w = {"patch_embed.weight": _f32(kern.transpose(3, 2, 0, 1)),
         "patch_embed.bias": _f32(a["embedding/bias"]),
         "cls_token": _f32(a["cls"]).reshape(d),
         "pos_embed": _f32(a["Transformer/posembed_input/pos_embedding"]).reshape(-1, d)}
    for i in range(depth):
        s, b = f"Transformer/encoderblock_{i}/", f"blocks.{i}."
        for src, dst in (("LayerNorm_0", "norm1"), ("LayerNorm_2", "norm2")):
            w[b + dst + ".weight"] = _f32(a[s + src + "/scale"])
            w[b + dst + ".bias"] = _f32(a[s + src + "/bias"])
        att = s + "MultiHeadDotProductAttention_1/"
        for src, dst in (("query", "q"), ("key", "k"), ("value", "v")):
            w[b + dst + ".weight"] = _f32(a[att + src + "/kernel"].reshape(d, d).T)  # (D,H,hd)
            w[b + dst + ".bias"] = _f32(a[att + src + "/bias"].reshape(d))
        w[b + "proj.weight"] = _f32(a[att + "out/kernel"].reshape(d, d).T)  # (H,hd,D)
        w[b + "proj.bias"] = _f32(a[att + "out/bias"])
        for src, dst in (("Dense_0", "fc1"), ("Dense_1", "fc2")):
            w[b + dst + ".weight"] = _f32(a[s + "MlpBlock_3/" + src + "/kernel"].T)
            w[b + dst + ".bias"] = _f32(a[s + "MlpBlock_3/" + src + "/bias"])
    w["norm.weight"] = _f32(a["Transformer/encoder_norm/scale"])
    w["norm.bias"] = _f32(a["Transformer/encoder_norm/bias"])
    if "pre_logits/kernel" in a:
        cfg.pre_logits = True
        w["pre_logits.weight"] = _f32(a["pre_logits/kernel"].T)
        w["pre_logits.bias"] = _f32(a["pre_logits/bias"])
    if "head/kernel" in a:
        w["head.weight"] = _f32(a["head/kernel"].T)
        w["head.bias"] = _f32(a["head/bias"])
        cfg.num_classes = w["head.weight"].shape[0]
    cfg.validate()
    return cfg, w
