#include <algorithm>

#include "core/image/byte_reader.h"
#include "core/image/image_io.h"

namespace vitscope::core {

namespace detail {
namespace {

/// The Orientation tag (0x0112) of IFD0 of a TIFF structure, 1..8, or 1 when there is none or it
/// cannot be read. SHORT and LONG values are both accepted, as Pillow accepts them.
int tiffOrientation(const ByteReader& tiff) {
    const bool bigEndian = tiff.startsWith(0, "MM");
    uint32_t magic = 0;
    if ((!bigEndian && !tiff.startsWith(0, "II")) || !tiff.u16(2, bigEndian, magic) ||
        magic != 42) {
        return 1;
    }
    uint32_t ifd = 0;
    uint32_t count = 0;
    if (!tiff.u32(4, bigEndian, ifd) || !tiff.u16(ifd, bigEndian, count)) {
        return 1;
    }
    for (uint32_t i = 0; i < std::min<uint32_t>(count, kMaxTiffEntries); ++i) {
        const size_t entry = size_t{ifd} + 2 + size_t{i} * 12;
        uint32_t tag = 0;
        uint32_t type = 0;
        if (!tiff.u16(entry, bigEndian, tag) || !tiff.u16(entry + 2, bigEndian, type)) {
            return 1;
        }
        if (tag != 0x0112) {
            continue;
        }
        uint32_t value = 0;
        const bool read = type == 3   ? tiff.u16(entry + 8, bigEndian, value)
                          : type == 4 ? tiff.u32(entry + 8, bigEndian, value)
                                      : false;
        return read && value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
    return 1;
}

/// An EXIF block: a TIFF structure, after JPEG's "Exif\0\0" header when there is one (some PNG
/// and WebP writers copy it from JPEG). Offsets inside stay relative to the block.
int exifBlockOrientation(std::span<const std::byte> block) {
    if (ByteReader(block).startsWith(0, std::string_view("Exif\0\0", 6))) {
        block = block.subspan(6);
    }
    return tiffOrientation(ByteReader(block));
}

/// JPEG: the first APP1 segment that starts with "Exif\0\0".
int jpegOrientation(std::span<const std::byte> bytes) {
    const ByteReader r(bytes);
    int orientation = 1;
    walkJpegSegments(r, [&](uint8_t marker, size_t payload, size_t size) {
        if (marker != 0xE1 || !r.startsWith(payload, std::string_view("Exif\0\0", 6))) {
            return false;
        }
        orientation = exifBlockOrientation(bytes.subspan(payload, size));
        return true;  // only the first Exif segment counts
    });
    return orientation;
}

/// PNG: the eXIf chunk. Pillow reads eXIf chunks before and after IDAT and the last one wins, so
/// the walk goes on to IEND. Chunk CRCs are not checked here; the decoder checks them.
int pngOrientation(std::span<const std::byte> bytes) {
    const ByteReader r(bytes);
    int orientation = 1;
    size_t pos = 8;  // after the signature
    for (int chunk = 0; chunk < kMaxPngChunks; ++chunk) {
        // Length (4, BE), type (4), data (length), CRC (4).
        uint32_t length = 0;
        if (!r.u32be(pos, length) || !r.has(pos + 8, length) || r.startsWith(pos + 4, "IEND")) {
            break;
        }
        if (r.startsWith(pos + 4, "eXIf")) {
            orientation = exifBlockOrientation(bytes.subspan(pos + 8, length));
        }
        pos += size_t{12} + length;
    }
    return orientation;
}

/// WebP: the EXIF chunk of an extended file (VP8X) that sets the EXIF flag. libwebp's demuxer,
/// which Pillow uses, ignores EXIF chunks otherwise and takes the first one.
int webpOrientation(std::span<const std::byte> bytes) {
    const ByteReader r(bytes);
    constexpr uint8_t kExifFlag = 0x08;
    uint32_t riffSize = 0;
    if (!r.startsWith(12, "VP8X") || !r.has(20, 1) || (r.u8(20) & kExifFlag) == 0 ||
        !r.u32le(4, riffSize)) {
        return 1;
    }
    const size_t end = std::min(r.size(), size_t{riffSize} + 8);  // chunks end with the RIFF
    size_t pos = 12;
    for (int chunk = 0; chunk < kMaxRiffChunks; ++chunk) {
        // FourCC (4), size (4, LE), data (size), a pad byte when size is odd.
        uint32_t size = 0;
        if (pos + 8 > end || !r.u32le(pos + 4, size) || size > end - (pos + 8)) {
            break;
        }
        if (r.startsWith(pos, "EXIF")) {
            return exifBlockOrientation(bytes.subspan(pos + 8, size));
        }
        pos += size_t{8} + size + (size & 1);
    }
    return 1;
}

}  // namespace
}  // namespace detail

int exifOrientation(std::span<const std::byte> bytes) {
    const detail::ByteReader r(bytes);
    if (r.has(0, 2) && r.u8(0) == 0xFF && r.u8(1) == 0xD8) {
        return detail::jpegOrientation(bytes);
    }
    if (r.startsWith(0, "\x89PNG\r\n\x1a\n")) {
        return detail::pngOrientation(bytes);
    }
    if (r.startsWith(0, "RIFF") && r.startsWith(8, "WEBP")) {
        return detail::webpOrientation(bytes);
    }
    // TIFF: its decoder (decoders.cpp) applies the file's own Orientation tag.
    return 1;
}

}  // namespace vitscope::core
