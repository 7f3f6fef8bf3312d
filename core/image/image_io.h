#pragma once
/// Decoding images into 8-bit pixel buffers (decoders.h: libpng, libjpeg-turbo, libwebp, libtiff
/// and this project's BMP and PNM readers). No OpenCV type appears in this header so that ui/ and
/// app/ never see it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

/// 8-bit interleaved pixels, (height, width, channels); channels is 1 (grey) or 3 (RGB order).
struct Image8 {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<uint8_t> pixels;  // (H, W, C)
    bool empty() const { return pixels.empty(); }
    uint8_t at(int y, int x, int c) const {
        return pixels[(static_cast<size_t>(y) * width + x) * channels + c];
    }
};

struct ImageLimits {
    int64_t maxPixels = 100'000'000;  ///< refuse images whose header claims more (before decoding)
    int64_t maxFileBytes = 512LL << 20;
};

/// What a file's header says about the image, read without decoding anything.
struct ImageHeaderInfo {
    const char* format = "";  ///< "PNG", "JPEG", "BMP", "GIF", "WebP", "TIFF", "PNM"
    int64_t width = 0;        ///< as declared; may be <= 0 for a corrupt header
    int64_t height = 0;
};

/// The format named by the file's signature, if it is one whose header sniffImageHeader reads:
/// "PNG", "JPEG", "BMP", "GIF", "WebP", "TIFF" (classic or BigTIFF) or "PNM" (P1..P7); nullptr
/// otherwise.
const char* sniffImageFormat(std::span<const std::byte> bytes);

/// Reads the declared size from a PNG (IHDR), JPEG (first SOFn marker, however many segments
/// precede it), BMP, GIF, WebP (VP8/VP8L/VP8X), TIFF or BigTIFF (the largest ImageWidth and
/// ImageLength over every IFD, duplicates included) or PNM/PAM header. Every read is
/// bounds-checked and the scans are bounded, so any byte string is safe. Returns nullopt when
/// the format is not one of these or the header does not let the size be read (too short, a JPEG
/// without a frame header before its scan, a TIFF IFD loop, ...).
std::optional<ImageHeaderInfo> sniffImageHeader(std::span<const std::byte> bytes);

/// The EXIF Orientation tag (1..8, IFD0 tag 0x0112) that decodeImage still has to apply, found
/// where Pillow's ImageOps.exif_transpose finds it: a JPEG's first APP1 "Exif" segment, a PNG's
/// eXIf chunk (the last one), a WebP's EXIF chunk (VP8X files with the EXIF flag; the first
/// one). 1 when there is none, it cannot be read, or the format is another: the TIFF decoder
/// orients a TIFF by its own Orientation tag. Bounded parsers, safe on any bytes.
int exifOrientation(std::span<const std::byte> bytes);

/// Decodes PNG, JPEG, BMP, TIFF, WebP and PNM as Pillow does (decoders.h), applies the
/// EXIF orientation as Pillow's ImageOps.exif_transpose does (JPEG, PNG, WebP, TIFF), converts
/// 16-bit to 8-bit, drops alpha and returns RGB (3 channels) or grey
/// (1 channel, for grey sources). `label` names the source in error messages (ErrorCode::BadImage).
/// The declared size is checked against `limits` before any pixel buffer is allocated; a file
/// whose format is another (GIF, HDR, PFM, EXR, JPEG 2000, Sun raster, DICOM, ...) or whose
/// header does not let its size be read is refused before any decoder sees it.
Result<Image8> decodeImage(std::span<const std::byte> bytes, std::string_view label,
                           const ImageLimits& limits = {});
/// Reads the file (ErrorCode::Io / BadImage on failure) and decodes it.
Result<Image8> loadImage(const std::string& path, const ImageLimits& limits = {});

/// RGB -> grey with Pillow's "L" conversion (ITU-R 601-2 luma, L = R*299/1000 + G*587/1000 +
/// B*114/1000 in Pillow's fixed point), grey -> RGB by replication; identity otherwise.
Image8 convertChannels(const Image8& image, int channels);

/// Writes an 8-bit image as PNG (for samples and tests). Returns Io errors.
Status savePng(const Image8& image, const std::string& path);

}  // namespace vitscope::core
