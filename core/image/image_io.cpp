#include "core/image/image_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/byte_reader.h"
#include "core/io/file_util.h"

namespace vitscope::core {

namespace detail {
namespace {

/// True for a PNG whose IHDR colour type is 4 (grey + alpha).
bool isGreyAlphaPng(std::span<const std::byte> bytes) {
    const ByteReader r(bytes);
    return r.startsWith(0, "\x89PNG\r\n\x1a\n") && r.startsWith(12, "IHDR") && r.has(25, 1) &&
           r.u8(25) == 4;
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

/// Formats OpenCV 4.6 would decode (or this project's sniffer knows) that decodeImage refuses:
/// their headers are not size-checked here, and OpenCV reads the first five through a temporary
/// file it leaves behind when decoding fails.
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
        return "GIF";  // OpenCV 4.6 has no GIF decoder
    }
    return nullptr;
}

/// Refuses, before OpenCV sees the bytes, any file whose format is not one decodeImage supports
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

/// The file size, the format and the size its header declares, checked before OpenCV allocates
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

/// OpenCV's decode at 8 or 16 bits, within the pixel limit.
Result<cv::Mat> decodeWithOpenCv(std::span<const std::byte> bytes, const std::string& name,
                                 const ImageLimits& limits) {
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
    return decoded;
}

}  // namespace

Result<Image8> decodeImage(std::span<const std::byte> bytes, std::string_view label,
                           const ImageLimits& limits) {
    const std::string name(label);
    if (auto st = checkDeclaredSize(bytes, name, limits); !st) {
        return st.error();
    }
    auto decoded = decodeWithOpenCv(bytes, name, limits);
    if (!decoded) {
        return decoded.error();
    }
    cv::Mat pixels = detail::to8Bit(decoded.value());
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
