#!/usr/bin/env python3
"""Generate vitscope's golden model fixtures (tests/data/models/) and broken model fixtures
(tests/data/bad/models/).

Each case: a tiny random ViT (seeded) saved in one checkpoint naming, a random preprocessed input,
and the outputs of the plain-PyTorch reference (tools/vit_reference.py), computed from the file as
written (read back and parsed), so F16/BF16 cases use the rounded weights. Rerunning reproduces
byte-identical files.

Usage: python3 tools/make_fixtures.py [--out REPO_ROOT] [--check]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import shutil
import sys
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vit_reference as ref  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402
from vit_reference import RefConfig  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------------
# Random canonical weights
# ---------------------------------------------------------------------------------------------

class Rng:
    def __init__(self, seed: int):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, shape, std=1.0, mean=0.0) -> torch.Tensor:
        return torch.randn(*shape, generator=self.g, dtype=torch.float32) * std + mean


def random_weights(cfg: RefConfig, seed: int, mlp_gain: float = 1.0) -> dict:
    """Canonical weights (see vit_reference) with non-degenerate statistics: linear weights
    ~N(0, 0.02..0.2), LayerNorm weights 1 + N(0, 0.2), biases N(0, 0.1), LayerScale gammas around
    0.5, so attention is far from uniform and every term matters. `mlp_gain` scales the MLP
    weights, to push activations where GELU variants differ."""
    r = Rng(seed)
    d, m, c, p = cfg.embed_dim, cfg.mlp_dim, cfg.channels, cfg.patch_size
    w = {}

    def norm(name):
        w[name + ".weight"] = r.normal((d,), 0.2, 1.0)
        w[name + ".bias"] = r.normal((d,), 0.1)

    def lin(name, out, inp, std, bias=True):
        w[name + ".weight"] = r.normal((out, inp), std)
        if bias:
            w[name + ".bias"] = r.normal((out,), 0.1)

    w["patch_embed.weight"] = r.normal((d, c, p, p), 0.5 / (c * p * p) ** 0.5)
    w["patch_embed.bias"] = r.normal((d,), 0.1)
    if cfg.class_token:
        w["cls_token"] = r.normal((d,), 0.2)
    if cfg.dist_token:
        w["dist_token"] = r.normal((d,), 0.2)
    if cfg.num_registers:
        w["reg_token"] = r.normal((cfg.num_registers, d), 0.2)
    gh, gw = cfg.grid
    if cfg.pos_layout != "none":
        w["pos_embed"] = r.normal((cfg.pos_prefix_entries + gh * gw, d), 0.2)
    if cfg.norm_pre:
        norm("norm_pre")
    for i in range(cfg.depth):
        b = f"blocks.{i}."
        norm(b + "norm1")
        for n in "qk":
            lin(b + n, d, d, 0.2, cfg.qkv_bias)
        lin(b + "v", d, d, 0.1, cfg.qkv_bias)
        lin(b + "proj", d, d, 0.1)
        norm(b + "norm2")
        lin(b + "fc1", m, d, 0.1 * mlp_gain)
        lin(b + "fc2", d, m, 0.05 * mlp_gain)
        if cfg.layer_scale:
            w[b + "ls1"] = r.normal((d,), 0.2, 0.5)
            w[b + "ls2"] = r.normal((d,), 0.2, 0.5)
    if cfg.final_norm:
        norm("norm")
    if cfg.fc_norm:
        w["fc_norm.weight"] = r.normal((cfg.pooled_dim,), 0.2, 1.0)
        w["fc_norm.bias"] = r.normal((cfg.pooled_dim,), 0.1)
    if cfg.pre_logits:
        lin("pre_logits", d, d, 0.2)
    if cfg.num_classes:
        lin("head", cfg.num_classes, cfg.pooled_dim, 0.2)
        if cfg.dist_head:
            lin("head_dist", cfg.num_classes, d, 0.2)
    return w


# ---------------------------------------------------------------------------------------------
# Exporters: canonical -> file naming
# ---------------------------------------------------------------------------------------------

def to_hf(cfg: RefConfig, w: dict, kind: str, prefix: str, mask_token=True, pooler=False) -> dict:
    """kind: 'vit' | 'deit' | 'dinov2'."""
    d = cfg.embed_dim
    dino = kind == "dinov2"
    t = {}
    e = prefix + "embeddings."
    t[e + "cls_token"] = w["cls_token"].reshape(1, 1, d)
    if kind == "deit":
        t[e + "distillation_token"] = w["dist_token"].reshape(1, 1, d)
    if dino and mask_token:
        t[e + "mask_token"] = torch.zeros(1, d)
    if cfg.num_registers:
        t[e + "register_tokens"] = w["reg_token"].reshape(1, cfg.num_registers, d)
    t[e + "position_embeddings"] = w["pos_embed"].reshape(1, -1, d)
    t[e + "patch_embeddings.projection.weight"] = w["patch_embed.weight"]
    t[e + "patch_embeddings.projection.bias"] = w["patch_embed.bias"]
    n1, n2 = ("norm1", "norm2") if dino else ("layernorm_before", "layernorm_after")
    fc1, fc2 = ("mlp.fc1", "mlp.fc2") if dino else ("intermediate.dense", "output.dense")
    for i in range(cfg.depth):
        s, b = f"{prefix}encoder.layer.{i}.", f"blocks.{i}."
        order = [(n1, "norm1"), ("attention.attention.query", "q"),
                 ("attention.attention.key", "k"), ("attention.attention.value", "v"),
                 ("attention.output.dense", "proj")]
        if dino:
            order.append(("layer_scale1.lambda1", "ls1"))
        order += [(n2, "norm2"), (fc1, "fc1"), (fc2, "fc2")]
        if dino:
            order.append(("layer_scale2.lambda1", "ls2"))
        for src, dst in order:
            if dst in ("ls1", "ls2"):
                t[s + src] = w[b + dst]
                continue
            t[s + src + ".weight"] = w[b + dst + ".weight"]
            if b + dst + ".bias" in w:
                t[s + src + ".bias"] = w[b + dst + ".bias"]
    t[prefix + "layernorm.weight"] = w["norm.weight"]
    t[prefix + "layernorm.bias"] = w["norm.bias"]
    if pooler:
        r = Rng(1234)
        t["pooler.dense.weight"] = r.normal((d, d), 0.1)
        t["pooler.dense.bias"] = r.normal((d,), 0.1)
    if cfg.num_classes:
        if cfg.dist_head:
            t["cls_classifier.weight"], t["cls_classifier.bias"] = w["head.weight"], w["head.bias"]
            t["distillation_classifier.weight"] = w["head_dist.weight"]
            t["distillation_classifier.bias"] = w["head_dist.bias"]
        else:
            t["classifier.weight"], t["classifier.bias"] = w["head.weight"], w["head.bias"]
    return t


def to_timm(cfg: RefConfig, w: dict) -> dict:
    d = cfg.embed_dim
    t = {}
    if cfg.class_token:
        t["cls_token"] = w["cls_token"].reshape(1, 1, d)
    if cfg.dist_token:
        t["dist_token"] = w["dist_token"].reshape(1, 1, d)
    if cfg.num_registers:
        t["reg_token"] = w["reg_token"].reshape(1, cfg.num_registers, d)
    if cfg.pos_layout != "none":
        t["pos_embed"] = w["pos_embed"].reshape(1, -1, d)
    t["patch_embed.proj.weight"] = w["patch_embed.weight"]
    t["patch_embed.proj.bias"] = w["patch_embed.bias"]
    if cfg.norm_pre:
        t["norm_pre.weight"], t["norm_pre.bias"] = w["norm_pre.weight"], w["norm_pre.bias"]
    for i in range(cfg.depth):
        b = f"blocks.{i}."
        t[b + "norm1.weight"], t[b + "norm1.bias"] = w[b + "norm1.weight"], w[b + "norm1.bias"]
        t[b + "attn.qkv.weight"] = torch.cat([w[b + n + ".weight"] for n in "qkv"])
        if cfg.qkv_bias:
            t[b + "attn.qkv.bias"] = torch.cat([w[b + n + ".bias"] for n in "qkv"])
        t[b + "attn.proj.weight"], t[b + "attn.proj.bias"] = w[b + "proj.weight"], w[b + "proj.bias"]
        if cfg.layer_scale:
            t[b + "ls1.gamma"] = w[b + "ls1"]
        t[b + "norm2.weight"], t[b + "norm2.bias"] = w[b + "norm2.weight"], w[b + "norm2.bias"]
        for n in ("fc1", "fc2"):
            t[b + "mlp." + n + ".weight"], t[b + "mlp." + n + ".bias"] = w[b + n + ".weight"], w[b + n + ".bias"]
        if cfg.layer_scale:
            t[b + "ls2.gamma"] = w[b + "ls2"]
    for n in ("norm", "fc_norm", "head", "head_dist"):
        if n + ".weight" in w:
            t[n + ".weight"], t[n + ".bias"] = w[n + ".weight"], w[n + ".bias"]
    return t


def to_google(cfg: RefConfig, w: dict) -> dict:
    d, h = cfg.embed_dim, cfg.num_heads
    hd = d // h
    n = lambda x: x.detach().numpy().astype(np.float32)  # noqa: E731
    a = {"cls": n(w["cls_token"]).reshape(1, 1, d),
         "embedding/kernel": n(w["patch_embed.weight"]).transpose(2, 3, 1, 0),  # HWIO
         "embedding/bias": n(w["patch_embed.bias"]),
         "Transformer/posembed_input/pos_embedding": n(w["pos_embed"]).reshape(1, -1, d)}
    for i in range(cfg.depth):
        s, b = f"Transformer/encoderblock_{i}/", f"blocks.{i}."
        a[s + "LayerNorm_0/scale"], a[s + "LayerNorm_0/bias"] = n(w[b + "norm1.weight"]), n(w[b + "norm1.bias"])
        att = s + "MultiHeadDotProductAttention_1/"
        for src, dst in (("query", "q"), ("key", "k"), ("value", "v")):
            a[att + src + "/kernel"] = n(w[b + dst + ".weight"]).T.reshape(d, h, hd)
            a[att + src + "/bias"] = n(w[b + dst + ".bias"]).reshape(h, hd)
        a[att + "out/kernel"] = n(w[b + "proj.weight"]).T.reshape(h, hd, d)
        a[att + "out/bias"] = n(w[b + "proj.bias"])
        a[s + "LayerNorm_2/scale"], a[s + "LayerNorm_2/bias"] = n(w[b + "norm2.weight"]), n(w[b + "norm2.bias"])
        for src, dst in (("Dense_0", "fc1"), ("Dense_1", "fc2")):
            a[s + "MlpBlock_3/" + src + "/kernel"] = n(w[b + dst + ".weight"]).T
            a[s + "MlpBlock_3/" + src + "/bias"] = n(w[b + dst + ".bias"])
    a["Transformer/encoder_norm/scale"], a["Transformer/encoder_norm/bias"] = n(w["norm.weight"]), n(w["norm.bias"])
    if cfg.pre_logits:
        a["pre_logits/kernel"], a["pre_logits/bias"] = n(w["pre_logits.weight"]).T, n(w["pre_logits.bias"])
    if cfg.num_classes:
        a["head/kernel"], a["head/bias"] = n(w["head.weight"]).T, n(w["head.bias"])
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in a.items()}


def to_big_vision(arrays: dict) -> dict:
    """Renames vision_transformer keys to big_vision's (params/ prefix, module indices 0/0/1)."""
    out = {}
    for k, v in arrays.items():
        k = (k.replace("MultiHeadDotProductAttention_1", "MultiHeadDotProductAttention_0")
              .replace("MlpBlock_3", "MlpBlock_0").replace("LayerNorm_2", "LayerNorm_1"))
        out["params/" + k] = v
    return out


