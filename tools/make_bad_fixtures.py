#!/usr/bin/python3
"""Writes the small checkpoint/data fixtures used by tests/tst_safetensors, tst_npy_npz, tst_idx,
tst_pickle_guard and tst_model_loader (unknown_tensor/, derived from tests/data/models/hf_vit_cls):

  tests/data/io/   valid files for positive tests (values checked exactly by the tests)
  tests/data/bad/  one broken file per failure mode (see tests/data/bad/README.md)

Deterministic: running it again rewrites identical bytes. Needs only Python 3 and numpy.
Usage: /usr/bin/python3 tools/make_bad_fixtures.py [repo root]
"""
import gzip
import io
import json
import os
import struct
import sys
import time
import zipfile

import numpy as np

# zipfile (also inside numpy.savez) stamps entries with the current local time: pin it so the
# fixtures are byte-identical on every run.
os.environ["TZ"] = "UTC"
time.tzset()
time.time = lambda: 1700000000.0

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
IO = os.path.join(ROOT, "tests", "data", "io")
BAD = os.path.join(ROOT, "tests", "data", "bad")


def write(folder, name, data: bytes):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------
# safetensors

def safetensors_bytes(entries, metadata=None, pad=True):
    """entries: list of (name, dtype, shape, raw bytes), laid out in order."""
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    return raw_safetensors(json.dumps(header, separators=(",", ":")).encode(), b"".join(blobs), pad)


def raw_safetensors(header_json: bytes, data: bytes, pad=True):
    if pad:
        header_json += b" " * ((8 - len(header_json) % 8) % 8)
    return struct.pack("<Q", len(header_json)) + header_json + data


F16_BITS = [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x7C00,
            0xFC00, 0x7E00, 0x8001]  # 0, -0, min subnormal, max subnormal, min normal, 1, -2,
#                                     ~1/3, max, inf, -inf, NaN, -min subnormal
BF16_BITS = [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x3F80, 0xC049, 0x7F7F, 0x7F80, 0xFF80,
             0x7FC0, 0x8001]  # 0, -0, subnormals, min normal, 1, -3.140625, max, inf, -inf, NaN
F32_VALUES = [0.5, -1.25, 3.0, 1024.0, -0.0, 65504.0]
F64_VALUES = [0.1, -2.5, 1e300, -1e300, 1e-300, 3.4028234663852886e38]


def u16(bits):
    return np.array(bits, dtype="<u2")


def valid_safetensors():
    f16 = u16(F16_BITS)
    bf16 = u16(BF16_BITS)
    f16_expected = f16.view("<f2").astype("<f4")           # numpy's own half -> float
    bf16_expected = (bf16.astype("<u4") << 16).view("<f4")  # bfloat16 is the upper half
    f64 = np.array(F64_VALUES, dtype="<f8")
    with np.errstate(over="ignore"):
        f64_expected = f64.astype("<f4")
    f32 = np.array(F32_VALUES, dtype="<f4").reshape(2, 3)
    unaligned = np.arange(1, 7, dtype="<f4").reshape(3, 2) / 4
    entries = [
        # data offsets 0, 24, 76, 124: 4-byte aligned in the file, borrowed in place
        ("f32", "F32", f32.shape, f32.tobytes()),
        ("f16_expected", "F32", f16_expected.shape, f16_expected.tobytes()),
        ("bf16_expected", "F32", (3, 4), bf16_expected.tobytes()),
        ("f64_expected", "F32", f64_expected.shape, f64_expected.tobytes()),
        ("empty", "F32", (0, 4), b""),
        # 13 halves = 26 bytes at 148, so the next tensor starts at 174 (== 2 mod 4): copied
        ("f16", "F16", f16.shape, f16.tobytes()),
        ("f32_unaligned", "F32", unaligned.shape, unaligned.tobytes()),
        ("bf16", "BF16", (3, 4), bf16.tobytes()),
        ("f64", "F64", f64.shape, f64.tobytes()),
        ("position_ids", "I64", (1, 3), np.arange(3, dtype="<i8").tobytes()),
    ]
    data = safetensors_bytes(entries, {"format": "pt", "note": "vitscope io fixture"})
    n = struct.unpack("<Q", data[:8])[0]
    assert (8 + n) % 8 == 0 and (8 + n + 174) % 4 == 2
    write(IO, "valid.safetensors", data)


