#!/usr/bin/python3
"""Writes the image-decoding fixtures for tests/tst_image_io.cpp.

    /usr/bin/python3 tools/make_bad_images.py

tests/data/bad/images/  broken or hostile files, each refused with a specific message (see the
                        README.md written next to them)
tests/data/images/      valid but tricky files: a JPEG with EXIF orientation 6 and its upright
                        pixels as decoded by Pillow (ImageOps.exif_transpose), a 16-bit RGB PNG,
                        a 16-bit grey PNG, an RGBA PNG and a grey+alpha PNG whose pixel values
                        follow formulas the test recomputes; and orient7x5_o{3,6,8}.{png,webp,tif}:
                        one 7x5 image stored with orientation 3, 6 and 8 in a PNG eXIf chunk, a
                        lossless WebP EXIF chunk and a TIFF's own Orientation tag, with Pillow's
                        upright pixels in orient7x5_o{3,6,8}_upright.png.
"""

import io
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD = os.path.join(ROOT, "tests", "data", "bad", "images")
GOOD = os.path.join(ROOT, "tests", "data", "images")


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bytes(width, height, bit_depth, color_type, rows):
    """A PNG from raw big-endian row bytes (filter type 0 on every row)."""
    raw = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def sample_png():
    rng = np.random.RandomState(7)
    buf = io.BytesIO()
    Image.fromarray(rng.randint(0, 256, (32, 48, 3)).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def make_bad():
    os.makedirs(BAD, exist_ok=True)
    write(BAD, "empty.png", b"")
    full = sample_png()
    write(BAD, "truncated.png", full[:len(full) // 2])
    write(BAD, "not_an_image.jpg", b"This is a text file with a .jpg name, not a JPEG.\n" * 4)

    # A valid signature and IHDR claiming 100000 x 100000 RGB, one tiny IDAT, IEND.
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    write(BAD, "huge_claim.png", b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
          png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))

    # SOI, APP0 JFIF, SOF0 claiming 60000 x 60000 x 3, EOI.
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = struct.pack(">BHHB", 8, 60000, 60000, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    write(BAD, "huge_claim.jpg", b"\xff\xd8" +
          b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 +
          b"\xff\xc0" + struct.pack(">H", len(sof0) + 2) + sof0 + b"\xff\xd9")

    # BITMAPFILEHEADER + BITMAPINFOHEADER with a negative width (-64) and nonsense fields.
    info = struct.pack("<IiiHHIIiiII", 40, -64, 32, 1, 24, 0, 0, 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + 16, 0, 0, 14 + len(info))
    write(BAD, "bmp_negative.bmp", header + info + b"\xde\xad\xbe\xef" * 4)

    with open(os.path.join(BAD, "README.md"), "w") as f:
        f.write("""# Broken images

Made by `tools/make_bad_images.py`; `tests/tst_image_io.cpp` checks that each is refused with
`ErrorCode::BadImage` and a message containing the substring below, without crashing and
(for the size claims) without allocating the claimed buffer.

| file | what it is | expected error substring |
| --- | --- | --- |
| empty.png | 0 bytes | `file is empty` |
| truncated.png | a valid 48x32 PNG cut in half | `not an image OpenCV can decode (PNG header` |
| not_an_image.jpg | text with a .jpg name | `not an image OpenCV can decode (unrecognised format` |
| huge_claim.png | PNG signature + IHDR claiming 100000x100000 | `image claims 100000x100000 pixels, more than the 100000000-pixel limit` |
| huge_claim.jpg | JPEG SOF0 claiming 60000x60000 | `image claims 60000x60000 pixels, more than the 100000000-pixel limit` |
| bmp_negative.bmp | BMP header with width -64 | `BMP header declares an invalid size -64x32` |
""")


def make_good():
    os.makedirs(GOOD, exist_ok=True)
    # Stored 40 wide x 24 high with four flat colour blocks (JPEG keeps flat blocks almost
    # exactly); orientation 6 means "rotate 90 degrees clockwise to display", so the upright image
    # is 24 wide x 40 high.
    stored = np.zeros((24, 40, 3), np.uint8)
    stored[:12, :24] = (220, 30, 30)
    stored[:12, 24:] = (30, 200, 40)
    stored[12:, :24] = (40, 40, 210)
    stored[12:, 24:] = (230, 220, 50)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = os.path.join(GOOD, "exif_orientation6.jpg")
    Image.fromarray(stored).save(path, "JPEG", quality=100, subsampling=0, exif=exif.tobytes())
    upright = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    assert upright.size == (24, 40)
    upright.save(os.path.join(GOOD, "exif_orientation6_upright.png"))

    # 16-bit RGB, 8x4: v(y, x, c) = (x * 7919 + y * 10007 + c * 31337) * 13 % 65536, with the
    # first row pinned to rounding edge cases of v / 257.
    w, h = 8, 4
    v = np.zeros((h, w, 3), np.uint32)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                v[y, x, c] = (x * 7919 + y * 10007 + c * 31337) * 13 % 65536
    v[0, :, 0] = [0, 65535, 128, 129, 257 * 10 + 128, 257 * 10 + 129, 32896, 65407]
    rows = [v[y].astype(">u2").tobytes() for y in range(h)]
    write(GOOD, "rgb16.png", png_bytes(w, h, 16, 2, rows))
    grey16 = [(v[y, :, 0]).astype(">u2").tobytes() for y in range(h)]
    write(GOOD, "grey16.png", png_bytes(w, h, 16, 0, grey16))

    # RGBA 8-bit, 6x5: r = 40x + 3, g = 50y + 7, b = (x * y * 17) % 256, a = (x + y) * 30 % 256
    # (alpha 0 at (0, 0), with colour behind it that must survive: no compositing).
    w, h = 6, 5
    rgba = np.zeros((h, w, 4), np.uint8)
    for y in range(h):
        for x in range(w):
            rgba[y, x] = (40 * x + 3, 50 * y + 7, (x * y * 17) % 256, (x + y) * 30 % 256)
    Image.fromarray(rgba, "RGBA").save(os.path.join(GOOD, "rgba.png"))
    # Grey + alpha: l = 40x + 10y, a = 255 - 20x.
    la = np.zeros((h, w, 2), np.uint8)
    for y in range(h):
        for x in range(w):
            la[y, x] = (40 * x + 10 * y, 255 - 20 * x)
    Image.fromarray(la, "LA").save(os.path.join(GOOD, "grey_alpha.png"))


def make_orientation():
    # 7 wide x 5 high, every pixel distinct, so any wrong flip or rotation changes pixels.
    h, w = 5, 7
    stored = np.zeros((h, w, 3), np.uint8)
    for y in range(h):
        for x in range(w):
            stored[y, x] = (30 * x + 7, 50 * y + 11, (x * 13 + y * 29) * 5 % 256)
    source = Image.fromarray(stored)
    for o in (3, 6, 8):
        exif = Image.Exif()
        exif[0x0112] = o
        base = os.path.join(GOOD, "orient7x5_o%d" % o)
        source.save(base + ".png", exif=exif.tobytes())  # eXIf chunk, before IDAT
        source.save(base + ".webp", lossless=True, exact=True, exif=exif.tobytes())  # VP8X + EXIF
        source.save(base + ".tif", tiffinfo={0x0112: o})  # the TIFF's own tag 274 in IFD0
        uprights = []
        for ext in (".png", ".webp"):
            im = Image.open(base + ext)
            assert im.getexif().get(0x0112) == o, (base + ext, "orientation not stored")
            uprights.append(np.asarray(ImageOps.exif_transpose(im).convert("RGB")))
        # Pillow 9.4 already applies a TIFF's orientation in load(), and exif_transpose would
        # apply it a second time (Pillow issue 7381, fixed in 10.1). load() is right in both.
        im = Image.open(base + ".tif")
        im.load()
        uprights.append(np.asarray(im.convert("RGB")))
        for u in uprights[1:]:
            assert np.array_equal(u, uprights[0]), (base, "formats disagree")
        assert uprights[0].shape == ((w, h, 3) if o in (6, 8) else (h, w, 3))
        # Saved from the bare array: no eXIf chunk, so the reference itself is not rotated.
        Image.fromarray(uprights[0]).save(base + "_upright.png")


if __name__ == "__main__":
    make_bad()
    make_good()
    make_orientation()
    print("wrote", BAD, "and", GOOD)