def save_npz(path: str, arrays: dict, compressed: bool) -> None:
    """Like np.savez / np.savez_compressed (zip64 members '<key>.npy'), with a fixed timestamp so
    the file is reproducible byte for byte."""
    comp = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=comp, allowZip64=True) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = comp
            info.external_attr = 0o600 << 16
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
            with zf.open(info, "w", force_zip64=True) as f:
                f.write(buf.getvalue())


def hf_config(cfg: RefConfig, model_type: str, arch: str, hidden_act: str, dtype="float32",
              labels: int | None = None, extra: dict | None = None) -> dict:
    k = cfg.num_classes if labels is None else labels
    c = {"architectures": [arch], "model_type": model_type,
         "hidden_size": cfg.embed_dim, "num_hidden_layers": cfg.depth,
         "num_attention_heads": cfg.num_heads}
    if model_type.startswith("dinov2"):
        c["mlp_ratio"] = cfg.mlp_dim / cfg.embed_dim
        c["layerscale_value"] = 1.0
        c["use_swiglu_ffn"] = False
        c["drop_path_rate"] = 0.0
    else:
        c["intermediate_size"] = cfg.mlp_dim
    c.update({"hidden_act": hidden_act, "hidden_dropout_prob": 0.0,
              "attention_probs_dropout_prob": 0.0, "initializer_range": 0.02,
              "layer_norm_eps": cfg.eps, "image_size": cfg.image_h, "patch_size": cfg.patch_size,
              "num_channels": cfg.channels, "qkv_bias": cfg.qkv_bias})
    c["id2label"] = {str(i): (f"label_{i}" if cfg.num_classes else f"LABEL_{i}") for i in range(k)}
    c["label2id"] = {v: int(i) for i, v in c["id2label"].items()}
    c["torch_dtype"] = dtype
    c["transformers_version"] = "4.46.0"
    if extra:
        c.update(extra)
    return c


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

