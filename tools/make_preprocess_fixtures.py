#!/usr/bin/python3
"""Writes tests/data/preprocess/: Pillow resize references and preprocessing-recipe references.

Run with the system Python (Debian's python3-pil and python3-numpy):

    /usr/bin/python3 tools/make_preprocess_fixtures.py

1. resize/: small 8-bit inputs (a crop of chelsea.png, a synthetic RGB gradient + noise image, a
   grey image) resized by Pillow's Image.resize(size, resample) (reducing_gap=None) with every
   filter at several sizes (integer and non-integer ratios, up, down, one axis only). The inputs and
   outputs are PNG; resize/manifest.tsv lists input, filter, width, height, output.
   resize/chelsea_crop_L.png is Pillow's convert("L") of the crop (for convertChannels).

2. recipes/: for chelsea.png and coffee.png, the model input of four recipes, computed as the
   libraries do (uint8 PIL resize, numpy crop, then float math):
     vit     Hugging Face ViTImageProcessor: resize 224x224 bilinear, x * (1/255) in float64 then
             float32, (x - 0.5) / 0.5 in float32
     dinov2  Hugging Face BitImageProcessor (DINOv2): shortest edge 256 bicubic, crop 224 with
             top = (h - 224) // 2, ImageNet mean/std, same float math
     timm    timm eval (torchvision): Resize(floor(224 / 0.9) = 248) bicubic, CenterCrop(224)
             with top = int(round((h - 224) / 2.0)), ToTensor (float32 x / 255), Normalize
             (float32 (x - mean) / std) with ImageNet mean/std
     grey    PIL convert('L'), resize 28x28 bilinear, ViTImageProcessor float math with mean
             0.2860, std 0.3530 (the Fashion-MNIST model's processor)
   The float tensor is an element-wise function of (channel, uint8 value) after resize and crop,
   so it is stored losslessly and compactly as <name>.png (the uint8 pixels the float math sees)
   plus <name>_lut.npy, float32 (C, 256): tensor[c, y, x] == lut[c, png[y, x, c]]. The script
   checks that identity bit for bit against the tensor it computed. The grey tensors are also
   stored whole as <name>_tensor.npy (C, H, W) float32. Six 3x224x224 float32 tensors would be
   3.6 MB; this way the whole folder stays well under 1.5 MB.
"""

import math
import os
import sys

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = os.path.join(ROOT, "resources", "samples", "photos")
OUT = os.path.join(ROOT, "tests", "data", "preprocess")

FILTERS = {
    "nearest": Image.NEAREST,
    "box": Image.BOX,
    "bilinear": Image.BILINEAR,
    "hamming": Image.HAMMING,
    "bicubic": Image.BICUBIC,
    "lanczos": Image.LANCZOS,
}

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def make_inputs():
    """Returns {name: PIL image} for the resize tests."""
    rng = np.random.RandomState(1234)
    chelsea = Image.open(os.path.join(PHOTOS, "chelsea.png")).convert("RGB")
    crop = chelsea.crop((150, 40, 214, 88))  # 64x48, the cat's face: edges and fur texture

    h, w = 29, 37
    yy, xx = np.mgrid[0:h, 0:w]
    noise = np.stack([xx * 255.0 / (w - 1), yy * 255.0 / (h - 1), (xx + yy) * 4.0 % 256], -1)
    noise += rng.normal(0, 40, noise.shape)
    noise[::7, ::5] = 255  # isolated extremes: ringing filters overshoot and must clamp
    noise[3::7, 2::5] = 0
    noise = np.clip(np.round(noise), 0, 255).astype(np.uint8)

    gh, gw = 23, 31
    gy, gx = np.mgrid[0:gh, 0:gw]
    grey = (gx * 8 + gy * 3 + rng.randint(0, 60, (gh, gw))) % 256
    grey[10:13, :] = 255  # a hard bright band
    return {
        "chelsea_crop": crop,
        "noise": Image.fromarray(noise, "RGB"),
        "grey": Image.fromarray(grey.astype(np.uint8), "L"),
    }


# (width, height) targets per input: down by 2, non-integer down, non-integer up, one axis only,
# and mixed up/down.
SIZES = {
    "chelsea_crop": [(32, 24), (45, 31), (100, 77), (64, 20), (23, 48), (90, 30)],
    "noise": [(17, 13), (53, 71), (37, 10), (111, 29), (5, 3)],
    "grey": [(12, 9), (47, 35), (7, 40), (31, 60)],
}


