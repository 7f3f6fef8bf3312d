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

    make_bad_headers()

    with open(os.path.join(BAD, "README.md"), "w") as f:
        f.write("""# Broken images

Made by `tools/make_bad_images.py`; `tests/tst_image_io.cpp` checks that each is refused with
`ErrorCode::BadImage` and a message containing the substring below, without crashing and
(for the size claims) without allocating the claimed buffer.

| file | what it is | expected error substring |
| --- | --- | --- |
| empty.png | 0 bytes | `file is empty` |
| truncated.png | a valid 48x32 PNG cut in half | `not an image OpenCV can decode (PNG header` |
| not_an_image.jpg | text with a .jpg name | `not a supported image (expected PNG, JPEG, BMP, WebP, TIFF or PNM; the file starts with 54 68` |
| huge_claim.png | PNG signature + IHDR claiming 100000x100000 | `image claims 100000x100000 pixels, more than the 100000000-pixel limit` |
| huge_claim.jpg | JPEG SOF0 claiming 60000x60000 | `image claims 60000x60000 pixels, more than the 100000000-pixel limit` |
| bmp_negative.bmp | BMP header with width -64 | `BMP header declares an invalid size -64x32` |
""" + BAD_HEADER_ROWS)


def tiff_ifd(entries, next_offset, big=False):
    """A little-endian (Big)TIFF IFD: (tag, type, value) entries, count 1, then the next offset."""
    if big:
        out = struct.pack("<Q", len(entries))
        for tag, typ, value in entries:
            out += struct.pack("<HHQQ", tag, typ, 1, value)
        return out + struct.pack("<Q", next_offset)
    out = struct.pack("<H", len(entries))
    for tag, typ, value in entries:
        packed = struct.pack("<H", value) + b"\0\0" if typ == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, typ, 1) + packed
    return out + struct.pack("<I", next_offset)


def grey_tiff_entries(width, height, strip_offset):
    """Uncompressed 8-bit grey, one strip: enough for libtiff to decode (LONG sizes)."""
    return [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, strip_offset), (277, 3, 1), (278, 4, height), (279, 4, width * height)]


