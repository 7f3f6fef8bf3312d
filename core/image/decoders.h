#pragma once
/// The image decoders behind decodeImage (image_io.cpp): PNG through libpng, JPEG through
/// libjpeg-turbo, WebP through libwebp, TIFF through libtiff, and this project's own BMP and PNM
/// readers. Not part of the public API.
///
/// Each decoder gets bytes whose format and declared size decodeImage has already checked, and
/// returns the image as stored (no orientation applied, except TIFF, whose own Orientation tag
/// its decoder applies): 1 channel for grey sources, 3 in RGB order otherwise, alpha dropped,
/// 8 or 16 bits per sample. Every decoder checks the size it is about to allocate against the
/// limits again, turns the library's errors into ErrorCode::BadImage messages that start with
/// `name`, and never writes to stderr.

#include <opencv2/core.hpp>
#include <span>
#include <string>

#include "core/image/image_io.h"

namespace vitscope::core::detail {

Result<cv::Mat> decodePng(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits);
Result<cv::Mat> decodeJpeg(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits);
Result<cv::Mat> decodeWebp(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits);
Result<cv::Mat> decodeTiff(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits);
Result<cv::Mat> decodeBmp(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits);
Result<cv::Mat> decodePnm(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits);

/// An 8-bit grey or RGB image as PNG bytes (libpng, default compression).
Result<std::vector<uint8_t>> encodePng(const Image8& image, const std::string& name);

/// Applies an orientation (1..8, EXIF/TIFF tag 274) the way Pillow's ImageOps.exif_transpose does.
cv::Mat applyOrientation(const cv::Mat& mat, int orientation);

}  // namespace vitscope::core::detail