def vit_cfg(**kw) -> RefConfig:
    cfg = RefConfig(**kw)
    cfg.validate()
    return cfg


HF_VIT = dict(embed_dim=32, depth=2, num_heads=4, mlp_dim=128, patch_size=8, image_h=32,
              image_w=32, eps=1e-12, num_classes=10)


def case_list():
    """(name, builder kwargs). Builders return (files written, loader-side parse, run args)."""
    return [
        dict(case="hf_vit_cls", naming="hf-vit", seed=1, cfg=vit_cfg(**HF_VIT), kind="vit",
             prefix="vit.", arch="ViTForImageClassification", act="gelu",
             desc="HF ViTForImageClassification, F32, exact GELU, class-token head"),
        dict(case="hf_vit_f16", naming="hf-vit", seed=1, cfg=vit_cfg(**HF_VIT), kind="vit",
             prefix="vit.", arch="ViTForImageClassification", act="gelu", dtype=torch.float16,
             desc="hf_vit_cls weights stored as F16 (reference uses the rounded weights)"),
        dict(case="hf_vit_bf16", naming="hf-vit", seed=1, cfg=vit_cfg(**HF_VIT), kind="vit",
             prefix="vit.", arch="ViTForImageClassification", act="gelu", dtype=torch.bfloat16,
             desc="hf_vit_cls weights stored as BF16 (reference uses the rounded weights)"),
        dict(case="hf_vit_nohead", naming="hf-vit", seed=4,
             cfg=vit_cfg(embed_dim=32, depth=2, num_heads=2, mlp_dim=96, patch_size=6, image_h=24,
                         image_w=24, eps=1e-12, qkv_bias=False, act="gelu_tanh"),
             kind="vit", prefix="", arch="ViTModel", act="gelu_pytorch_tanh", pooler=True, mlp_gain=2.5,
             desc="HF ViTModel (features), pooler.dense present and ignored, tanh GELU, "
                  "no qkv bias, intermediate_size 3*D, default 2-entry id2label"),
        dict(case="hf_vit_resized", share="hf_vit_cls", input_hw=(40, 24), pos_interp="bicubic",
             desc="hf_vit_cls at 40x24 (grid 5x3 from 4x4), bicubic position interpolation"),
        dict(case="hf_vit_resized_bilinear", share="hf_vit_cls", input_hw=(40, 24),
             pos_interp="bilinear", desc="hf_vit_cls at 40x24, bilinear position interpolation"),
        dict(case="hf_vit_resized_aa", share="hf_vit_cls", input_hw=(40, 24),
             pos_interp="bicubic-aa",
             desc="hf_vit_cls at 40x24, antialiased bicubic (up in H, down in W)"),
        dict(case="hf_deit_distilled", naming="hf-deit", seed=6,
             cfg=vit_cfg(embed_dim=48, depth=2, num_heads=3, mlp_dim=96, patch_size=4, image_h=16,
                         image_w=16, eps=1e-12, dist_token=True, num_classes=10, dist_head=True),
             kind="deit", prefix="deit.", arch="DeiTForImageClassificationWithTeacher", act="gelu",
             desc="HF DeiT with teacher: cls + distillation tokens, logits = mean of both heads"),
        dict(case="hf_dinov2", naming="hf-dinov2", seed=7,
             cfg=vit_cfg(embed_dim=32, depth=2, num_heads=4, mlp_dim=128, patch_size=4, image_h=16,
                         image_w=16, layer_scale=True, pos_layout="class_only"),
             kind="dinov2", prefix="", arch="Dinov2Model", model_type="dinov2", act="gelu",
             input_hw=(24, 20), pos_interp="bicubic",
             desc="HF Dinov2Model (features), LayerScale, mask_token ignored, run at 24x20 "
                  "(grid 6x5 from 4x4, bicubic)"),
        dict(case="hf_dinov2_reg_cls", naming="hf-dinov2", seed=8,
             cfg=vit_cfg(embed_dim=32, depth=3, num_heads=2, mlp_dim=64, patch_size=4, image_h=16,
                         image_w=16, layer_scale=True, num_registers=4, pos_layout="class_only",
                         pooling="cls_mean", num_classes=5),
             kind="dinov2", prefix="dinov2_with_registers.",
             arch="Dinov2WithRegistersForImageClassification", model_type="dinov2_with_registers",
             act="gelu", input_hw=(20, 28), pos_interp="bicubic-aa",
             extra={"num_register_tokens": 4},
             desc="HF DINOv2 with 4 registers (positions on [cls, patches], registers inserted "
                  "after), mlp_ratio 2, classifier (K, 2D) on [cls, mean patches], run at 20x28 "
                  "(grid 5x7) with antialiased bicubic as HF does for this model type"),
        dict(case="timm_cls_cfg", naming="timm", seed=9,
             cfg=vit_cfg(embed_dim=48, depth=2, num_heads=3, mlp_dim=96, channels=1, patch_size=6,
                         image_h=24, image_w=24, act="quick_gelu", norm_pre=True, num_classes=7),
             timm_config=True,
             desc="timm hub folder (config.json + model.safetensors): 1 channel, quick GELU "
                  "(model_args.act_layer), norm_pre, heads from model_args.num_heads"),
        dict(case="timm_avg_fcnorm", naming="timm", seed=10,
             cfg=vit_cfg(embed_dim=64, depth=2, num_heads=1, mlp_dim=64, patch_size=4, image_h=16,
                         image_w=16, final_norm=False, fc_norm=True, pooling="mean",
                         num_classes=10),
             desc="bare timm file: class token present but avg pooling with fc_norm (no final "
                  "norm), D=64 so the head-width-64 guess gives 1 head"),
        dict(case="timm_reg_noembedclass", naming="timm", seed=11, heads_override=3,
             cfg=vit_cfg(embed_dim=48, depth=2, num_heads=3, mlp_dim=96, patch_size=4, image_h=16,
                         image_w=16, num_registers=4, pos_layout="patches_only", layer_scale=True,
                         num_classes=6),
             desc="bare timm file: cls + 4 reg_token, pos_embed with N rows only (no_embed_class), "
                  "ls1/ls2 gammas; heads_override 3"),
        dict(case="timm_reg_noembedclass_resized", share="timm_reg_noembedclass", input_hw=(24, 20),
             pos_interp="bicubic-aa",
             desc="timm_reg_noembedclass at 24x20 (grid 6x5 from 4x4), antialiased bicubic "
                  "(timm's default)"),
        dict(case="timm_distilled", naming="timm", seed=12,
             cfg=vit_cfg(embed_dim=64, depth=2, num_heads=1, mlp_dim=64, patch_size=4, image_h=16,
                         image_w=16, dist_token=True, num_classes=10, dist_head=True),
             desc="bare timm DeiT-distilled: cls + dist_token, pos_embed 2+N rows, head and "
                  "head_dist averaged"),
        dict(case="timm_noclass_avg", naming="timm", seed=13, heads_override=2,
             cfg=vit_cfg(embed_dim=32, depth=3, num_heads=2, mlp_dim=128, patch_size=4, image_h=16,
                         image_w=16, class_token=False, pooling="mean", num_classes=5),
             desc="bare timm file without cls_token (N position rows), final norm then mean of "
                  "patch tokens (no fc_norm); heads_override 2"),
        dict(case="timm_heads_override", naming="timm", seed=15, heads_override=4,
             cfg=vit_cfg(embed_dim=64, depth=2, num_heads=4, mlp_dim=64, patch_size=4, image_h=16,
                         image_w=16, num_classes=4),
             desc="bare timm file with D=64 but 4 heads (the head-width-64 guess would say 1); "
                  "heads_override 4"),
        dict(case="google_npz", naming="google", seed=14,
             cfg=vit_cfg(embed_dim=32, depth=2, num_heads=2, mlp_dim=64, patch_size=8, image_h=32,
                         image_w=32, pre_logits=True, num_classes=10),
             desc="Google big_vision/vision_transformer .npz (np.savez layout), HWIO patch kernel, "
                  "(D,H,hd) attention kernels, pre_logits Dense+tanh, exact GELU"),
        dict(case="google_npz_compressed", naming="google", seed=14, compressed=True,
             cfg=vit_cfg(embed_dim=32, depth=2, num_heads=2, mlp_dim=64, patch_size=8, image_h=32,
                         image_w=32, pre_logits=True, num_classes=10),
             desc="google_npz written with deflate (np.savez_compressed layout)"),
        dict(case="google_npz_bigvision", naming="google", seed=14, big_vision=True,
             cfg=vit_cfg(embed_dim=32, depth=2, num_heads=2, mlp_dim=64, patch_size=8, image_h=32,
                         image_w=32, pre_logits=True, num_classes=10),
             desc="google_npz in big_vision's naming: everything under 'params/', "
                  "MultiHeadDotProductAttention_0, MlpBlock_0, LayerNorm_1"),
    ]


