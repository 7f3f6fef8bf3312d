#!/usr/bin/env python3
"""Convert a PyTorch state-dict file (.pth / .pt / .bin / .ckpt) to .safetensors for vitscope.

vitscope refuses pickle-based checkpoints: unpickling can run arbitrary code. This script does the
conversion once, in Python, with torch.load(weights_only=True) where the installed torch supports
it (1.13+), so a hostile file cannot execute code here either; --trust allows a full unpickle
(with a warning) for trusted files that weights_only refuses or when torch is too old for it.

    python3 tools/convert_pth_to_safetensors.py deit_small.pth                # -> deit_small.safetensors
    python3 tools/convert_pth_to_safetensors.py hf_model/pytorch_model.bin    # -> hf_model/model.safetensors
    python3 tools/convert_pth_to_safetensors.py ckpt.pth -o out.safetensors --dtype f32

Handles {'model': sd}, {'state_dict': sd}, {'model_ema': sd} wrappers (first match wins, or pick
one with --key), strips 'module.' prefixes (DataParallel / DDP), drops non-tensor entries with a
note. Tensors are written as they are (F32/F16/BF16/...), or cast with --dtype.
"""
from __future__ import annotations

import argparse
import inspect
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file  # noqa: E402

WRAPPER_KEYS = ("model", "state_dict", "model_ema", "module", "net", "params")
DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
WRITABLE = (torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int64, torch.int32)


def load_checkpoint(path: str, trust: bool):
    if "weights_only" in inspect.signature(torch.load).parameters:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # noqa: BLE001 - report the reason, fall back only on request
            if not trust:
                raise SystemExit(
                    f"error: {path}: torch.load(weights_only=True) refused the file ({e}).\n"
                    "It holds objects other than tensors and plain containers (older torch "
                    "versions even refuse floats such as a saved learning rate). If you trust "
                    "the file's source, rerun with --trust; otherwise load it in the code base it "
                    "came from, torch.save(model.state_dict()) and convert that file.")
            warnings.warn(f"--trust: fully unpickling {path}; this can run arbitrary code.")
            return torch.load(path, map_location="cpu")
    if not trust:
        raise SystemExit(f"error: torch {torch.__version__} cannot load {path} safely "
                         "(no weights_only); rerun with --trust if you trust the file's source.")
    warnings.warn(f"torch {torch.__version__} has no weights_only: unpickling {path} can run "
                  "arbitrary code. Only convert files from sources you trust.")
    return torch.load(path, map_location="cpu")


def unwrap(obj, key: str | None):
    if key:
        for part in key.split("."):
            if not isinstance(obj, dict) or part not in obj:
                raise SystemExit(f"error: no entry '{key}' in the checkpoint")
            obj = obj[part]
        return obj
    # Unwrap training checkpoints until the dict holds tensors.
    while isinstance(obj, dict) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for k in WRAPPER_KEYS:
            if isinstance(obj.get(k), dict):
                print(f"using the checkpoint's '{k}' entry")
                obj = obj[k]
                break
        else:
            break
    if not isinstance(obj, dict):
        raise SystemExit(f"error: expected a state dict, found {type(obj).__name__}")
    return obj


def clean(sd: dict, dtype) -> dict:
    out = {}
    for name, t in sd.items():
        if not isinstance(t, torch.Tensor):
            print(f"skipping {name}: not a tensor ({type(t).__name__})")
            continue
        while name.startswith("module."):
            name = name[len("module."):]
        if dtype is not None and t.is_floating_point():
            t = t.to(dtype)
        if t.dtype not in WRITABLE:
            print(f"skipping {name}: dtype {t.dtype} not written")
            continue
        if name in out:
            raise SystemExit(f"error: two tensors named {name} after stripping 'module.'")
        # clone(): safetensors stores each tensor's own bytes (no shared storage, no views).
        out[name] = t.detach().contiguous().clone()
    if not out:
        raise SystemExit("error: no tensors found")
    return out


def default_output(path: str) -> str:
    folder, base = os.path.split(path)
    if base == "pytorch_model.bin":  # Hugging Face folder: the name transformers and vitscope expect
        return os.path.join(folder, "model.safetensors")
    return os.path.splitext(path)[0] + ".safetensors"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="state-dict file (.pth, .pt, .bin, .ckpt)")
    ap.add_argument("-o", "--output", help="output .safetensors (default: next to the input)")
    ap.add_argument("--key", help="dotted path of the state dict inside the checkpoint, e.g. 'model'")
    ap.add_argument("--dtype", choices=sorted(DTYPES), help="cast floating tensors")
    ap.add_argument("--force", action="store_true", help="overwrite an existing output")
    ap.add_argument("--trust", action="store_true",
                    help="if weights_only loading fails (or torch lacks it), fully unpickle the "
                         "file; only for files from sources you trust")
    args = ap.parse_args()

    out = args.output or default_output(args.input)
    if os.path.exists(out) and not args.force:
        raise SystemExit(f"error: {out} exists (use --force to overwrite)")
    sd = clean(unwrap(load_checkpoint(args.input, args.trust), args.key), DTYPES.get(args.dtype))
    save_file(sd, out, {"format": "pt"})
    n = sum(t.numel() for t in sd.values())
    print(f"wrote {out}: {len(sd)} tensors, {n:,} values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
