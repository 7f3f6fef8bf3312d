#!/usr/bin/env python3
"""The peers of bench/compare.sh, on the same random weights as vitscope.

  peers.py export DIR            for vit-ti, vit-s, vit-b (patch 16, 224x224, 12 blocks, 1000
                                 classes): DIR/SHAPE/ = a Hugging Face folder (config.json +
                                 model.safetensors) that vitscope opens, model.onnx (opset 14; the
                                 logits and every layer's attention probabilities as outputs),
                                 input.npy (1, 3, 224, 224) and logits.npy (PyTorch's)
  peers.py torch DIR SHAPE RUNS WARMUP THREADS
                                 PyTorch eager, every attention kept: one line per timed run (ms)

The model is tools/train_fashion_mnist.py's ViT (Hugging Face layout, exact GELU, LayerNorm eps
1e-12), so the three programs compute the same function."""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import train_fashion_mnist as tf  # noqa: E402
from safetensors_io import save_file  # noqa: E402

SHAPES = {"vit-ti": (192, 3), "vit-s": (384, 6), "vit-b": (768, 12)}


def config(shape: str) -> dict:
    dim, heads = SHAPES[shape]
    return {"hidden_size": dim, "num_hidden_layers": 12, "num_attention_heads": heads,
            "intermediate_size": 4 * dim, "image_size": 224, "patch_size": 16,
            "num_channels": 3, "num_labels": 1000, "weight_init": "trunc-normal"}


def build(shape: str) -> tf.ViT:
    torch.manual_seed(1)
    model = tf.ViT(config(shape)).eval()
    with torch.no_grad():  # N(0, 0.02) leaves the class token and positions tiny: give them weight
        model.pos.normal_(0, 0.5)
        model.cls.normal_(0, 0.5)
    return model


class WithAttention(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        logits, attns = self.model(x, want_attn=True)
        return (logits, *attns)


def export(out: str) -> None:
    for shape in SHAPES:
        folder = os.path.join(out, shape)
        os.makedirs(folder, exist_ok=True)
        model = build(shape)
        cfg = config(shape)
        hf = {"architectures": ["ViTForImageClassification"], "model_type": "vit",
              "hidden_size": cfg["hidden_size"], "num_hidden_layers": 12,
              "num_attention_heads": cfg["num_attention_heads"],
              "intermediate_size": cfg["intermediate_size"], "hidden_act": "gelu",
              "layer_norm_eps": tf.LN_EPS, "image_size": 224, "patch_size": 16,
              "num_channels": 3, "qkv_bias": True,
              "id2label": {str(i): f"class {i}" for i in range(1000)}}
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(hf, f, indent=1)
        save_file(tf.hf_state_dict(model), os.path.join(folder, "model.safetensors"))
        x = torch.from_numpy(np.random.default_rng(7).standard_normal((1, 3, 224, 224))
                             .astype(np.float32))
        np.save(os.path.join(folder, "input.npy"), x.numpy())
        with torch.no_grad():
            np.save(os.path.join(folder, "logits.npy"), model(x).numpy())
        names = ["logits"] + [f"attention{i}" for i in range(12)]
        torch.onnx.export(WithAttention(model), x, os.path.join(folder, "model.onnx"),
                          opset_version=14, input_names=["pixel_values"], output_names=names)
        print(f"peers: wrote {folder}", file=sys.stderr)


@torch.no_grad()
def time_torch(folder: str, shape: str, runs: int, warmup: int, threads: int) -> None:
    torch.set_num_threads(threads)
    model = build(shape)
    x = torch.from_numpy(np.load(os.path.join(folder, shape, "input.npy")))
    logits, _ = model(x, want_attn=True)
    ref = np.load(os.path.join(folder, shape, "logits.npy"))
    assert np.abs(logits.numpy() - ref).max() < 1e-4, "torch logits differ from the export"
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        model(x, want_attn=True)
        ms = (time.perf_counter() - t0) * 1000
        if i >= warmup:
            print(f"{ms:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        time_torch(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