def jpeg_bytes(width, height):
    buf = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 90, np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def make_bad_headers():
    """Headers that used to get past the size check, and formats refused before decoding."""
    # 5000 empty COM segments before a real JPEG's frame header, whose size is then patched to
    # 30000x30000 (libjpeg would fill the missing scan data with grey: a 2.7 GB image).
    small = jpeg_bytes(16, 16)
    sof = small.index(b"\xff\xc0")
    patched = small[:sof + 5] + struct.pack(">HH", 30000, 30000) + small[sof + 9:]
    write(BAD, "jpeg_many_segments.jpg", b"\xff\xd8" + b"\xff\xfe\x00\x02" * 5000 + patched[2:])
    # The same JPEG without its SOF0 segment: the scan starts with no frame header before it.
    length = struct.unpack(">H", small[sof + 2:sof + 4])[0]
    write(BAD, "jpeg_no_sof.jpg", small[:sof] + small[sof + 2 + length:])

    pixels = bytes(range(48))
    # ImageWidth/ImageLength twice: 30000x30000 first (libtiff keeps the first), then 8x6 (which
    # a last-wins reader sees).
    entries = grey_tiff_entries(8, 6, 8)
    dup = [(256, 4, 30000), (257, 4, 30000)] + entries
    write(BAD, "tiff_duplicate_tags.tif", b"II*\0" + struct.pack("<I", 8 + 48) + pixels +
          tiff_ifd(dup, 0))
    # Page 1 is 8x6, page 2 claims 30000x30000.
    first = tiff_ifd(entries, 0)
    second_at = 8 + 48 + len(first)
    first = tiff_ifd(entries, second_at)
    write(BAD, "tiff_second_page.tif", b"II*\0" + struct.pack("<I", 8 + 48) + pixels + first +
          tiff_ifd(grey_tiff_entries(30000, 30000, 8), 0))
    # An IFD whose next-IFD offset points back at itself.
    write(BAD, "tiff_ifd_loop.tif", b"II*\0" + struct.pack("<I", 8 + 48) + pixels +
          tiff_ifd(entries, 8 + 48))
    # BigTIFF (magic 43, 8-byte offsets) claiming 30000x30000 with LONG8 sizes.
    big = [(256, 16, 30000), (257, 16, 30000)] + [e for e in grey_tiff_entries(8, 6, 16)[2:]]
    write(BAD, "bigtiff_huge.tif", b"II+\0" + struct.pack("<HHQ", 8, 0, 16 + 48) + pixels +
          tiff_ifd(big, 0, big=True))
    # PNM: the size after a 5000-byte comment (past the header scan); PAM with WIDTH/HEIGHT twice.
    write(BAD, "pgm_long_comment.pgm",
          b"P5\n#" + b"x" * 5000 + b"\n30000 30000\n255\n" + pixels)
    write(BAD, "pam_duplicate_size.pam", b"P7\nWIDTH 30000\nHEIGHT 30000\nWIDTH 8\nHEIGHT 6\n"
          b"DEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n" + pixels)

    # Formats OpenCV 4.6 decodes through a temporary file (left in /tmp when decoding fails) or
    # that have no size check here: all refused before decoding.
    write(BAD, "radiance_huge.hdr", b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 30000 +X 30000\n" +
          bytes([128, 128, 128, 129]) * 16)
    write(BAD, "pfm_huge.pfm", b"PF\n30000 30000\n-1.0\n" + b"\0" * 96)
    write(BAD, "sunraster_huge.ras",
          struct.pack(">8I", 0x59A66A95, 30000, 30000, 24, 0, 1, 0, 0) + pixels)
    write(BAD, "openexr_magic.exr", b"\x76\x2f\x31\x01\x02\0\0\0" + b"\0" * 56)
    buf = io.BytesIO()
    Image.fromarray(np.full((6, 8, 3), 90, np.uint8)).save(buf, "JPEG2000")
    write(BAD, "small.jp2", buf.getvalue())
    buf = io.BytesIO()
    Image.fromarray(np.full((6, 8, 3), 90, np.uint8)).save(buf, "GIF")
    write(BAD, "small.gif", buf.getvalue())


BAD_HEADER_ROWS = """| jpeg_many_segments.jpg | 5000 COM segments, then a SOF0 claiming 30000x30000 (17 KB) | `image claims 30000x30000 pixels` |
| jpeg_no_sof.jpg | a JPEG whose SOF0 segment was cut out | `JPEG has no frame header (SOFn)` |
| tiff_duplicate_tags.tif | 8x6 TIFF whose IFD starts with a second width/height pair 30000x30000 | `image claims 30000x30000 pixels` |
| tiff_second_page.tif | 8x6 first page, 30000x30000 second page | `image claims 30000x30000 pixels` |
| tiff_ifd_loop.tif | the IFD's next offset points at itself | `TIFF header is truncated or corrupt` |
| bigtiff_huge.tif | BigTIFF (magic 43) with LONG8 sizes 30000x30000 | `image claims 30000x30000 pixels` |
| pgm_long_comment.pgm | P5 with a 5000-byte comment before the size 30000 30000 | `PNM header is truncated or corrupt` |
| pam_duplicate_size.pam | PAM with WIDTH/HEIGHT 30000 and again 8/6 | `image claims 30000x30000 pixels` |
| radiance_huge.hdr | Radiance HDR header, -Y 30000 +X 30000 | `Radiance HDR images are not supported` |
| pfm_huge.pfm | PFM header 30000 30000 | `PFM images are not supported` |
| sunraster_huge.ras | Sun raster header 30000x30000 | `Sun raster images are not supported` |
| openexr_magic.exr | OpenEXR magic and padding | `OpenEXR images are not supported` |
| small.jp2 | an 8x6 JPEG 2000 (Pillow) | `JPEG 2000 images are not supported` |
| small.gif | an 8x6 GIF (Pillow; OpenCV 4.6 has no GIF decoder) | `GIF images are not supported` |
"""


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
