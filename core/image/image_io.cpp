#include "core/image/image_io.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace vitscope::core {

namespace detail {
namespace {

/// Bounds-checked reads from a byte span; every accessor returns false instead of reading past
/// the end, so the header parsers below are safe on any input.
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

// Upper bounds on the header scans: a hostile file cannot make them loop for long.
constexpr int kMaxJpegSegments = 4096;
constexpr int kMaxTiffEntries = 4096;
constexpr int kMaxPngChunks = 1 << 20;  // >= 12 bytes each; real files have a few per MB
constexpr int kMaxRiffChunks = 4096;
constexpr size_t kMaxPnmHeaderBytes = 4096;

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

/// Walks the JPEG marker segments from SOI, calling `visit(marker, payloadOffset, payloadSize)`
/// for each segment with a length field, until SOS/EOI, the end of data, or `visit` returns true.
template <typename Visit>
void walkJpegSegments(const ByteReader& r, Visit&& visit) {
    size_t pos = 2;
    for (int segment = 0; segment < kMaxJpegSegments; ++segment) {
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

std::optional<ImageHeaderInfo> sniffTiff(const ByteReader& r) {
    const bool bigEndian = r.u8(0) == 'M';
    uint32_t ifd = 0;
    uint32_t count = 0;
    if (!r.u32(4, bigEndian, ifd) || !r.u16(ifd, bigEndian, count)) {
        return std::nullopt;
    }
    int64_t width = -1;
    int64_t height = -1;
    const uint32_t entries = std::min<uint32_t>(count, kMaxTiffEntries);
    for (uint32_t i = 0; i < entries; ++i) {
        const size_t entry = size_t{ifd} + 2 + size_t{i} * 12;
        uint32_t tag = 0;
        uint32_t type = 0;
        if (!r.u16(entry, bigEndian, tag) || !r.u16(entry + 2, bigEndian, type)) {
            break;
        }
        if (tag != 256 && tag != 257) {
            continue;
        }
        uint32_t value = 0;
        if (type == 3) {  // SHORT, left-justified in the value field
            if (!r.u16(entry + 8, bigEndian, value)) {
                break;
            }
        } else if (type == 4) {  // LONG
            if (!r.u32(entry + 8, bigEndian, value)) {
                break;
            }
        } else {
            continue;
        }
        (tag == 256 ? width : height) = value;
    }
    if (width < 0 || height < 0) {
        return std::nullopt;
    }
    return ImageHeaderInfo{"TIFF", width, height};
}

/// Reads the next PNM header token, skipping whitespace and '#' comments.
bool pnmToken(const ByteReader& r, size_t& pos, size_t end, std::string& token) {
    token.clear();
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
        token.push_back(static_cast<char>(r.u8(pos++)));
    }
    return !token.empty();
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
            if (token == "WIDTH" && pnmToken(r, pos, end, value)) {
                width = pnmNumber(value);
            } else if (token == "HEIGHT" && pnmToken(r, pos, end, value)) {
                height = pnmNumber(value);
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

/// True for a PNG whose IHDR colour type is 4 (grey + alpha).
bool isGreyAlphaPng(std::span<const std::byte> bytes) {
    const ByteReader r(bytes);
    return r.startsWith(0, "\x89PNG\r\n\x1a\n") && r.startsWith(12, "IHDR") && r.has(25, 1) &&
           r.u8(25) == 4;
}

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

/// Applies an EXIF orientation (1..8) the way Pillow's ImageOps.exif_transpose does.
cv::Mat applyOrientation(const cv::Mat& mat, int orientation) {
    cv::Mat out;
    switch (orientation) {
        case 2:
            cv::flip(mat, out, 1);
            return out;
        case 3:
            cv::rotate(mat, out, cv::ROTATE_180);
            return out;
        case 4:
            cv::flip(mat, out, 0);
            return out;
        case 5:
            cv::transpose(mat, out);
            return out;
        case 6:
            cv::rotate(mat, out, cv::ROTATE_90_CLOCKWISE);
            return out;
        case 7: {
            cv::Mat t;
            cv::transpose(mat, t);
            cv::flip(t, out, -1);
            return out;
        }
        case 8:
            cv::rotate(mat, out, cv::ROTATE_90_COUNTERCLOCKWISE);
            return out;
        default:
            return mat;
    }
}

std::string describeUndecodable(std::span<const std::byte> bytes) {
    if (const auto info = sniffImageHeader(bytes)) {
        return std::string(info->format) +
               " header, but the data is truncated, corrupt or in an "
               "unsupported variant";
    }
    std::string hex;
    static const char* kDigits = "0123456789abcdef";
    for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i) {
        const auto b = static_cast<uint8_t>(bytes[i]);
        if (!hex.empty()) {
            hex.push_back(' ');
        }
        hex.push_back(kDigits[b >> 4]);
        hex.push_back(kDigits[b & 15]);
    }
    return "unrecognised format, first bytes " + hex;
}

/// 16-bit -> 8-bit as value / 257 rounded to nearest (65535 -> 255, 32896 -> 128).
cv::Mat to8Bit(const cv::Mat& mat) {
    if (mat.depth() == CV_8U) {
        return mat;
    }
    cv::Mat out(mat.rows, mat.cols, CV_MAKETYPE(CV_8U, mat.channels()));
    const int n = mat.cols * mat.channels();
    for (int y = 0; y < mat.rows; ++y) {
        const auto* src = mat.ptr<uint16_t>(y);
        auto* dst = out.ptr<uint8_t>(y);
        for (int i = 0; i < n; ++i) {
            dst[i] = static_cast<uint8_t>((uint32_t{src[i]} + 128) / 257);
        }
    }
    return out;
}

Image8 fromMat(const cv::Mat& mat) {
    Image8 image;
    image.width = mat.cols;
    image.height = mat.rows;
    image.channels = mat.channels();
    image.pixels.resize(static_cast<size_t>(mat.rows) * mat.cols * mat.channels());
    const size_t rowBytes = static_cast<size_t>(mat.cols) * mat.channels();
    for (int y = 0; y < mat.rows; ++y) {
        std::memcpy(image.pixels.data() + y * rowBytes, mat.ptr<uint8_t>(y), rowBytes);
    }
    return image;
}

}  // namespace
}  // namespace detail

std::optional<ImageHeaderInfo> sniffImageHeader(std::span<const std::byte> bytes) {
    const detail::ByteReader r(bytes);
    if (r.startsWith(0, "\x89PNG\r\n\x1a\n")) {
        return detail::sniffPng(r);
    }
    if (r.has(0, 3) && r.u8(0) == 0xFF && r.u8(1) == 0xD8 && r.u8(2) == 0xFF) {
        return detail::sniffJpeg(r);
    }
    if (r.startsWith(0, "BM")) {
        return detail::sniffBmp(r);
    }
    if (r.startsWith(0, "GIF87a") || r.startsWith(0, "GIF89a")) {
        return detail::sniffGif(r);
    }
    if (r.startsWith(0, "RIFF") && r.startsWith(8, "WEBP")) {
        return detail::sniffWebp(r);
    }
    if (r.startsWith(0, std::string_view("II*\0", 4)) ||
        r.startsWith(0, std::string_view("MM\0*", 4))) {
        return detail::sniffTiff(r);
    }
    if (r.has(0, 3) && r.u8(0) == 'P' && r.u8(1) >= '1' && r.u8(1) <= '7' &&
        std::isspace(r.u8(2))) {
        return detail::sniffPnm(r);
    }
    return std::nullopt;
}

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
    // TIFF: OpenCV's decoder applies the file's Orientation tag itself, even with
    // IMREAD_UNCHANGED, so there is nothing left to apply.
    return 1;
}

Result<Image8> decodeImage(std::span<const std::byte> bytes, std::string_view label,
                           const ImageLimits& limits) {
    const std::string name(label);
    if (bytes.empty()) {
        return makeError(ErrorCode::BadImage, name + ": file is empty");
    }
    if (static_cast<int64_t>(bytes.size()) > limits.maxFileBytes) {
        return makeError(ErrorCode::BadImage, name + ": file is " + std::to_string(bytes.size()) +
                                                  " bytes, more than the " +
                                                  std::to_string(limits.maxFileBytes) +
                                                  "-byte limit");
    }
    // Check the declared size before OpenCV allocates anything for it.
    if (const auto info = sniffImageHeader(bytes)) {
        if (info->width <= 0 || info->height <= 0) {
            return makeError(ErrorCode::BadImage,
                             name + ": " + info->format + " header declares an invalid size " +
                                 std::to_string(info->width) + "x" + std::to_string(info->height));
        }
        // Both sides are < 2^61 (PNM saturates), but their product may not fit: divide instead.
        if (info->width > limits.maxPixels / info->height) {
            return makeError(ErrorCode::BadImage,
                             name + ": image claims " + std::to_string(info->width) + "x" +
                                 std::to_string(info->height) + " pixels, more than the " +
                                 std::to_string(limits.maxPixels) + "-pixel limit");
        }
    }

    cv::Mat decoded;
    std::string cvMessage;
    try {
        // imdecode only reads the buffer; the Mat header needs a non-const pointer.
        const cv::Mat buffer(1, static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX)), CV_8U,
                             const_cast<std::byte*>(bytes.data()));
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        cvMessage = e.what();
    } catch (const std::exception& e) {
        cvMessage = e.what();
    }
    if (decoded.empty()) {
        return makeError(ErrorCode::BadImage,
                         name + ": not an image OpenCV can decode (" +
                             (cvMessage.empty() ? detail::describeUndecodable(bytes) : cvMessage) +
                             ")");
    }
    if (decoded.depth() != CV_8U && decoded.depth() != CV_16U) {
        return makeError(ErrorCode::BadImage, name + ": unsupported pixel depth (OpenCV type " +
                                                  std::to_string(decoded.type()) +
                                                  "), expected 8 or 16 bits");
    }
    if (static_cast<int64_t>(decoded.cols) > limits.maxPixels / std::max(decoded.rows, 1)) {
        return makeError(ErrorCode::BadImage,
                         name + ": image has " + std::to_string(decoded.cols) + "x" +
                             std::to_string(decoded.rows) + " pixels, more than the " +
                             std::to_string(limits.maxPixels) + "-pixel limit");
    }

    cv::Mat pixels = detail::to8Bit(decoded);
    if (pixels.channels() == 4 && detail::isGreyAlphaPng(bytes)) {
        // OpenCV expands grey+alpha PNGs to BGRA; Pillow keeps them "LA". A grey source stays
        // one channel here.
        cv::extractChannel(pixels, pixels, 0);
    }
    cv::Mat rgb;
    switch (pixels.channels()) {
        case 1:
            rgb = pixels;
            break;
        case 3:
            cv::cvtColor(pixels, rgb, cv::COLOR_BGR2RGB);
            break;
        case 4:
            // Alpha is dropped, not composited, as Pillow's convert("RGB") does.
            cv::cvtColor(pixels, rgb, cv::COLOR_BGRA2RGB);
            break;
        default:
            return makeError(ErrorCode::BadImage, name + ": unsupported channel count " +
                                                      std::to_string(pixels.channels()));
    }
    // IMREAD_UNCHANGED makes OpenCV skip the EXIF orientation of JPEGs (OpenCV 4.6 reads none from
    // PNG or WebP at all), so it is applied here. TIFFs come out of OpenCV already oriented.
    rgb = detail::applyOrientation(rgb, exifOrientation(bytes));
    return detail::fromMat(rgb);
}