def _round(w: dict, dtype) -> dict:
    return {k: v.to(dtype).to(torch.float32) for k, v in w.items()}


def write_model(spec: dict, case_dir: str):
    """Writes the model files of a case; returns (model_path, parse())."""
    cfg, naming = spec["cfg"], spec["naming"]
    w = random_weights(cfg, spec["seed"], spec.get("mlp_gain", 1.0))
    dtype = spec.get("dtype", torch.float32)
    if naming.startswith("hf-"):
        t = to_hf(cfg, w, spec["kind"], spec["prefix"], pooler=spec.get("pooler", False))
        t = {k: v.to(dtype) for k, v in t.items()}
        save_file(t, os.path.join(case_dir, "model.safetensors"), {"format": "pt"})
        conf = hf_config(cfg, spec.get("model_type", spec["kind"]), spec["arch"], spec["act"],
                         dtype=str(dtype).replace("torch.", ""),
                         labels=None if cfg.num_classes else 2, extra=spec.get("extra"))
        with open(os.path.join(case_dir, "config.json"), "w") as f:
            json.dump(conf, f, indent=2)
            f.write("\n")
        return ".", w if dtype == torch.float32 else _round(w, dtype), \
            lambda: ref.load_hf_folder(case_dir)
    if naming == "timm":
        t = to_timm(cfg, w)
        if spec.get("timm_config"):
            name = "model.safetensors"
            conf = timm_config(cfg)
            with open(os.path.join(case_dir, "config.json"), "w") as f:
                json.dump(conf, f, indent=2)
                f.write("\n")
            save_file(t, os.path.join(case_dir, name), {"format": "pt"})
            return ".", w, lambda: ref.load_timm(load_file(os.path.join(case_dir, name)), conf)
        name = "weights.safetensors"
        save_file(t, os.path.join(case_dir, name), {"format": "pt"})
        heads = spec.get("heads_override", 0)
        return name, w, lambda: ref.load_timm(load_file(os.path.join(case_dir, name)), None, heads)
    if naming == "google":
        name = "model.npz"
        arrays = to_google(cfg, w)
        if spec.get("big_vision"):
            # Same weights, big_vision's module indices; the reference parses the original layout.
            plain = os.path.join(tempfile.mkdtemp(), "plain.npz")
            save_npz(plain, arrays, False)
            save_npz(os.path.join(case_dir, name), to_big_vision(arrays), False)
            return name, w, lambda: ref.load_google_npz(plain)
        save_npz(os.path.join(case_dir, name), arrays, spec.get("compressed", False))
        return name, w, lambda: ref.load_google_npz(os.path.join(case_dir, name))
    raise ValueError(naming)


