#!/usr/bin/python3
"""Measures a model folder written by tools/train_fashion_mnist.py or tools/data_hunger.py with
the bundled lab's numbers (position-embedding locality, mean attention distance over the bundled
samples; see lab_metrics.py) and prints them as JSON; --write stores them in the folder's
config.json under "vitscope_lab", where the C++ tests compare them with the core's own.

Usage: /usr/bin/python3 tools/lab_report.py MODEL_DIR [MODEL_DIR ...] [--write]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_fashion_mnist as tfm  # noqa: E402
import torch  # noqa: E402


def measure(folder: str) -> dict:
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    pos = tfm.load_file(os.path.join(folder, "model.safetensors"))["vit.embeddings.position_embeddings"]
    cfg = {"hidden_size": config["hidden_size"], "num_hidden_layers": config["num_hidden_layers"],
           "num_attention_heads": config["num_attention_heads"],
           "intermediate_size": config["intermediate_size"], "image_size": config["image_size"],
           "patch_size": config["patch_size"], "num_channels": config["num_channels"],
           "num_labels": len(config["id2label"]),
           "position": "learned" if bool(pos.abs().max() > 0) else "none"}
    model = tfm.ViT(cfg)
    tfm.load_hf_state(model, folder)
    test_x, test_y = (torch.from_numpy(a.copy()) for a in tfm.load_split("t10k"))
    return config, tfm.lab_measures(model, test_x, test_y)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    for folder in args.folders:
        config, lab = measure(folder)
        print(json.dumps({folder: lab}, indent=1))
        if args.write:
            config["vitscope_lab"] = lab
            tfm.write_json(os.path.join(folder, "config.json"), config)


if __name__ == "__main__":
    main()