Result<Image8> loadImage(const std::string& path, const ImageLimits& limits) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return makeError(ErrorCode::Io, path + ": cannot open (" + ec.message() + ")");
    }
    if (static_cast<int64_t>(size) > limits.maxFileBytes) {
        return makeError(ErrorCode::BadImage,
                         path + ": file is " + std::to_string(size) + " bytes, more than the " +
                             std::to_string(limits.maxFileBytes) + "-byte limit");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(ErrorCode::Io, path + ": cannot open (" + std::strerror(errno) + ")");
    }
    std::vector<std::byte> bytes(size);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (static_cast<size_t>(in.gcount()) != size) {
        return makeError(ErrorCode::Io, path + ": read " + std::to_string(in.gcount()) + " of " +
                                            std::to_string(size) + " bytes");
    }
    return decodeImage(bytes, path, limits);
}

Image8 convertChannels(const Image8& image, int channels) {
    if (image.channels == channels || image.empty()) {
        return image;
    }
    Image8 out;
    out.width = image.width;
    out.height = image.height;
    const size_t count = static_cast<size_t>(image.width) * image.height;
    if (image.channels == 3 && channels == 1) {
        // Pillow's RGB -> L: ITU-R 601-2 luma in 16-bit fixed point, rounded.
        out.channels = 1;
        out.pixels.resize(count);
        for (size_t i = 0; i < count; ++i) {
            const uint32_t r = image.pixels[i * 3];
            const uint32_t g = image.pixels[i * 3 + 1];
            const uint32_t b = image.pixels[i * 3 + 2];
            out.pixels[i] = static_cast<uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        }
        return out;
    }
    if (image.channels == 1 && channels == 3) {
        out.channels = 3;
        out.pixels.resize(count * 3);
        for (size_t i = 0; i < count; ++i) {
            std::fill_n(out.pixels.begin() + static_cast<std::ptrdiff_t>(i * 3), 3,
                        image.pixels[i]);
        }
        return out;
    }
    return image;
}

Status savePng(const Image8& image, const std::string& path) {
    if (image.empty() || (image.channels != 1 && image.channels != 3)) {
        return makeError(ErrorCode::Usage, path + ": nothing to save (empty image or " +
                                               std::to_string(image.channels) + " channels)");
    }
    const cv::Mat view(image.height, image.width, CV_MAKETYPE(CV_8U, image.channels),
                       const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat bgr;
    if (image.channels == 3) {
        cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
    } else {
        bgr = view;
    }
    std::vector<uchar> encoded;
    try {
        if (!cv::imencode(".png", bgr, encoded)) {
            return makeError(ErrorCode::Io, path + ": PNG encoding failed");
        }
    } catch (const cv::Exception& e) {
        return makeError(ErrorCode::Io, path + ": PNG encoding failed (" + e.what() + ")");
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        return makeError(ErrorCode::Io, path + ": cannot write (" + std::strerror(errno) + ")");
    }
    out.write(reinterpret_cast<const char*>(encoded.data()),
              static_cast<std::streamsize>(encoded.size()));
    out.close();
    if (!out) {
        return makeError(ErrorCode::Io, path + ": write failed (" + std::strerror(errno) + ")");
    }
    return Ok{};
}

}  // namespace vitscope::core