def sharded():
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.arange(4, dtype="<f4") - 1.5
    c = u16([0x3C00, 0x4000])  # F16 1, 2
    write(IO, "model-00001-of-00002.safetensors",
          safetensors_bytes([("blocks.0.weight", "F32", a.shape, a.tobytes()),
                             ("blocks.0.bias", "F32", b.shape, b.tobytes())]))
    write(IO, "model-00002-of-00002.safetensors",
          safetensors_bytes([("head.weight", "F16", (2,), c.tobytes())]))
    index = {"metadata": {"total_size": 40},
             "weight_map": {"blocks.0.weight": "model-00001-of-00002.safetensors",
                            "blocks.0.bias": "model-00001-of-00002.safetensors",
                            "head.weight": "model-00002-of-00002.safetensors"}}
    write(IO, "model.safetensors.index.json", json.dumps(index, indent=2).encode())

    # bad shard indices (their shards live beside them in bad/)
    write(BAD, "shard_a.safetensors", safetensors_bytes([("x", "F32", (2,), b"\0" * 8)]))
    write(BAD, "shard_missing_tensor.index.json",
          json.dumps({"weight_map": {"x": "shard_a.safetensors", "y": "shard_a.safetensors"}}).encode())
    write(BAD, "shard_escape.index.json",
          json.dumps({"weight_map": {"x": "../io/model-00001-of-00002.safetensors"}}).encode())
    write(BAD, "shard_dotdot.index.json", json.dumps({"weight_map": {"x": ".."}}).encode())
    write(BAD, "shard_duplicate.index.json",
          json.dumps({"weight_map": {"x": "shard_a.safetensors", "z": "shard_b.safetensors"}}).encode())
    write(BAD, "shard_b.safetensors", safetensors_bytes([("x", "F32", (1,), b"\0" * 4),
                                                         ("z", "F32", (1,), b"\0" * 4)]))


def bad_safetensors():
    f32 = np.arange(12, dtype="<f4")
    good = safetensors_bytes([("w", "F32", (3, 4), f32.tobytes())])
    write(BAD, "empty.safetensors", b"")
    write(BAD, "short.safetensors", b"\x10\x00\x00")
    write(BAD, "truncated.safetensors", good[:-10])
    write(BAD, "header_past_end.safetensors", struct.pack("<Q", 1000) + b'{"w":{}}')
    write(BAD, "header_not_json.safetensors", raw_safetensors(b"{this is not json", b""))
    write(BAD, "header_not_object.safetensors", raw_safetensors(b"[1, 2, 3]", b""))
    write(BAD, "header_deep_json.safetensors", raw_safetensors(b"[" * 5000 + b"]" * 5000, b""))
    write(BAD, "metadata_not_string.safetensors",
          raw_safetensors(b'{"__metadata__":{"epochs":3}}', b""))
    write(BAD, "offsets_past_end.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F32","shape":[1200],"data_offsets":[0,4800]}}',
                          f32.tobytes()))
    write(BAD, "offsets_overlap.safetensors",
          raw_safetensors(b'{"a":{"dtype":"F32","shape":[12],"data_offsets":[0,48]},'
                          b'"b":{"dtype":"F32","shape":[6],"data_offsets":[24,48]}}', f32.tobytes()))
    write(BAD, "offsets_hole.safetensors",
          raw_safetensors(b'{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},'
                          b'"b":{"dtype":"F32","shape":[4],"data_offsets":[32,48]}}', f32.tobytes()))
    write(BAD, "trailing_bytes.safetensors",
          raw_safetensors(b'{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', f32.tobytes()))
    write(BAD, "offsets_reversed.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F32","shape":[12],"data_offsets":[48,0]}}', f32.tobytes()))
    write(BAD, "offsets_negative.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F32","shape":[12],"data_offsets":[-4,44]}}', f32.tobytes()))
    write(BAD, "shape_byte_mismatch.safetensors",
          raw_safetensors(b'{"blocks.0.attn.qkv.weight":{"dtype":"F32","shape":[3,4],'
                          b'"data_offsets":[0,100]}}', bytes(100)))
    write(BAD, "shape_overflow.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],'
                          b'"data_offsets":[0,48]}}', f32.tobytes()))
    write(BAD, "shape_negative.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F32","shape":[-3,4],"data_offsets":[0,48]}}', f32.tobytes()))
    write(BAD, "unknown_dtype.safetensors",
          raw_safetensors(b'{"w":{"dtype":"F8_E4M3","shape":[48],"data_offsets":[0,48]}}', f32.tobytes()))
    write(BAD, "huge_header_len.safetensors", struct.pack("<Q", 2 ** 63) + b"{}      ")
    # Another file named .safetensors (as /etc/passwd behind a shard link): its first 8 bytes
    # read as a header length are a huge number that must not be printed.
    write(BAD, "text_as_safetensors.safetensors", b"root:x:0:0:root:/root:/bin/bash\n")


