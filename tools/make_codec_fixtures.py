#!/usr/bin/python3
"""Writes tests/data/images/codecs/: one small image per format variant, with Pillow's decode.

    /usr/bin/python3 tools/make_codec_fixtures.py

Why: tests/tst_codecs.cpp checks core::decodeImage pixel for pixel against Pillow (the library
the models' Python preprocessing uses) for every format decodeImage supports and the variants
that are common in the wild, so a decoder rewrite cannot silently change what a model sees.

What: a deterministic 29x19 pattern (gradients plus seeded noise, with the extreme and rounding-
boundary values planted) saved as
  PNG   RGB, RGBA, L, LA, P, P + tRNS, P with a grey palette, 1-bit, 16-bit grey, and an Adam7
        interlaced RGB written by hand (Pillow cannot write interlaced PNGs; rows cycle through
        all five filter types)
  JPEG  RGB q90 (libjpeg default 4:2:0), progressive, L, 4:2:0 q75, 4:2:2, 4:4:4, Adobe CMYK
  WebP  lossless RGB, lossy RGB, lossless RGBA
  TIFF  RGB raw / LZW / Adobe deflate, L, P, RGBA, 1-bit, 16-bit grey
  BMP   24-bit RGB, 8-bit P, 8-bit L (grey palette), 1-bit, 32-bit RGBA
  PNM   P4, P5, P6, P5 16-bit (maxval 65535), and written by hand: plain P1, P2 and P3 with
        maxval 255, P3 with maxval 100, a P7 PAM (RGB, MAXVAL 255)
and for each file <name>.npy, uint8 (H, W, 3) or (H, W): what Pillow's Image.open gives,
converted to RGB, except that Pillow modes L, LA, 1, I and I;16 stay one grey channel (a P image
is RGB whatever its palette); 16-bit values become (v + 128) // 257, "1" becomes 0/255, alpha
is dropped (not composited). manifest.json lists every file with its format, the mode Pillow
reports, the expected size and channels, whether the format is lossy, and notes where Pillow's
reading is debatable (ASCII maxval 100 rounding) or impossible (PAM: Pillow 9.4 cannot open it,
so the expectation is the array written), and what Pillow does with the file's first half (an
error for all but the plain P2/P3 files cut inside a number, where Pillow 9.4 repeats that
number to the end: a Pillow bug, so tst_codecs expects an error for every half file).
Deterministic: the same bytes on every run with the same Pillow/libjpeg/libwebp/zlib.
"""

import io
import json
import os
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "images", "codecs")

W, H = 29, 19  # odd, and more than one 16x16 JPEG MCU each way with partial edge MCUs
GREY_MODES = {"L", "LA", "1", "I", "I;16", "I;16B", "I;16L"}


# --------------------------------------------------------------------------- the pattern

