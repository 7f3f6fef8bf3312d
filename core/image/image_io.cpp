#include "core/image/image_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/byte_reader.h"
#include "core/image/decoders.h"
#include "core/io/file_util.h"

namespace vitscope::core {

namespace detail {
namespace {

std::string describeUndecodable(std::span<const std::byte> bytes) {
    if (const auto info = sniffImageHeader(bytes)) {
        return std::string(info->format) +
               " header, but the data is truncated, corrupt or in an "
               "unsupported variant";
    }
    if (bytes.empty()) {
        return "no data";
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
    return "the file starts with " + hex;
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

namespace {

constexpr const char* kSupportedFormats = "PNG, JPEG, BMP, WebP, TIFF or PNM";

/// Formats that image libraries commonly decode (or this project's sniffer knows) that
/// decodeImage refuses by name, so the message says what the file is.
const char* refusedFormat(std::span<const std::byte> bytes) {
    const detail::ByteReader r(bytes);
    if (r.startsWith(0, "#?RADIANCE") || r.startsWith(0, "#?RGBE")) {
        return "Radiance HDR";
    }
    if (r.has(0, 3) && r.u8(0) == 'P' && (r.u8(1) == 'F' || r.u8(1) == 'f')) {
        return "PFM";
    }
    if (r.startsWith(0, "\x76\x2f\x31\x01")) {
        return "OpenEXR";
    }
    if (r.startsWith(0, "\x59\xa6\x6a\x95")) {
        return "Sun raster";
    }
    if (r.startsWith(128, "DICM")) {
        return "DICOM";
    }
    if (r.startsWith(0, "\xff\x4f\xff\x51") ||
        r.startsWith(0, std::string_view("\0\0\0\x0cjP  \r\n\x87\n", 12))) {
        return "JPEG 2000";
    }
    if (const char* format = sniffImageFormat(bytes); format && std::string_view(format) == "GIF") {
        return "GIF";
    }
    return nullptr;
}

/// Refuses, before a decoder sees the bytes, any file whose format is not one decodeImage supports
/// or whose header does not let its size be read.
Status checkFormat(std::span<const std::byte> bytes, const std::string& name) {
    if (const char* refused = refusedFormat(bytes)) {
        return makeError(ErrorCode::BadImage, name + ": " + refused +
                                                  " images are not supported (expected " +
                                                  kSupportedFormats + ")");
    }
    const char* format = sniffImageFormat(bytes);
    if (format == nullptr) {
        return makeError(ErrorCode::BadImage, name + ": not a supported image (expected " +
                                                  kSupportedFormats + "; " +
                                                  detail::describeUndecodable(bytes) + ")");
    }
    if (!sniffImageHeader(bytes)) {
        const std::string why =
            std::string_view(format) == "JPEG"
                ? "has no frame header (SOFn) with a size before its scan data or end"
                : "header is truncated or corrupt";
        return makeError(ErrorCode::BadImage, name + ": " + format + " " + why +
                                                  ", so its size cannot be checked before "
                                                  "decoding");
    }
    return Ok{};
}

/// The file size, the format and the size its header declares, checked before a decoder allocates
/// anything.
Status checkDeclaredSize(std::span<const std::byte> bytes, const std::string& name,
                         const ImageLimits& limits) {
    if (bytes.empty()) {
        return makeError(ErrorCode::BadImage, name + ": file is empty");
    }
    if (static_cast<int64_t>(bytes.size()) > limits.maxFileBytes) {
        return makeError(ErrorCode::BadImage, name + ": file is " + std::to_string(bytes.size()) +
                                                  " bytes, more than the " +
                                                  std::to_string(limits.maxFileBytes) +
                                                  "-byte limit");
    }
    if (auto st = checkFormat(bytes, name); !st) {
        return st;
    }
    const auto info = sniffImageHeader(bytes);
    if (info->width <= 0 || info->height <= 0) {
        return makeError(ErrorCode::BadImage,
                         name + ": " + info->format + " header declares an invalid size " +
                             std::to_string(info->width) + "x" + std::to_string(info->height));
    }
    // Both sides are < 2^61 (PNM and BigTIFF saturate), but their product may not fit: divide.
    if (info->width > limits.maxPixels / info->height) {
        return makeError(ErrorCode::BadImage,
                         name + ": image claims " + std::to_string(info->width) + "x" +
                             std::to_string(info->height) + " pixels, more than the " +
                             std::to_string(limits.maxPixels) + "-pixel limit");
    }
    return Ok{};
}

/// The decoder for the sniffed format (decoders.h); 8 or 16 bits, grey or RGB, alpha dropped.
Result<cv::Mat> decodeByFormat(std::span<const std::byte> bytes, const std::string& name,
                               const ImageLimits& limits) {
    const char* sniffed = sniffImageFormat(bytes);
    const std::string_view format = sniffed ? sniffed : "an unknown format";
    if (format == "PNG") {
        return detail::decodePng(bytes, name, limits);
    }
    if (format == "JPEG") {
        return detail::decodeJpeg(bytes, name, limits);
    }
    if (format == "WebP") {
        return detail::decodeWebp(bytes, name, limits);
    }
    if (format == "TIFF") {
        return detail::decodeTiff(bytes, name, limits);
    }
    if (format == "BMP") {
        return detail::decodeBmp(bytes, name, limits);
    }
    if (format == "PNM") {
        return detail::decodePnm(bytes, name, limits);
    }
    return makeError(ErrorCode::BadImage, name + ": " + std::string(format) +
                                              " images are not supported (expected " +
                                              kSupportedFormats + ")");
}

}  // namespace

Result<Image8> decodeImage(std::span<const std::byte> bytes, std::string_view label,
                           const ImageLimits& limits) {
    const std::string name(label);
    if (auto st = checkDeclaredSize(bytes, name, limits); !st) {
        return st.error();
    }
    auto decoded = decodeByFormat(bytes, name, limits);
    if (!decoded) {
        return decoded.error();
    }
    // The TIFF decoder has applied the TIFF's own Orientation tag; for JPEG, PNG and WebP the
    // EXIF one is applied here.
    const cv::Mat pixels =
        detail::applyOrientation(detail::to8Bit(decoded.value()), exifOrientation(bytes));
    return detail::fromMat(pixels);
}

Result<Image8> loadImage(const std::string& path, const ImageLimits& limits) {
    auto file = InputFile::open(path);  // refuses FIFOs, devices and folders before opening
    if (!file) {
        return file.error();
    }
    const uint64_t size = file->size();
    if (size > static_cast<uint64_t>(limits.maxFileBytes)) {
        return makeError(ErrorCode::BadImage,
                         path + ": file is " + std::to_string(size) + " bytes, more than the " +
                             std::to_string(limits.maxFileBytes) + "-byte limit");
    }
    auto read = file->readAll(static_cast<size_t>(limits.maxFileBytes));
    if (!read) {
        return read.error();
    }
    const std::vector<std::byte>& bytes = *read;
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
    auto png = detail::encodePng(image, path);
    if (!png) {
        return png.error();
    }
    const std::vector<uint8_t>& encoded = *png;
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
