#pragma once
/// Internals shared by the header sniffer (image_header.cpp), the EXIF orientation reader
/// (exif_orientation.cpp) and the decoders (image_io.cpp, decoders.cpp). Not part of the public
/// API.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vitscope::core::detail {

/// Bounds-checked reads from a byte span; every accessor returns false instead of reading past
/// the end, so the header parsers that use it are safe on any input.
class ByteReader {
public:
    explicit ByteReader(std::span<const std::byte> bytes) : mBytes(bytes) {}

    size_t size() const { return mBytes.size(); }
    bool has(size_t offset, size_t count) const {
        return offset <= mBytes.size() && count <= mBytes.size() - offset;
    }
    uint8_t u8(size_t offset) const { return static_cast<uint8_t>(mBytes[offset]); }
    bool u16be(size_t offset, uint32_t& out) const {
        if (!has(offset, 2)) {
            return false;
        }
        out = (uint32_t{u8(offset)} << 8) | u8(offset + 1);
        return true;
    }
    bool u16le(size_t offset, uint32_t& out) const {
        if (!has(offset, 2)) {
            return false;
        }
        out = (uint32_t{u8(offset + 1)} << 8) | u8(offset);
        return true;
    }
    bool u32be(size_t offset, uint32_t& out) const {
        if (!has(offset, 4)) {
            return false;
        }
        out = (uint32_t{u8(offset)} << 24) | (uint32_t{u8(offset + 1)} << 16) |
              (uint32_t{u8(offset + 2)} << 8) | u8(offset + 3);
        return true;
    }
    bool u32le(size_t offset, uint32_t& out) const {
        if (!has(offset, 4)) {
            return false;
        }
        out = (uint32_t{u8(offset + 3)} << 24) | (uint32_t{u8(offset + 2)} << 16) |
              (uint32_t{u8(offset + 1)} << 8) | u8(offset);
        return true;
    }
    bool u64(size_t offset, bool bigEndian, uint64_t& out) const {
        if (!has(offset, 8)) {
            return false;
        }
        out = 0;
        for (size_t i = 0; i < 8; ++i) {
            out = (out << 8) | u8(offset + (bigEndian ? i : 7 - i));
        }
        return true;
    }
    bool u16(size_t offset, bool bigEndian, uint32_t& out) const {
        return bigEndian ? u16be(offset, out) : u16le(offset, out);
    }
    bool u32(size_t offset, bool bigEndian, uint32_t& out) const {
        return bigEndian ? u32be(offset, out) : u32le(offset, out);
    }
    bool startsWith(size_t offset, std::string_view text) const {
        if (!has(offset, text.size())) {
            return false;
        }
        for (size_t i = 0; i < text.size(); ++i) {
            if (u8(offset + i) != static_cast<uint8_t>(text[i])) {
                return false;
            }
        }
        return true;
    }

private:
    std::span<const std::byte> mBytes;
};

// Upper bounds on the header scans: a hostile file cannot make them loop for long. The JPEG
// marker walk needs none: every step moves forward, so the file size bounds it.
inline constexpr int kMaxTiffEntries = 4096;  // EXIF IFD0 entries read for the orientation
inline constexpr int kMaxTiffIfds = 4096;     // pages (IFDs) the size check walks
inline constexpr int64_t kMaxTiffEntriesTotal = 1 << 20;  // entries over all those IFDs
inline constexpr int kMaxPngChunks = 1 << 20;  // >= 12 bytes each; real files have a few per MB
inline constexpr int kMaxRiffChunks = 4096;
inline constexpr size_t kMaxPnmHeaderBytes = 4096;

/// Walks the JPEG marker segments from SOI, calling `visit(marker, payloadOffset, payloadSize)`
/// for each segment with a length field, until SOS/EOI, the end of data, or `visit` returns true.
/// There is no segment count limit (a JPEG may hold any number of APPn/COM segments before its
/// frame header): each step advances by at least two bytes, so the walk ends within the data.
template <typename Visit>
void walkJpegSegments(const ByteReader& r, Visit&& visit) {
    size_t pos = 2;
    while (true) {
        if (!r.has(pos, 2) || r.u8(pos) != 0xFF) {
            return;
        }
        while (r.has(pos + 1, 1) && r.u8(pos + 1) == 0xFF) {  // fill bytes
            ++pos;
        }
        if (!r.has(pos + 1, 1)) {
            return;
        }
        const uint8_t marker = r.u8(pos + 1);
        pos += 2;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            continue;  // standalone markers: TEM, RSTn, SOI
        }
        if (marker == 0xD9 || marker == 0xDA) {
            return;  // EOI, SOS: the header is over
        }
        uint32_t length = 0;
        if (!r.u16be(pos, length) || length < 2 || !r.has(pos, length)) {
            return;
        }
        if (visit(marker, pos + 2, size_t{length} - 2)) {
            return;
        }
        pos += length;
    }
}

/// Reads the next PNM / PAM header or plain-raster token from [pos, end): skips whitespace and
/// '#' comments, then takes the run of other bytes. Only its first kMaxPnmToken bytes are kept
/// (no valid token is longer), so a long run never grows the string; false at the end.
constexpr size_t kMaxPnmToken = 32;
inline bool pnmToken(const ByteReader& r, size_t& pos, size_t end, std::string& token) {
    token.clear();
    end = std::min(end, r.size());
    while (pos < end) {
        const char c = static_cast<char>(r.u8(pos));
        if (c == '#') {
            while (pos < end && r.u8(pos) != '\n' && r.u8(pos) != '\r') {
                ++pos;
            }
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            ++pos;
        } else {
            break;
        }
    }
    while (pos < end && !std::isspace(r.u8(pos)) && r.u8(pos) != '#') {
        if (token.size() < kMaxPnmToken) {
            token.push_back(static_cast<char>(r.u8(pos)));
        }
        ++pos;
    }
    return !token.empty();
}

}  // namespace vitscope::core::detail