def make_sources():
    rng = np.random.default_rng(20240531)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    noise = rng.integers(-40, 41, size=(H, W, 3))
    rgb = np.stack([xx * 255 / (W - 1),
                    yy * 255 / (H - 1),
                    255 - (xx + yy) * 255 / (W + H - 2)], axis=-1) + noise
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    rgb[0, 0] = (0, 0, 0)
    rgb[0, 1] = (255, 255, 255)
    rgb[0, 2] = (255, 0, 0)
    rgb[0, 3] = (0, 255, 0)
    rgb[0, 4] = (0, 0, 255)

    grey = np.clip(np.rint((xx + 2 * yy) * 255 / (W - 1 + 2 * (H - 1)) +
                           rng.integers(-30, 31, size=(H, W))), 0, 255).astype(np.uint8)
    grey[0, 0], grey[0, 1] = 0, 255

    alpha = np.clip(np.rint(255 - yy * 255 / (H - 1) + rng.integers(-20, 21, size=(H, W))),
                    0, 255).astype(np.uint8)
    alpha[:, 0] = 0      # a fully transparent column
    alpha[:, 1] = 255    # and an opaque one

    grey16 = np.clip(np.rint((xx * H + yy) * 65535 / (W * H - 1) +
                             rng.integers(-3000, 3001, size=(H, W))), 0, 65535).astype(np.uint16)
    # rounding boundaries of (v + 128) // 257 and v >> 8: 128 -> 0 vs 1, 385 -> 1 vs 2, ...
    planted = [0, 65535, 127, 128, 129, 384, 385, 386, 32767, 32768, 32895, 32896, 65407, 65408,
               255, 256, 511, 512, 65279, 65280]
    grey16[0, :len(planted)] = planted

    bilevel = ((grey.astype(int) + rng.integers(-60, 61, size=(H, W))) > 127)
    bilevel[0, 0], bilevel[0, 1] = False, True

    # 16 colourful palette entries (not sorted, not grey), indices with structure + noise
    palette16 = np.array([[(37 * i) % 256, (91 * i + 40) % 256, (173 * i + 200) % 256]
                          for i in range(16)], dtype=np.uint8)
    index = ((xx // 3 + (yy // 2) * 5 + rng.integers(0, 3, size=(H, W))) % 16).astype(np.uint8)

    return dict(rgb=rgb, grey=grey, alpha=alpha, grey16=grey16, bilevel=bilevel,
                palette16=palette16, index=index)


# --------------------------------------------------------------------------- hand-written files

def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_filter_row(kind, row, prev, bpp):
    """PNG filter `kind` (0..4) applied to one row of bytes (prev: the previous row or zeros)."""
    row = row.astype(np.int32)
    prev = prev.astype(np.int32)
    out = np.zeros_like(row)
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = a
        elif kind == 2:
            pred = b
        elif kind == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
        out[i] = (row[i] - pred) & 0xFF
    return bytes([kind]) + out.astype(np.uint8).tobytes()


def adam7_png(rgb):
    """An interlaced (Adam7) 8-bit RGB PNG; the rows of each pass cycle through filters 0..4."""
    h, w, _ = rgb.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
              (0, 1, 1, 2)]  # (x0, y0, dx, dy)
    raw = b""
    k = 0
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        prev = np.zeros(sub.shape[1] * 3, dtype=np.uint8)
        for row in sub:
            flat = row.reshape(-1)
            raw += png_filter_row(k % 5, flat, prev, 3)
            prev = flat
            k += 1
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def plain_pnm(magic, values, w, h, maxval):
    """Plain (ASCII) PBM/PGM/PPM with a header comment and lines under 70 characters."""
    head = f"{magic}\n# vitscope codec fixture\n{w} {h}\n"
    if maxval is not None:
        head += f"{maxval}\n"
    lines, line = [], ""
    for v in values.reshape(-1):
        token = str(int(v))
        if len(line) + len(token) + 1 > 69:
            lines.append(line)
            line = ""
        line = (line + " " + token) if line else token
    lines.append(line)
    return (head + "\n".join(lines) + "\n").encode("ascii")


def pam(rgb):
    h, w, _ = rgb.shape
    head = (f"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n")
    return head.encode("ascii") + rgb.tobytes()


# --------------------------------------------------------------------------- expectations

def pillow_expected(im):
    """What the decoder must give for the image Pillow opened: see the module docstring."""
    im.load()
    if im.mode in ("I", "I;16", "I;16B", "I;16L"):
        v = np.asarray(im).astype(np.int64)
        assert v.min() >= 0 and v.max() <= 65535, (im.mode, v.min(), v.max())
        return ((v + 128) // 257).astype(np.uint8)
    if im.mode in ("L", "LA", "1"):
        return np.asarray(im.convert("L"), dtype=np.uint8)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def pillow_on_half(data):
    """What Pillow does with the first half of the file (tst_codecs expects an error)."""
    half = data[:len(data) // 2]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TIFF: "Truncated File Read", "Corrupt EXIF data"
            with Image.open(io.BytesIO(half)) as im:
                im.load()
                mode = im.mode
    except Exception as e:  # any refusal is the answer wanted
        return f"error: {type(e).__name__}: {str(e).split(' <')[0]}"
    result = f"decodes without error ({mode})"
    if half[:2] in (b"P2", b"P3") and not half[-1:].isspace():
        last = half.split()[-1].decode()
        result += (f": Pillow 9.4's plain PNM decoder repeats the cut last number {last} to the "
                   "end of the image")
    return result


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f != "README.md":
            os.remove(os.path.join(OUT, f))
    s = make_sources()
    rgb, grey, alpha, grey16, bilevel = s["rgb"], s["grey"], s["alpha"], s["grey16"], s["bilevel"]

    im_rgb = Image.fromarray(rgb, "RGB")
    im_rgba = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    im_l = Image.fromarray(grey, "L")
    im_la = Image.fromarray(np.dstack([grey, alpha]), "LA")
    im_1 = Image.fromarray(bilevel.astype(np.uint8) * 255, "L").convert("1", dither=Image.NONE)
    im_i16 = Image.fromarray(grey16, "I;16")
    im_i = Image.fromarray(grey16.astype(np.int32), "I")
    im_p = Image.fromarray(s["index"], "P")
    im_p.putpalette(s["palette16"].reshape(-1).tolist())
    im_pgrey = Image.fromarray(grey, "P")  # palette i -> (i, i, i)
    im_pgrey.putpalette([v for i in range(256) for v in (i, i, i)])
    # Pillow's RGB -> CMYK leaves K = 0; a real K channel tells CMYK -> RGB formulas apart
    k = np.clip(255 - rgb.max(axis=-1).astype(int) + s["grey"] // 3, 0, 255)
    cmyk = np.dstack([255 - rgb.astype(int), k]).astype(np.uint8)
    im_cmyk = Image.fromarray(cmyk, "CMYK")

    entries = []

    def pillow_save(name, fmt, im, expect_source=None, note=None, lossy=False, **params):
        """Saves `im` with Pillow. expect_source: the array a lossless round trip must give."""
        buf = io.BytesIO()
        im.save(buf, format=fmt, **params)
        add(name, fmt, buf.getvalue(), expect_source, note, lossy)

    def add(name, fmt, data, expect_source=None, note=None, lossy=False, pillow_fails=False):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        if pillow_fails:
            try:
                Image.open(path).load()
                raise AssertionError(f"{name}: Pillow now opens it; use Pillow's answer")
            except (OSError, SyntaxError):
                pass
            mode, expected = None, expect_source
        else:
            with Image.open(path) as im:
                mode = im.mode
                expected = pillow_expected(im)
            if expect_source is not None and not np.array_equal(expected, expect_source):
                diff = np.abs(expected.astype(int) - expect_source.astype(int))
                extra = f"Pillow's decode differs from the array written (max {diff.max()})"
                print(f"{name}: note: {extra}")
                note = f"{note}; {extra}" if note else extra
        assert expected.dtype == np.uint8 and expected.shape[:2] == (H, W), name
        half = pillow_on_half(data)
        np.save(os.path.join(OUT, name + ".npy"), expected)
        entry = {"file": name, "format": fmt, "pillow_mode": mode, "width": W, "height": H,
                 "channels": 1 if expected.ndim == 2 else 3, "lossy": lossy,
                 "pillow_on_half_file": half}
        if note:
            entry["note"] = note
        entries.append(entry)

    g8 = (grey16.astype(np.int64) + 128) // 257
    bl = bilevel.astype(np.uint8) * 255
    pal_rgb = s["palette16"][s["index"]]

    # PNG
    pillow_save("rgb.png", "PNG", im_rgb, rgb)
    pillow_save("rgba.png", "PNG", im_rgba, rgb)
    pillow_save("grey.png", "PNG", im_l, grey)
    pillow_save("grey_alpha.png", "PNG", im_la, grey)
    pillow_save("palette.png", "PNG", im_p, pal_rgb)
    pillow_save("palette_trns.png", "PNG", im_p, pal_rgb, transparency=3,
                note="tRNS: index 3 transparent; alpha dropped, palette colour kept")
    pillow_save("palette_greypal.png", "PNG", im_pgrey, np.dstack([grey] * 3),
                note="P with a grey palette: Pillow says P, so RGB is expected")
    pillow_save("bilevel.png", "PNG", im_1, bl)
    pillow_save("grey16.png", "PNG", im_i16, g8)
    add("rgb_adam7.png", "PNG", adam7_png(rgb), rgb,
        note="hand-written Adam7, filters 0..4 cycling per row")

    # JPEG (libjpeg-turbo on both sides)
    pillow_save("rgb_q90.jpg", "JPEG", im_rgb, lossy=True, quality=90)
    pillow_save("rgb_progressive.jpg", "JPEG", im_rgb, lossy=True, quality=90, progressive=True)
    pillow_save("grey.jpg", "JPEG", im_l, lossy=True, quality=90)
    pillow_save("rgb_420.jpg", "JPEG", im_rgb, lossy=True, quality=75, subsampling=2)
    pillow_save("rgb_422.jpg", "JPEG", im_rgb, lossy=True, quality=90, subsampling=1)
    pillow_save("rgb_444.jpg", "JPEG", im_rgb, lossy=True, quality=90, subsampling=0)
    pillow_save("cmyk.jpg", "JPEG", im_cmyk, lossy=True, quality=95,
                note="Adobe APP14 (transform 0), inverted CMYK as Pillow writes it, K varies; "
                     "expected is Pillow's convert('RGB'): R = round((255 - C) * (255 - K) "
                     "/ 255), likewise G from M, B from Y")

    # WebP
    pillow_save("rgb_lossless.webp", "WEBP", im_rgb, rgb, lossless=True)
    pillow_save("rgb_lossy.webp", "WEBP", im_rgb, lossy=True, quality=80)
    pillow_save("rgba_lossless.webp", "WEBP", im_rgba, lossless=True, exact=True,
                expect_source=rgb)

    # TIFF
    pillow_save("rgb_raw.tif", "TIFF", im_rgb, rgb, compression="raw")
    pillow_save("rgb_lzw.tif", "TIFF", im_rgb, rgb, compression="tiff_lzw")
    pillow_save("rgb_deflate.tif", "TIFF", im_rgb, rgb, compression="tiff_adobe_deflate")
    pillow_save("grey.tif", "TIFF", im_l, grey)
    pillow_save("palette.tif", "TIFF", im_p, pal_rgb)
    pillow_save("rgba.tif", "TIFF", im_rgba, rgb, note="unassociated alpha (ExtraSamples 2)")
    pillow_save("bilevel.tif", "TIFF", im_1, bl)
    pillow_save("grey16.tif", "TIFF", im_i16, g8)

    # BMP
    pillow_save("rgb24.bmp", "BMP", im_rgb, rgb)
    pillow_save("palette8.bmp", "BMP", im_p, pal_rgb)
    pillow_save("grey8.bmp", "BMP", im_l, grey,
                note="8-bit with a grey palette: Pillow reads it back as L")
    pillow_save("bilevel.bmp", "BMP", im_1, bl)
    pillow_save("rgba32.bmp", "BMP", im_rgba, rgb,
                note="32-bit BI_RGB: Pillow reads it back as RGB (BGRX), alpha ignored")

    # PNM
    pillow_save("bilevel.pbm", "PPM", im_1, bl)
    pillow_save("grey.pgm", "PPM", im_l, grey)
    pillow_save("rgb.ppm", "PPM", im_rgb, rgb)
    pillow_save("grey16.pgm", "PPM", im_i, g8, note="P5 maxval 65535 (Pillow writes mode I)")
    add("bilevel_plain.pbm", "PPM", plain_pnm("P1", (~bilevel).astype(np.uint8), W, H, None),
        bl, note="P1: 1 is black")
    add("grey_plain.pgm", "PPM", plain_pnm("P2", grey, W, H, 255), grey)
    add("rgb_plain.ppm", "PPM", plain_pnm("P3", rgb, W, H, 255), rgb)
    v100 = ((np.arange(H * W * 3) * 7) % 101).reshape(H, W, 3)  # every value 0..100
    half_up = ((v100 * 255 + 50) // 100).astype(np.uint8)
    add("rgb_plain_max100.ppm", "PPM", plain_pnm("P3", v100, W, H, 100), half_up,
        note="Pillow scales by Python round(v / 100 * 255) (float, ties to even): 30 -> 76 and "
             "70 -> 178 where round-half-up (v * 255 + 50) // 100 gives 77 and 179; Pillow's "
             "values are expected")
    add("rgb.pam", "PAM", pam(rgb), rgb, pillow_fails=True,
        note="Pillow 9.4 cannot open PAM (P7); expected is the array written")

    manifest = {
        "generator": "tools/make_codec_fixtures.py",
        "pillow": Image.__version__,
        "rules": "uint8 <file>.npy; Pillow modes L, LA, 1, I, I;16 -> (H, W) grey, everything "
                 "else -> convert('RGB') (H, W, 3); 16-bit -> (v + 128) // 257; alpha dropped",
        "files": entries,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(entries)} fixtures, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