def timm_config(cfg: RefConfig) -> dict:
    """timm hub config.json (timm.models._hub.save_for_hf layout). Keys vitscope reads beyond
    the standard ones: model_args.num_heads and model_args.act_layer."""
    return {
        "architecture": f"vit_test_patch{cfg.patch_size}_{cfg.image_h}",
        "num_classes": cfg.num_classes,
        "num_features": cfg.embed_dim,
        "global_pool": "token" if cfg.pooling == "cls" else "avg",
        "model_args": {"img_size": cfg.image_h, "patch_size": cfg.patch_size,
                       "in_chans": cfg.channels, "embed_dim": cfg.embed_dim, "depth": cfg.depth,
                       "num_heads": cfg.num_heads, "mlp_ratio": cfg.mlp_dim / cfg.embed_dim,
                       "pre_norm": cfg.norm_pre, "act_layer": cfg.act},
        "pretrained_cfg": {"tag": "test", "custom_load": False,
                           "input_size": [cfg.channels, cfg.image_h, cfg.image_w],
                           "fixed_input_size": False, "interpolation": "bicubic",
                           "crop_pct": 0.9, "crop_mode": "center",
                           "mean": [0.5] * cfg.channels, "std": [0.5] * cfg.channels,
                           "num_classes": cfg.num_classes, "pool_size": None,
                           "first_conv": "patch_embed.proj", "classifier": "head"},
        "label_names": [f"label_{i}" for i in range(cfg.num_classes)],
    }


