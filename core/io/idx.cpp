#include "core/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "core/io/file_util.h"

namespace vitscope::core {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr size_t kMaxIdxBytes = size_t{1} << 30;
constexpr size_t kMaxGzipRatio = 2000;

Error bad(std::string_view label, const std::string& message) {
    return makeError(ErrorCode::BadData, std::string(label) + ": " + message);
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", v);
    return buf;
}

/// Reads the magic and `dims` sizes; checks each fits an int.
Status readIdxHeader(std::span<const std::byte> b, std::string_view label, uint32_t magic,
                     const char* what, std::vector<uint32_t>& sizes) {
    const size_t headerBytes = 4 + 4 * sizes.size();
    // The magic first: a labels file given as images should say so, not "too short".
    if (b.size() >= 4 && detail::loadBe32(b.data()) != magic) {
        return bad(label, std::string("bad magic ") + hex32(detail::loadBe32(b.data())) +
                              ", expected " + hex32(magic) + " (IDX " + what + ")");
    }
    if (b.size() < headerBytes) {
        return bad(label, std::string("file is ") + std::to_string(b.size()) +
                              " bytes, too short for an IDX " + what + " header (" +
                              std::to_string(headerBytes) + " bytes)");
    }
    for (size_t i = 0; i < sizes.size(); ++i) {
        sizes[i] = detail::loadBe32(b.data() + 4 + 4 * i);
        if (sizes[i] > static_cast<uint32_t>(INT_MAX)) {
            return bad(label, "dimension " + std::to_string(i) + " is " + std::to_string(sizes[i]) +
                                  ", more than INT_MAX");
        }
    }
    return Ok{};
}

bool isGzip(std::span<const std::byte> b) {
    return b.size() >= 2 && b[0] == std::byte{0x1f} && b[1] == std::byte{0x8b};
}

Result<std::vector<std::byte>> readMaybeGzipped(const std::string& path) {
    auto raw = readFile(path, kMaxIdxBytes);
    if (!raw) {
        return raw.error();
    }
    if (!isGzip(*raw)) {
        return raw;
    }
    const size_t cap =
        raw->size() > kMaxIdxBytes / kMaxGzipRatio ? kMaxIdxBytes : raw->size() * kMaxGzipRatio;
    return gunzipBuffer(*raw, fileLabel(path), cap);
}

}  // namespace

Result<std::vector<std::byte>> gunzipBuffer(std::span<const std::byte> compressed,
                                            std::string_view label, size_t maxBytes) {
    maxBytes = std::min(maxBytes, SIZE_MAX - 1);  // maxBytes + 1 is used below
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {  // gzip wrapper only
        return bad(label, "cannot initialise zlib");
    }
    struct Ender {
        z_stream* zs;
        ~Ender() { inflateEnd(zs); }
    } ender{&zs};

    std::vector<std::byte> out;
    const std::byte* in = compressed.data();
    size_t inLeft = compressed.size();
    constexpr size_t kChunk = size_t{1} << 20;
    for (;;) {
        // Feed at most UINT_MAX at a time (avail_in is an unsigned int).
        if (zs.avail_in == 0 && inLeft > 0) {
            const size_t feed = std::min<size_t>(inLeft, UINT_MAX);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in));
            zs.avail_in = static_cast<uInt>(feed);
            in += feed;
            inLeft -= feed;
        }
        if (out.size() >= maxBytes + 1) {
            return bad(label, "gzip data decompresses to more than " + std::to_string(maxBytes) +
                                  " bytes (the limit for a " + std::to_string(compressed.size()) +
                                  "-byte file)");
        }
        const size_t room = std::min(kChunk, maxBytes + 1 - out.size());
        const size_t old = out.size();
        out.resize(old + room);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + old);
        zs.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        out.resize(old + (room - zs.avail_out));
        if (rc == Z_STREAM_END) {
            const size_t rest = zs.avail_in + inLeft;
            if (rest == 0) {
                break;
            }
            // Another gzip member follows (as `cat a.gz b.gz` makes), or trailing garbage.
            const std::byte* next = reinterpret_cast<const std::byte*>(zs.next_in);
            if (zs.avail_in < 2 || !isGzip({next, 2})) {
                return bad(label, std::to_string(rest) +
                                      " bytes of trailing garbage after the gzip stream");
            }
            inflateReset(&zs);
            continue;
        }
        // Z_BUF_ERROR means no progress was possible: with output room always available,
        // that is input that ended mid-stream.
        if (rc == Z_BUF_ERROR) {
            return bad(label, "gzip stream is truncated (ends after " +
                                  std::to_string(compressed.size()) + " compressed bytes)");
        }
        if (rc != Z_OK) {
            return bad(label, std::string("corrupt gzip data: ") +
                                  (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)));
        }
        if (rc == Z_OK && zs.avail_in == 0 && inLeft == 0 && zs.avail_out != 0) {
            return bad(label, "gzip stream is truncated (ends after " +
                                  std::to_string(compressed.size()) + " compressed bytes)");
        }
    }
    if (out.size() > maxBytes) {
        return bad(label,
                   "gzip data decompresses to more than " + std::to_string(maxBytes) + " bytes");
    }
    return out;
}

Result<IdxImages> parseIdxImages(std::span<const std::byte> bytes, std::string_view label) {
    std::vector<uint32_t> sizes(3);
    if (auto st = readIdxHeader(bytes, label, kImagesMagic, "images", sizes); !st) {
        return st.error();
    }
    uint64_t need = 0;
    // Each size < 2^31, so the product of three fits in 64 bits only if checked.
    if (!detail::checkedMul(sizes[0], sizes[1], need) ||
        !detail::checkedMul(need, sizes[2], need)) {
        return bad(label, "image dimensions overflow");
    }
    const uint64_t have = bytes.size() - 16;
    if (have != need) {
        return bad(label, "pixel data holds " + std::to_string(have) + " bytes, " +
                              std::to_string(sizes[0]) + " images of " + std::to_string(sizes[1]) +
                              "x" + std::to_string(sizes[2]) + " need " + std::to_string(need) +
                              (have < need ? " (truncated)" : ""));
    }
    IdxImages images;
    images.count = static_cast<int>(sizes[0]);
    images.rows = static_cast<int>(sizes[1]);
    images.cols = static_cast<int>(sizes[2]);
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + 16);
    images.pixels.assign(p, p + need);
    return images;
}

Result<IdxLabels> parseIdxLabels(std::span<const std::byte> bytes, std::string_view label) {
    std::vector<uint32_t> sizes(1);
    if (auto st = readIdxHeader(bytes, label, kLabelsMagic, "labels", sizes); !st) {
        return st.error();
    }
    const uint64_t have = bytes.size() - 8;
    if (have != sizes[0]) {
        return bad(label, "label data holds " + std::to_string(have) + " bytes, " +
                              std::to_string(sizes[0]) + " labels need " +
                              std::to_string(sizes[0]) + (have < sizes[0] ? " (truncated)" : ""));
    }
    IdxLabels labels;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + 8);
    labels.labels.assign(p, p + sizes[0]);
    return labels;
}

Result<IdxImages> loadIdxImages(const std::string& path) {
    auto bytes = readMaybeGzipped(path);
    if (!bytes) {
        return bytes.error();
    }
    return parseIdxImages(*bytes, fileLabel(path));
}

Result<IdxLabels> loadIdxLabels(const std::string& path) {
    auto bytes = readMaybeGzipped(path);
    if (!bytes) {
        return bytes.error();
    }
    return parseIdxLabels(*bytes, fileLabel(path));
}

}  // namespace vitscope::core