# ---------------------------------------------------------------------------------------------
# .npy / .npz

def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=version)
    return buf.getvalue()


def valid_npy_npz():
    a = (np.arange(12, dtype="<f4").reshape(3, 4) - 5.5) / 4
    write(IO, "valid.npy", npy_bytes(a))
    write(IO, "valid_v2.npy", npy_bytes(a, version=(2, 0)))
    write(IO, "valid_f16_fortran_1d.npy", npy_bytes(np.asfortranarray(u16(F16_BITS).view("<f2"))))
    # fortran_order True for a 1-D array (numpy writes C order for it, so patch the header)
    raw = npy_bytes(np.arange(5, dtype="<i8"))
    raw = raw.replace(b"'fortran_order': False", b"'fortran_order': True ")
    write(IO, "valid_i8_fortran_1d.npy", raw)

    kernel = np.arange(2 * 2 * 1 * 3, dtype="<f4").reshape(2, 2, 1, 3)  # HWIO
    arrays = {
        "Transformer/encoder_norm/scale": np.array([1.0, 0.5, -0.25], dtype="<f4"),
        "embedding/kernel": kernel,
        "half": u16(F16_BITS).view("<f2"),
        "double": np.array(F64_VALUES[:3], dtype="<f8"),
        "steps": np.array([1, 2, 3], dtype="<i8"),
    }
    for name, saver in (("valid.npz", np.savez_compressed), ("valid_stored.npz", np.savez)):
        buf = io.BytesIO()
        saver(buf, **arrays)
        data = buf.getvalue()
        # plus an entry that is not an array, which loaders ignore
        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf, "a") as z:
            z.writestr("README.txt", "not an array")
        write(IO, name, buf.getvalue())


def patch_zip_sizes(data: bytes, new_size: int) -> bytes:
    """Sets the declared uncompressed size of every entry (local headers and central directory)."""
    b = bytearray(data)
    pos = 0
    while True:
        pos = b.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        struct.pack_into("<I", b, pos + 22, new_size)
        pos += 4
    pos = 0
    while True:
        pos = b.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        struct.pack_into("<I", b, pos + 24, new_size)
        pos += 4
    return bytes(b)


