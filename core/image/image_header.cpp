#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "core/image/byte_reader.h"
#include "core/image/image_io.h"

namespace vitscope::core {

namespace detail {
namespace {

std::optional<ImageHeaderInfo> sniffPng(const ByteReader& r) {
    // Signature (8), chunk length (4), "IHDR", width (4, BE), height (4, BE).
    uint32_t w = 0;
    uint32_t h = 0;
    if (!r.startsWith(12, "IHDR") || !r.u32be(16, w) || !r.u32be(20, h)) {
        return std::nullopt;
    }
    return ImageHeaderInfo{"PNG", w, h};
}

bool isJpegSof(uint8_t marker) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<ImageHeaderInfo> sniffJpeg(const ByteReader& r) {
    std::optional<ImageHeaderInfo> info;
    walkJpegSegments(r, [&](uint8_t marker, size_t payload, size_t size) {
        if (!isJpegSof(marker)) {
            return false;
        }
        // Precision (1), height (2), width (2). A zero height means "defined by a DNL marker
        // later", which we cannot know here, so the size stays unknown.
        uint32_t h = 0;
        uint32_t w = 0;
        if (size >= 5 && r.u16be(payload + 1, h) && r.u16be(payload + 3, w) && h != 0) {
            info = ImageHeaderInfo{"JPEG", w, h};
        }
        return true;
    });
    return info;
}

std::optional<ImageHeaderInfo> sniffBmp(const ByteReader& r) {
    uint32_t dibSize = 0;
    if (!r.u32le(14, dibSize)) {
        return std::nullopt;
    }
    if (dibSize == 12) {  // BITMAPCOREHEADER: 16-bit unsigned sizes
        uint32_t w = 0;
        uint32_t h = 0;
        if (!r.u16le(18, w) || !r.u16le(20, h)) {
            return std::nullopt;
        }
        return ImageHeaderInfo{"BMP", w, h};
    }
    uint32_t w = 0;
    uint32_t h = 0;
    if (dibSize < 40 || !r.u32le(18, w) || !r.u32le(22, h)) {
        // An unknown DIB header size: report it as an invalid size so the caller refuses it.
        return ImageHeaderInfo{"BMP", -1, -1};
    }
    // Signed 32-bit; a negative height means top-down rows, a negative width is invalid.
    const auto sw = static_cast<int64_t>(static_cast<int32_t>(w));
    const auto sh = static_cast<int64_t>(static_cast<int32_t>(h));
    return ImageHeaderInfo{"BMP", sw, sh < 0 ? -sh : sh};
}

std::optional<ImageHeaderInfo> sniffGif(const ByteReader& r) {
    uint32_t w = 0;
    uint32_t h = 0;
    if (!r.u16le(6, w) || !r.u16le(8, h)) {
        return std::nullopt;
    }
    return ImageHeaderInfo{"GIF", w, h};
}

std::optional<ImageHeaderInfo> sniffWebp(const ByteReader& r) {
    // "RIFF" size "WEBP", then the first chunk's FourCC at 12 and its data at 20.
    if (r.startsWith(12, "VP8 ")) {
        // Frame tag (3), start code 9D 01 2A, then 14-bit width and height (LE, 2 scale bits).
        uint32_t w = 0;
        uint32_t h = 0;
        if (!r.has(23, 3) || r.u8(23) != 0x9D || r.u8(24) != 0x01 || r.u8(25) != 0x2A ||
            !r.u16le(26, w) || !r.u16le(28, h)) {
            return std::nullopt;
        }
        return ImageHeaderInfo{"WebP", w & 0x3FFF, h & 0x3FFF};
    }
    if (r.startsWith(12, "VP8L")) {
        // Signature 0x2F, then 14 bits width-1 and 14 bits height-1, little-endian bit order.
        uint32_t bits = 0;
        if (!r.has(20, 1) || r.u8(20) != 0x2F || !r.u32le(21, bits)) {
            return std::nullopt;
        }
        return ImageHeaderInfo{"WebP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    if (r.startsWith(12, "VP8X")) {
        // Flags (4), then 24-bit canvas width-1 and height-1.
        if (!r.has(24, 6)) {
            return std::nullopt;
        }
        const int64_t w =
            (int64_t{r.u8(24)} | (int64_t{r.u8(25)} << 8) | (int64_t{r.u8(26)} << 16)) + 1;
        const int64_t h =
            (int64_t{r.u8(27)} | (int64_t{r.u8(28)} << 8) | (int64_t{r.u8(29)} << 16)) + 1;
        return ImageHeaderInfo{"WebP", w, h};
    }
    return std::nullopt;
}

/// A TIFF ImageWidth/ImageLength value of any integer type libtiff accepts for them (BYTE,
/// SHORT, LONG, their signed forms, BigTIFF's LONG8/SLONG8), read from the entry's value field.
/// Signed values keep their sign (a negative size is refused); 64-bit ones saturate at 2^40.
std::optional<int64_t> tiffSizeValue(const ByteReader& r, size_t field, uint32_t type,
                                     bool bigEndian) {
    uint32_t v = 0;
    uint64_t v64 = 0;
    switch (type) {
        case 1:  // BYTE
        case 6:  // SBYTE
            if (!r.has(field, 1)) {
                return std::nullopt;
            }
            return type == 1 ? int64_t{r.u8(field)} : int64_t{static_cast<int8_t>(r.u8(field))};
        case 3:  // SHORT
        case 8:  // SSHORT
            if (!r.u16(field, bigEndian, v)) {
                return std::nullopt;
            }
            return type == 3 ? int64_t{v} : int64_t{static_cast<int16_t>(v)};
        case 4:  // LONG
        case 9:  // SLONG
            if (!r.u32(field, bigEndian, v)) {
                return std::nullopt;
            }
            return type == 4 ? int64_t{v} : int64_t{static_cast<int32_t>(v)};
        case 16:  // LONG8
        case 17:  // SLONG8
            if (!r.u64(field, bigEndian, v64)) {
                return std::nullopt;
            }
            if (type == 17 && static_cast<int64_t>(v64) < 0) {
                return -1;
            }
            return static_cast<int64_t>(std::min<uint64_t>(v64, uint64_t{1} << 40));
        default:
            return std::nullopt;  // libtiff refuses other types for these tags as well
    }
}

/// Keeps the largest of the sizes claimed for one side, or an invalid (<= 0) one if any is.
void mergeTiffSide(std::optional<int64_t>& side, int64_t value) {
    if (!side) {
        side = value;
    } else if (*side <= 0 || value <= 0) {
        side = std::min(*side, value);
    } else {
        side = std::max(*side, value);
    }
}

/// Walks every IFD (page) of a TIFF or BigTIFF and takes the largest width and height any
/// ImageWidth/ImageLength entry claims: a later page or a duplicate tag must not hide a huge
/// size from the check. The walk is bounded (IFD count, total entries, loop detection); a file
/// that exceeds a bound, loops, or has an unreadable size entry gives nullopt (refused).
std::optional<ImageHeaderInfo> sniffTiff(const ByteReader& r) {
    const bool bigEndian = r.u8(0) == 'M';
    uint32_t magic = 0;
    uint32_t word = 0;
    if (!r.u16(2, bigEndian, magic)) {
        return std::nullopt;
    }
    const bool big = magic == 43;
    uint64_t ifd = 0;
    if (big) {
        // BigTIFF: offset size 8 (u16), zero (u16), first IFD offset (u64).
        if (!r.u16(4, bigEndian, word) || word != 8 || !r.u16(6, bigEndian, word) || word != 0 ||
            !r.u64(8, bigEndian, ifd)) {
            return std::nullopt;
        }
    } else if (!r.u32(4, bigEndian, word)) {
        return std::nullopt;
    } else {
        ifd = word;
    }
    const size_t countBytes = big ? 8 : 2;
    const size_t entryBytes = big ? 20 : 12;
    const size_t valueAt = big ? 12 : 8;
    std::optional<int64_t> width;
    std::optional<int64_t> height;
    int64_t entriesLeft = kMaxTiffEntriesTotal;
    std::vector<uint64_t> seen;
    while (ifd != 0) {
        if (static_cast<int>(seen.size()) == kMaxTiffIfds ||
            std::find(seen.begin(), seen.end(), ifd) != seen.end() || ifd >= r.size()) {
            return std::nullopt;  // too many pages, an IFD loop, or an offset past the end
        }
        seen.push_back(ifd);
        uint64_t count = 0;
        if (big ? !r.u64(ifd, bigEndian, count) : !r.u16(ifd, bigEndian, word)) {
            return std::nullopt;
        }
        count = big ? count : word;
        const size_t first = static_cast<size_t>(ifd) + countBytes;
        if (static_cast<int64_t>(std::min<uint64_t>(count, INT64_MAX)) > entriesLeft ||
            !r.has(first, static_cast<size_t>(count) * entryBytes)) {
            return std::nullopt;
        }
        entriesLeft -= static_cast<int64_t>(count);
        for (size_t i = 0; i < count; ++i) {
            const size_t entry = first + i * entryBytes;
            uint32_t tag = 0;
            uint32_t type = 0;
            if (!r.u16(entry, bigEndian, tag) || !r.u16(entry + 2, bigEndian, type)) {
                return std::nullopt;
            }
            if (tag == 256 || tag == 257) {
                const auto value = tiffSizeValue(r, entry + valueAt, type, bigEndian);
                if (!value) {
                    return std::nullopt;
                }
                mergeTiffSide(tag == 256 ? width : height, *value);
            }
        }
        // A next-IFD offset cut off by the end of the file ends the chain, as in libtiff.
        const size_t next = first + static_cast<size_t>(count) * entryBytes;
        uint64_t nextIfd = 0;
        if (big ? !r.u64(next, bigEndian, nextIfd) : !r.u32(next, bigEndian, word)) {
            nextIfd = 0;
        } else if (!big) {
            nextIfd = word;
        }
        ifd = nextIfd;
    }
    if (!width || !height) {
        return std::nullopt;
    }
    return ImageHeaderInfo{"TIFF", *width, *height};
}

/// A decimal header number, saturated at 2^40 so that absurd values still compare as huge.
std::optional<int64_t> pnmNumber(const std::string& token) {
    if (token.empty()) {
        return std::nullopt;
    }
    int64_t value = 0;
    for (char c : token) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = std::min<int64_t>(value * 10 + (c - '0'), int64_t{1} << 40);
    }
    return value;
}

std::optional<ImageHeaderInfo> sniffPnm(const ByteReader& r) {
    const size_t end = std::min(r.size(), kMaxPnmHeaderBytes);
    size_t pos = 2;
    std::string token;
    if (r.u8(1) == '7') {
        // PAM: "WIDTH n" / "HEIGHT n" lines up to ENDHDR.
        std::optional<int64_t> width;
        std::optional<int64_t> height;
        while (pnmToken(r, pos, end, token) && token != "ENDHDR") {
            std::string value;
            // A repeated WIDTH or HEIGHT line: keep the largest, whichever the decoder uses.
            if ((token == "WIDTH" || token == "HEIGHT") && pnmToken(r, pos, end, value)) {
                auto& side = token == "WIDTH" ? width : height;
                const auto number = pnmNumber(value);
                if (!number) {
                    return std::nullopt;
                }
                side = std::max(side.value_or(0), *number);
            }
        }
        if (!width || !height) {
            return std::nullopt;
        }
        return ImageHeaderInfo{"PNM", *width, *height};
    }
    std::string heightToken;
    if (!pnmToken(r, pos, end, token) || !pnmToken(r, pos, end, heightToken)) {
        return std::nullopt;
    }
    const auto width = pnmNumber(token);
    const auto height = pnmNumber(heightToken);
    if (!width || !height) {
        return std::nullopt;
    }
    return ImageHeaderInfo{"PNM", *width, *height};
}

}  // namespace
}  // namespace detail

const char* sniffImageFormat(std::span<const std::byte> bytes) {
    const detail::ByteReader r(bytes);
    if (r.startsWith(0, "\x89PNG\r\n\x1a\n")) {
        return "PNG";
    }
    if (r.has(0, 3) && r.u8(0) == 0xFF && r.u8(1) == 0xD8 && r.u8(2) == 0xFF) {
        return "JPEG";
    }
    if (r.startsWith(0, "BM")) {
        return "BMP";
    }
    if (r.startsWith(0, "GIF87a") || r.startsWith(0, "GIF89a")) {
        return "GIF";
    }
    if (r.startsWith(0, "RIFF") && r.startsWith(8, "WEBP")) {
        return "WebP";
    }
    for (const char* magic : {"II*", "MM\0*", "II+", "MM\0+"}) {  // TIFF, BigTIFF
        if (r.startsWith(0, std::string_view(magic, 4))) {
            return "TIFF";
        }
    }
    if (r.has(0, 3) && r.u8(0) == 'P' && r.u8(1) >= '1' && r.u8(1) <= '7' &&
        std::isspace(r.u8(2))) {
        return "PNM";
    }
    return nullptr;
}

std::optional<ImageHeaderInfo> sniffImageHeader(std::span<const std::byte> bytes) {
    const char* format = sniffImageFormat(bytes);
    if (format == nullptr) {
        return std::nullopt;
    }
    const detail::ByteReader r(bytes);
    const std::string_view f(format);
    return f == "PNG"    ? detail::sniffPng(r)
           : f == "JPEG" ? detail::sniffJpeg(r)
           : f == "BMP"  ? detail::sniffBmp(r)
           : f == "GIF"  ? detail::sniffGif(r)
           : f == "WebP" ? detail::sniffWebp(r)
           : f == "TIFF" ? detail::sniffTiff(r)
                         : detail::sniffPnm(r);
}

}  // namespace vitscope::core