def write_resize_fixtures():
    folder = os.path.join(OUT, "resize")
    os.makedirs(folder, exist_ok=True)
    lines = ["# input\tfilter\twidth\theight\texpected"]
    inputs = make_inputs()
    # Pillow's RGB -> L conversion, for the convertChannels test.
    inputs["chelsea_crop"].convert("L").save(os.path.join(folder, "chelsea_crop_L.png"))
    for name, image in inputs.items():
        image.save(os.path.join(folder, name + ".png"))
        for (w, h) in SIZES[name]:
            for fname, code in FILTERS.items():
                out = image.resize((w, h), code, reducing_gap=None)
                assert out.size == (w, h) and out.mode == image.mode
                expected = "%s_%s_%dx%d.png" % (name, fname, w, h)
                out.save(os.path.join(folder, expected))
                lines.append("%s.png\t%s\t%d\t%d\t%s" % (name, fname, w, h, expected))
    with open(os.path.join(folder, "manifest.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines) - 1


# ---- the recipes, written as the libraries compute them ----

def hf_rescale_normalize(arr, mean, std):
    """transformers.image_transforms.rescale + normalize (HWC uint8 -> HWC float32)."""
    x = (arr.astype(np.float64) * (1 / 255)).astype(np.float32)
    mean = np.array(mean, dtype=np.float32)
    std = np.array(std, dtype=np.float32)
    return (x - mean) / std


def torch_to_tensor_normalize(arr, mean, std):
    """torchvision ToTensor (x.float().div(255)) + Normalize (sub_(mean).div_(std)), float32."""
    x = arr.astype(np.float32) / np.float32(255)
    return (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)


def shortest_edge_size(w, h, size):
    """HF get_resize_output_image_size(default_to_square=False) and torchvision's
    _compute_resized_output_size: (new_w, new_h)."""
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    return (new_short, new_long) if w <= h else (new_long, new_short)


def recipe_vit(img):
    arr = np.array(img.resize((224, 224), Image.BILINEAR, reducing_gap=None))
    return arr, hf_rescale_normalize(arr, [0.5] * 3, [0.5] * 3), "hf"


def recipe_dinov2(img):
    resized = np.array(img.resize(shortest_edge_size(*img.size, 256), Image.BICUBIC,
                                  reducing_gap=None))
    h, w = resized.shape[:2]
    top, left = (h - 224) // 2, (w - 224) // 2
    arr = resized[top:top + 224, left:left + 224]
    return arr, hf_rescale_normalize(arr, IMAGENET_MEAN, IMAGENET_STD), "hf"


def recipe_timm(img):
    scale_size = math.floor(224 / 0.9)
    resized = img.resize(shortest_edge_size(*img.size, scale_size), Image.BICUBIC)
    w, h = resized.size
    top, left = int(round((h - 224) / 2.0)), int(round((w - 224) / 2.0))
    arr = np.array(resized.crop((left, top, left + 224, top + 224)))
    return arr, torch_to_tensor_normalize(arr, IMAGENET_MEAN, IMAGENET_STD), "torch"


def recipe_grey(img):
    arr = np.array(img.convert("L").resize((28, 28), Image.BILINEAR, reducing_gap=None))
    return arr, hf_rescale_normalize(arr[..., None], [0.2860], [0.3530]), "hf"


RECIPES = {"vit": recipe_vit, "dinov2": recipe_dinov2, "timm": recipe_timm, "grey": recipe_grey}
RECIPE_PARAMS = {
    "vit": ([0.5] * 3, [0.5] * 3),
    "dinov2": (IMAGENET_MEAN, IMAGENET_STD),
    "timm": (IMAGENET_MEAN, IMAGENET_STD),
    "grey": ([0.2860], [0.3530]),
}


def write_recipe_fixtures():
    folder = os.path.join(OUT, "recipes")
    os.makedirs(folder, exist_ok=True)
    lines = ["# image\trecipe\tshown\tlut"]
    values = np.arange(256, dtype=np.uint8)
    for photo in ["chelsea.png", "coffee.png"]:
        img = Image.open(os.path.join(PHOTOS, photo)).convert("RGB")
        for rname, fn in RECIPES.items():
            arr, hwc, style = fn(img)
            if arr.ndim == 2:
                arr = arr[..., None]
            tensor = np.ascontiguousarray(hwc.transpose(2, 0, 1)).astype(np.float32)  # (C, H, W)
            mean, std = RECIPE_PARAMS[rname]
            column = values[:, None].repeat(len(mean), 1)[:, None, :]  # (256, 1, C)
            lut_fn = hf_rescale_normalize if style == "hf" else torch_to_tensor_normalize
            lut = np.ascontiguousarray(lut_fn(column, mean, std)[:, 0, :].T).astype(np.float32)
            # The lossless-encoding claim, checked bit for bit.
            rebuilt = np.stack([lut[c][arr[..., c]] for c in range(arr.shape[2])])
            assert rebuilt.tobytes() == tensor.tobytes(), (photo, rname)
            stem = "%s_%s" % (os.path.splitext(photo)[0], rname)
            Image.fromarray(arr[..., 0] if arr.shape[2] == 1 else arr).save(
                os.path.join(folder, stem + ".png"))
            np.save(os.path.join(folder, stem + "_lut.npy"), lut)
            if rname == "grey":
                np.save(os.path.join(folder, stem + "_tensor.npy"), tensor)
            lines.append("%s\t%s\t%s\t%s" % (photo, rname, stem + ".png", stem + "_lut.npy"))
    with open(os.path.join(folder, "manifest.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines) - 1


def main():
    n_resize = write_resize_fixtures()
    n_recipes = write_recipe_fixtures()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print("%d resize cases, %d recipe cases, %d bytes in %s" % (n_resize, n_recipes, total, OUT))
    if total > 1_500_000:
        sys.exit("fixtures exceed 1.5 MB")


if __name__ == "__main__":
    main()