def _check_same(a: dict, b: dict, what: str) -> None:
    assert set(a) == set(b), f"{what}: key mismatch {sorted(set(a) ^ set(b))}"
    for k in a:
        assert a[k].shape == b[k].shape and torch.equal(a[k], b[k]), f"{what}: {k} differs"


def _save_npy(path: str, arr) -> None:
    if isinstance(arr, torch.Tensor):
        arr = arr.detach().numpy()
    np.save(path, np.ascontiguousarray(arr, dtype=np.float32))


def run_case(spec: dict, root: str, done: dict) -> dict:
    case = spec["case"]
    case_dir = os.path.join(root, case)
    os.makedirs(case_dir, exist_ok=True)
    heads_override = spec.get("heads_override", 0)
    if "share" in spec:  # same model file(s) as another case, different input / interpolation
        base = done[spec["share"]]
        model_path = os.path.relpath(os.path.join(base["dir"], base["model_path"]), case_dir)
        cfg, wfile, naming = base["cfg"], base["w"], base["naming"]
        heads_override = base["heads_override"]
        seed = base["seed"] + 100
    else:
        model_path, w_expected, parse = write_model(spec, case_dir)
        cfg, wfile = parse()
        naming, seed = spec["naming"], spec["seed"]
        # The file, read back the way vitscope must read it, holds exactly the weights we made
        # (after F16/BF16 rounding) and implies the same config.
        _check_same(w_expected, wfile, case)
        exp = spec["cfg"]
        for f in ("embed_dim", "depth", "num_heads", "mlp_dim", "channels", "patch_size",
                  "image_h", "image_w", "qkv_bias", "layer_scale", "norm_pre", "final_norm",
                  "fc_norm", "act", "class_token", "dist_token", "num_registers", "pos_layout",
                  "pooling", "pre_logits", "num_classes", "dist_head"):
            assert getattr(cfg, f) == getattr(exp, f), f"{case}: {f} {getattr(cfg, f)} != {getattr(exp, f)}"
        assert abs(cfg.eps - exp.eps) < 1e-20, case
    h, wd = spec.get("input_hw", (cfg.image_h, cfg.image_w))
    pos_interp = spec.get("pos_interp", "bicubic")
    image = Rng(seed + 1000).normal((cfg.channels, h, wd))
    out = ref.forward(cfg, wfile, image, pos_interp)

    _save_npy(os.path.join(case_dir, "input.npy"), image)
    _save_npy(os.path.join(case_dir, "attention.npy"), out["attention"])
    _save_npy(os.path.join(case_dir, "features.npy"), out["features"])
    if out["logits"] is not None:
        _save_npy(os.path.join(case_dir, "logits.npy"), out["logits"])
    stale = os.path.join(case_dir, "logits.npy")
    if out["logits"] is None and os.path.exists(stale):
        os.remove(stale)
    gh, gw = out["grid"]
    expected = {
        "case": case, "naming": naming, "model_path": model_path, "input_hw": [h, wd],
        "tokens": out["tokens"], "num_prefix": cfg.num_prefix, "grid": [gh, gw],
        "pos_interp": pos_interp, "heads_override": heads_override,
        "has_head": cfg.num_classes > 0,
        # Informative extras (not needed to run the case).
        "layers": cfg.depth, "heads": cfg.num_heads, "embed_dim": cfg.embed_dim,
        "num_classes": cfg.num_classes, "pooled_dim": cfg.pooled_dim,
        "trained_hw": [cfg.image_h, cfg.image_w], "pos_layout": cfg.pos_layout,
        "pooling": cfg.pooling, "activation": cfg.act,
        "top1": int(torch.argmax(out["logits"])) if out["logits"] is not None else -1,
        "description": spec["desc"],
    }
    with open(os.path.join(case_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    done[case] = {"dir": case_dir, "model_path": model_path, "cfg": cfg, "w": wfile,
                  "naming": naming, "heads_override": heads_override, "seed": seed,
                  "desc": spec["desc"], "out": out}
    return done[case]


# ---------------------------------------------------------------------------------------------
# Broken model fixtures
# ---------------------------------------------------------------------------------------------

BAD_README = """# Broken model fixtures

Generated by `tools/make_fixtures.py`. Each must make `loadModel()` fail with ErrorCode::BadModel
(or Io) and a message containing the substring given here (case-insensitive match is enough).

| path | what is wrong | expected error substring |
|------|---------------|--------------------------|
| `missing_tensor/` | HF ViT folder; model.safetensors lacks `vit.encoder.layer.1.attention.attention.key.weight` | `encoder.layer.1.attention.attention.key.weight` |
| `wrong_shape/` | HF ViT folder; `vit.encoder.layer.0.attention.attention.query.weight` is (32, 16), expected (32, 32) | `encoder.layer.0.attention.attention.query.weight` |
| `grid_not_square.safetensors` | bare timm file, cls_token and pos_embed (1, 13, 32): 12 patch rows, not a square grid | `pos_embed` |
| `heads_not_dividing/` | HF ViT folder, config num_attention_heads 5 with hidden_size 32 (weights otherwise valid) | `heads` |
| `config_not_json/` | HF ViT folder whose config.json is truncated JSON (model.safetensors valid) | `config.json` |
| `model.pth` | a real `torch.save(state_dict)` file (zip/pickle) | `convert_pth_to_safetensors` |
| `pickle_hf/` | HF folder with config.json and `pytorch_model.bin` (the same bytes as model.pth), no safetensors | `convert_pth_to_safetensors` |
| `npz_missing.npz` | Google .npz without the `cls` array | `cls` |
"""


def write_bad(root: str) -> None:
    bad = os.path.join(root, "tests", "data", "bad", "models")
    if os.path.isdir(bad):
        shutil.rmtree(bad)
    os.makedirs(bad)
    cfg = vit_cfg(embed_dim=32, depth=2, num_heads=2, mlp_dim=32, patch_size=4, image_h=8,
                  image_w=8, eps=1e-12, num_classes=3)
    w = random_weights(cfg, 99)
    good = to_hf(cfg, w, "vit", "vit.")
    conf = hf_config(cfg, "vit", "ViTForImageClassification", "gelu")

    def hf_dir(name, tensors, config_text=None, conf_obj=None):
        d = os.path.join(bad, name)
        os.makedirs(d)
        with open(os.path.join(d, "config.json"), "w") as f:
            f.write(config_text if config_text is not None
                    else json.dumps(conf_obj or conf, indent=2) + "\n")
        if tensors is not None:
            save_file(tensors, os.path.join(d, "model.safetensors"), {"format": "pt"})
        return d

    t = dict(good)
    del t["vit.encoder.layer.1.attention.attention.key.weight"]
    hf_dir("missing_tensor", t)
    t = dict(good)
    t["vit.encoder.layer.0.attention.attention.query.weight"] = Rng(5).normal((32, 16), 0.1)
    hf_dir("wrong_shape", t)
    hf_dir("heads_not_dividing", good, conf_obj=dict(conf, num_attention_heads=5))
    text = json.dumps(conf, indent=2)
    hf_dir("config_not_json", good, config_text=text[: len(text) // 2])

    tcfg = vit_cfg(embed_dim=32, depth=1, num_heads=2, mlp_dim=32, patch_size=4, image_h=16,
                   image_w=12, num_classes=3)  # 4x3 grid: 12 patches
    tt = to_timm(tcfg, random_weights(tcfg, 98))
    assert tt["pos_embed"].shape == (1, 13, 32)
    save_file(tt, os.path.join(bad, "grid_not_square.safetensors"), {"format": "pt"})

    sd = {k: v.clone() for k, v in good.items()}
    pth = os.path.join(bad, "model.pth")
    torch.save(sd, pth)
    d = hf_dir("pickle_hf", None)
    shutil.copyfile(pth, os.path.join(d, "pytorch_model.bin"))

    g = to_google(cfg, w)
    del g["cls"]
    save_npz(os.path.join(bad, "npz_missing.npz"), g, compressed=False)
    with open(os.path.join(bad, "README.md"), "w") as f:
        f.write(BAD_README)


# ---------------------------------------------------------------------------------------------

MODELS_README_HEAD = """# Golden model fixtures

Generated by `tools/make_fixtures.py` (reference: `tools/vit_reference.py`, plain PyTorch, float32,
CPU, eval). Do not edit by hand; rerun the script, which is reproducible byte for byte.

Per case directory: the model file(s); `input.npy` float32 (C, H, W), already preprocessed;
`logits.npy` float32 (K) when the model has a head; `features.npy` float32 (pooledDim), the
pooled vector the head sees (after the final norm and fc_norm, before pre_logits) - for
models without a head this is the expected output; `attention.npy` float32
(layers, heads, tokens, tokens), softmax probabilities; `expected.json`.

`expected.json`: `model_path` is relative to the case directory ("." = the case directory is
the model folder; "../other_case/..." = the model is shared with another case). `pos_interp` is
the ForwardOptions::posInterp to use; `heads_override` non-zero is LoadOptions::numHeads.
Other keys (`layers`, `heads`, `pooling`, `pos_layout`, `top1`, ...) are informative.

Config keys chosen for timm hub config.json (timm_cls_cfg): the activation is
`model_args.act_layer` (timm names: "gelu", "gelu_tanh", "quick_gelu"), the head count is
`model_args.num_heads`; the trained size is `pretrained_cfg.input_size` [C, H, W].

Notes for the engine:
- `hf_dinov2_reg_cls` uses the prefix real transformers checkpoints have for
  Dinov2WithRegistersForImageClassification: `dinov2_with_registers.` (not `dinov2.`).
- Hugging Face interpolates positions with plain bicubic for ViT, DeiT and Dinov2, but with
  antialias=True for Dinov2WithRegisters; timm's default is antialiased bicubic. PyTorch's
  antialiased bicubic is a different filter from the plain one: a = -0.5 (plain: a = -0.75),
  support widened by 1/scale when downsampling, taps outside the input dropped and the weights
  renormalised (plain: indices clamped to the border).
- Google .npz cases use exact erf GELU, as timm does when it loads these files (big_vision in
  JAX uses the tanh approximation).
- `hf_vit_nohead` carries the default 2-entry id2label of a ViTModel config: whether there is a
  head is decided by the classifier tensors, not by id2label.
- LayerNorm eps: 1e-12 for HF ViT/DeiT (from config), 1e-6 elsewhere.

| case | covers |
|------|--------|
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=REPO, help="repository root (default: this checkout)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # deterministic reductions
    torch.manual_seed(0)
    root = os.path.join(args.out, "tests", "data", "models")
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    done = {}
    lines = []
    for spec in case_list():
        r = run_case(spec, root, done)
        att = r["out"]["attention"]
        print(f"{spec['case']:32s} tokens={r['out']['tokens']:3d} att={tuple(att.shape)} "
              f"max_p={att.max():.3f} mean_row_max={att.max(-1).values.mean():.3f}")
        lines.append(f"| `{spec['case']}` | {spec['desc']} |\n")
    with open(os.path.join(root, "README.md"), "w") as f:
        f.write(MODELS_README_HEAD + "".join(lines))
    write_bad(args.out)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(root) for fn in fns)
    print(f"tests/data/models: {total / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