def bad_npy_npz():
    a = np.arange(12, dtype="<f4").reshape(3, 4)
    write(BAD, "npy_bad_magic.npy", b"\x93NUMPZ" + npy_bytes(a)[6:])
    write(BAD, "npy_big_endian.npy", npy_bytes(a.astype(">f4")))
    write(BAD, "npy_shape_mismatch.npy", npy_bytes(a)[:-8])
    write(BAD, "npy_fortran.npy", npy_bytes(np.asfortranarray(a)))
    # header of an object array (its payload would be a pickle; none is written)
    write(BAD, "npy_object.npy", npy_bytes(a).replace(b"'descr': '<f4'", b"'descr': '|O' "))
    write(BAD, "npy_bad_version.npy", b"\x93NUMPY\x09\x00" + npy_bytes(a)[8:])
    write(BAD, "npy_header_past_end.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'")
    write(BAD, "npy_not_dict.npy", npy_bytes(a).replace(b"{'descr'", b"['descr'"))

    # zip bomb: 1 MiB of zeros deflates to ~1 KiB; then the declared size is patched to ~4 GiB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.npy", bytes(1 << 20))
    write(BAD, "zip_bomb.npz", patch_zip_sizes(buf.getvalue(), 0xFFFFFFF0))

    # declared size larger than the real stream (within the ratio limit): the read ends early
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("w.npy", npy_bytes(a))
    real = len(npy_bytes(a))
    write(BAD, "npz_short_entry.npz", patch_zip_sizes(buf.getvalue(), real + 64))

    # CRC mismatch in a stored entry
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("w.npy", npy_bytes(a))
    b = bytearray(buf.getvalue())
    b[b.find(b"\x93NUMPY") + 128 + 4] ^= 0xFF  # a data byte
    write(BAD, "npz_crc.npz", bytes(b))

    # a member that is not a valid .npy
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("w.npy", b"definitely not numpy")
    write(BAD, "npz_bad_member.npz", buf.getvalue())

    buf = io.BytesIO()
    np.savez(buf, w=a, b=a[0])
    write(BAD, "npz_truncated.npz", buf.getvalue()[: len(buf.getvalue()) // 2])
    write(BAD, "not_a_zip.npz", b"this is a text file, not a zip archive\n")


# ---------------------------------------------------------------------------------------------
# IDX

def idx_images(count, rows, cols):
    pixels = (np.arange(count * rows * cols) * 7 % 256).astype(np.uint8)
    return struct.pack(">IIII", 0x803, count, rows, cols) + pixels.tobytes()


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def gz(data):
    # mtime=0 keeps the output deterministic
    return gzip.compress(data, mtime=0)


def idx_fixtures():
    images = idx_images(3, 4, 5)
    labels = idx_labels([7, 2, 1])
    write(IO, "images.idx", images)
    write(IO, "labels.idx", labels)
    write(IO, "images.idx.gz", gz(images))
    write(IO, "labels.idx.gz", gz(labels[:5]) + gz(labels[5:]))  # two gzip members
    write(BAD, "idx_truncated.idx", images[:-7])
    write(BAD, "idx_bad_magic.idx", struct.pack(">I", 0x804) + images[4:])
    write(BAD, "idx_labels_long.idx", labels + b"\x00")
    write(BAD, "idx_short_header.idx", images[:10])
    write(BAD, "gzip_truncated.idx.gz", gz(images)[:-12])
    write(BAD, "gzip_corrupt.idx.gz", gz(images)[:12] + b"\xff" * 8 + gz(images)[20:])
    write(BAD, "gzip_trailing.idx.gz", gz(images) + b"garbage")


# ---------------------------------------------------------------------------------------------
# pickles (only headers: nothing here can be unpickled into anything harmful)

def pickle_fixtures():
    write(BAD, "pickle_protocol2.dat", b"\x80\x02}q\x00.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("archive/version", b"3\n")
    write(BAD, "torch_zip_checkpoint.dat", buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/version", b"3\n")
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    write(BAD, "torch_zip_pkl_second.dat", buf.getvalue())


# ---------------------------------------------------------------------------------------------
# model checkpoints with tensors the loader does not use (tests/tst_model_loader.cpp)

def read_safetensors(path):
    """(entries as for safetensors_bytes, metadata) of a valid file, raw bytes kept as they are."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", None)
    body = data[8 + n:]
    entries = []
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = t["data_offsets"]
        entries.append((name, t["dtype"], t["shape"], body[begin:end]))
    return entries, metadata


def unknown_tensor_fixtures():
    """tests/data/models/hf_vit_cls plus qk-norm tensors (timm/HF qk_norm=True): the loader must
    refuse the file and name them rather than run a model without the norms."""
    src = os.path.join(ROOT, "tests", "data", "models", "hf_vit_cls")
    entries, metadata = read_safetensors(os.path.join(src, "model.safetensors"))
    width = json.load(open(os.path.join(src, "config.json")))["hidden_size"]
    heads = json.load(open(os.path.join(src, "config.json")))["num_attention_heads"]
    head_dim = width // heads
    for layer in range(2):
        for norm in ("q_norm", "k_norm"):
            for part, value in (("weight", 1.0), ("bias", 0.0)):
                raw = np.full(head_dim, value, dtype="<f4").tobytes()
                entries.append((f"vit.encoder.layer.{layer}.attention.attention.{norm}.{part}", "F32",
                                [head_dim], raw))
    out = os.path.join(BAD, "unknown_tensor")
    write(out, "model.safetensors", safetensors_bytes(entries, metadata))
    with open(os.path.join(src, "config.json"), "rb") as f:
        write(out, "config.json", f.read())


# ---------------------------------------------------------------------------------------------
# models with non-finite weights or inconsistent heads (tests/tst_model_loader.cpp)

def nonfinite_weight_fixtures():
    """tests/data/models/hf_vit_cls with NaN, +Inf and -Inf at indices 40, 41 and 100 of
    vit.encoder.layer.1.output.dense.weight: the loader must refuse it, naming the tensor."""
    src = os.path.join(ROOT, "tests", "data", "models", "hf_vit_cls")
    entries, metadata = read_safetensors(os.path.join(src, "model.safetensors"))
    name = "vit.encoder.layer.1.output.dense.weight"
    for i, (n, dtype, shape, raw) in enumerate(entries):
        if n == name:
            values = np.frombuffer(raw, dtype="<f4").copy()
            values[[40, 41, 100]] = [np.nan, np.inf, -np.inf]
            entries[i] = (n, dtype, shape, values.tobytes())
    out = os.path.join(BAD, "nonfinite_weight")
    write(out, "model.safetensors", safetensors_bytes(entries, metadata))
    with open(os.path.join(src, "config.json"), "rb") as f:
        write(out, "config.json", f.read())


def npz_heads_disagree_fixture():
    """tests/data/models/google_npz/model.npz with block 1 split into 4 heads of width 8 (block 0
    keeps 2 of width 16): vitscope runs one head count, so the loader must name block 1."""
    src = np.load(os.path.join(ROOT, "tests", "data", "models", "google_npz", "model.npz"))
    arrays = {k: src[k] for k in src.files}
    attn = "Transformer/encoderblock_1/MultiHeadDotProductAttention_1/"
    for part in ("query", "key", "value"):
        k = arrays[attn + part + "/kernel"]
        arrays[attn + part + "/kernel"] = k.reshape(k.shape[0], 4, -1)
        arrays[attn + part + "/bias"] = arrays[attn + part + "/bias"].reshape(4, -1)
    out = arrays[attn + "out/kernel"]
    arrays[attn + "out/kernel"] = out.reshape(4, -1, out.shape[-1])
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write(BAD, "npz_heads_disagree.npz", buf.getvalue())


def no_pos_embed_fixture():
    """tests/data/models/hf_vit_cls without its position table: valid, but every config value
    the loader divides by or sizes the trained grid from is then used without a table to check
    it against. tst_model_loader patches its config.json at run time (patch_size 0, ...)."""
    src = os.path.join(ROOT, "tests", "data", "models", "hf_vit_cls")
    entries, metadata = read_safetensors(os.path.join(src, "model.safetensors"))
    entries = [e for e in entries if e[0] != "vit.embeddings.position_embeddings"]
    out = os.path.join(BAD, "no_pos_embed")
    write(out, "model.safetensors", safetensors_bytes(entries, metadata))
    with open(os.path.join(src, "config.json"), "rb") as f:
        write(out, "config.json", f.read())


def many_classes_fixture():
    """tests/data/models/hf_vit_cls with a 1001-class head (rows 10.. zero, so the ranking is
    the original's): eval must keep only accuracy above 1000 classes, not a classes^2 matrix."""
    src = os.path.join(ROOT, "tests", "data", "models", "hf_vit_cls")
    entries, metadata = read_safetensors(os.path.join(src, "model.safetensors"))
    classes = 1001
    for i, (n, dtype, shape, raw) in enumerate(entries):
        if n in ("classifier.weight", "classifier.bias"):
            values = np.frombuffer(raw, dtype="<f4").reshape(shape)
            grown = np.zeros([classes] + list(shape[1:]), dtype="<f4")
            grown[: shape[0]] = values
            grown[shape[0]:] = -100.0 if n == "classifier.bias" else 0.0
            entries[i] = (n, dtype, list(grown.shape), grown.tobytes())
    config = json.load(open(os.path.join(src, "config.json")))
    config.pop("id2label")
    config.pop("label2id")
    out = os.path.join(BAD, "many_classes")
    write(out, "model.safetensors", safetensors_bytes(entries, metadata))
    write(out, "config.json", (json.dumps(config, indent=2) + "\n").encode())


def input_npy_fixtures():
    """--input-npy tensors for a 3-channel, patch-8 model (tests/data/models/hf_vit_cls) that
    the CLI must refuse with exit code 2 (tests/tst_cli.cpp)."""
    shape = (3, 8, 8)
    write(BAD, "input_int64.npy", npy_bytes(np.zeros(shape, dtype="<i8")))
    write(BAD, "input_rank2.npy", npy_bytes(np.zeros((8, 8), dtype="<f4")))
    nan = np.zeros(shape, dtype="<f4")
    nan[1, 2, 3] = np.nan
    nan[2, 0, 0] = np.inf
    write(BAD, "input_nan.npy", npy_bytes(nan))
    write(BAD, "input_f64_overflow.npy", npy_bytes(np.full(shape, 1e300, dtype="<f8")))
    write(BAD, "input_overflowing.npy", npy_bytes(np.full(shape, 3e38, dtype="<f4")))


if __name__ == "__main__":
    valid_safetensors()
    sharded()
    bad_safetensors()
    valid_npy_npz()
    bad_npy_npz()
    idx_fixtures()
    pickle_fixtures()
    unknown_tensor_fixtures()
    nonfinite_weight_fixtures()
    npz_heads_disagree_fixture()
    no_pos_embed_fixture()
    many_classes_fixture()
    input_npy_fixtures()
    print("fixtures written to", os.path.abspath(IO), "and", os.path.abspath(BAD))
