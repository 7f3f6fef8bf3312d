#include "core/image/decoders.h"

#include <jpeglib.h>
// after jpeglib.h, which it needs
#include <jerror.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/byte_reader.h"

namespace vitscope::core::detail {
namespace {

Error badImage(const std::string& name, const std::string& what) {
    return makeError(ErrorCode::BadImage, name + ": " + what);
}

/// The size a library reports, checked again before the pixel buffer is allocated (the header
/// sniffer checked the declared one; a decoder may read another, e.g. from a later marker).
Status checkSize(int64_t width, int64_t height, const std::string& name, const char* format,
                 const ImageLimits& limits) {
    if (width <= 0 || height <= 0 || width > INT32_MAX / 4 || height > INT32_MAX / 4) {
        return badImage(name, std::string(format) + " declares an invalid size " +
                                  std::to_string(width) + "x" + std::to_string(height));
    }
    if (width > limits.maxPixels / height) {
        return badImage(name, "image has " + std::to_string(width) + "x" + std::to_string(height) +
                                  " pixels, more than the " + std::to_string(limits.maxPixels) +
                                  "-pixel limit");
    }
    return Ok{};
}

// ---------------------------------------------------------------------------------------------
// PNG (libpng). libpng reports errors by longjmp to the setjmp in readPngRows, whose frame holds
// no object with a destructor; everything it fills is owned by decodePng.
// ---------------------------------------------------------------------------------------------
struct PngSource {
    std::span<const std::byte> bytes;
    size_t offset = 0;
    char message[256] = {};
};

void pngRead(png_structp png, png_bytep out, png_size_t count) {
    auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
    if (count > src->bytes.size() - src->offset) {
        png_error(png, "the data is truncated");
    }
    std::memcpy(out, src->bytes.data() + src->offset, count);
    src->offset += count;
}

void pngError(png_structp png, png_const_charp message) {
    auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
    std::snprintf(src->message, sizeof src->message, "%s", message);
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

struct PngShape {
    png_uint_32 width = 0, height = 0;
    int channels = 0, depth = 0;
};

/// Reads the header, sets the transforms (palette to RGB, grey below 8 bits to 8, alpha and
/// tRNS dropped, 16-bit samples in host order) and reports the shape; 0 on success.
int readPngHeader(png_structp png, png_infop info, PngShape& shape) {
    if (setjmp(png_jmpbuf(png))) {
        return 1;
    }
    png_read_info(png, info);
    int bitDepth = 0, colourType = 0;
    png_get_IHDR(png, info, &shape.width, &shape.height, &bitDepth, &colourType, nullptr, nullptr,
                 nullptr);
    if (colourType == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (colourType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    // Alpha, including what palette expansion makes of a tRNS chunk, is dropped (libpng strips
    // only rows that have it).
    png_set_strip_alpha(png);
    if (bitDepth == 16) {
        png_set_swap(png);  // big-endian in the file, host order in memory
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    shape.channels = png_get_channels(png, info);
    shape.depth = png_get_bit_depth(png, info);
    return 0;
}

int readPngRows(png_structp png, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) {
        return 1;
    }
    png_read_image(png, rows);
    return 0;
}

struct PngReader {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngReader() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// ---------------------------------------------------------------------------------------------
// JPEG (libjpeg-turbo, the library Pillow uses, with its default decoding settings: islow DCT,
// fancy upsampling). Errors longjmp to the setjmp in readJpeg*, as for PNG.
// ---------------------------------------------------------------------------------------------
constexpr int kMaxJpegScans = 500;  // progressive files with more are a denial of service

struct JpegError {
    jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX] = {};
};

void jpegErrorExit(j_common_ptr cinfo) {
    auto* err = reinterpret_cast<JpegError*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

void jpegOutputMessage(j_common_ptr) {}

/// Warnings are ignored as Pillow ignores them, except a premature end of the data: libjpeg
/// would fill the missing rows with grey, Pillow refuses the file, and so does this.
void jpegEmitMessage(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        auto* err = reinterpret_cast<JpegError*>(cinfo->err);
        std::snprintf(err->message, sizeof err->message, "the data is truncated");
        longjmp(err->jump, 1);
    }
}

void jpegProgress(j_common_ptr cinfo) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->is_decompressor && d->input_scan_number > kMaxJpegScans) {
        auto* err = reinterpret_cast<JpegError*>(cinfo->err);
        std::snprintf(err->message, sizeof err->message, "more than %d progressive scans",
                      kMaxJpegScans);
        longjmp(err->jump, 1);
    }
}

int readJpegHeader(jpeg_decompress_struct& cinfo, JpegError& err,
                   std::span<const std::byte> bytes) {
    if (setjmp(err.jump)) {
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo, TRUE);
    switch (cinfo.jpeg_color_space) {
        case JCS_GRAYSCALE:
            cinfo.out_color_space = JCS_GRAYSCALE;
            break;
        case JCS_CMYK:
        case JCS_YCCK:
            cinfo.out_color_space = JCS_CMYK;
            break;
        default:
            cinfo.out_color_space = JCS_RGB;
            break;
    }
    jpeg_calc_output_dimensions(&cinfo);
    return 0;
}

int readJpegRows(jpeg_decompress_struct& cinfo, JpegError& err, unsigned char* out,
                 size_t rowBytes) {
    if (setjmp(err.jump)) {
        return 1;
    }
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned char* row = out + cinfo.output_scanline * rowBytes;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    return 0;
}

/// Pillow's CMYK -> RGB (Convert.c cmyk2rgb): channel = (255 - k) - (c * (255 - k)) / 255,
/// with its rounding.
uint8_t cmykToChannel(int c, int k) {
    const int nk = 255 - k;
    const int t = c * nk + 128;
    return static_cast<uint8_t>(std::clamp(nk - (((t >> 8) + t) >> 8), 0, 255));
}

// ---------------------------------------------------------------------------------------------
// TIFF (libtiff, through its RGBA interface, which reads every photometric interpretation and
// compression libtiff knows). Errors are collected per handle; nothing global is changed.
// ---------------------------------------------------------------------------------------------
struct TiffSource {
    std::span<const std::byte> bytes;
    uint64_t offset = 0;
    std::string message;
};

tsize_t tiffRead(thandle_t h, tdata_t out, tsize_t count) {
    auto* src = static_cast<TiffSource*>(h);
    const uint64_t left = src->offset < src->bytes.size() ? src->bytes.size() - src->offset : 0;
    const uint64_t n = std::min<uint64_t>(left, static_cast<uint64_t>(std::max<tsize_t>(count, 0)));
    std::memcpy(out, src->bytes.data() + src->offset, n);
    src->offset += n;
    return static_cast<tsize_t>(n);
}

tsize_t tiffWrite(thandle_t, tdata_t, tsize_t) { return 0; }

toff_t tiffSeek(thandle_t h, toff_t offset, int whence) {
    auto* src = static_cast<TiffSource*>(h);
    const uint64_t base = whence == SEEK_CUR   ? src->offset
                          : whence == SEEK_END ? src->bytes.size()
                                               : 0;
    if (offset > UINT64_MAX - base) {
        return static_cast<toff_t>(-1);
    }
    src->offset = base + offset;
    return src->offset;
}

int tiffClose(thandle_t) { return 0; }

toff_t tiffSize(thandle_t h) { return static_cast<TiffSource*>(h)->bytes.size(); }

int tiffMap(thandle_t h, tdata_t* base, toff_t* size) {
    auto* src = static_cast<TiffSource*>(h);
    *base = const_cast<std::byte*>(src->bytes.data());
    *size = src->bytes.size();
    return 1;
}

void tiffUnmap(thandle_t, tdata_t, toff_t) {}

int tiffError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    auto* src = static_cast<TiffSource*>(user);
    if (src->message.empty()) {
        char buffer[512];
        std::vsnprintf(buffer, sizeof buffer, fmt, ap);
        src->message = (module && *module ? std::string(module) + ": " : std::string()) + buffer;
    }
    return 1;  // handled: libtiff prints nothing
}

int tiffWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

// ---------------------------------------------------------------------------------------------
// BMP and PNM: small formats read here, bounds-checked on every access.
// ---------------------------------------------------------------------------------------------

/// Pillow's palette test (BmpImagePlugin): a palette is grey when entry i is (v, v, v) with
/// v = 0, 255 for two colours and v = i otherwise.
bool isGreyRamp(const std::vector<cv::Vec3b>& palette) {
    for (size_t i = 0; i < palette.size(); ++i) {
        const int v = palette.size() == 2 ? (i == 0 ? 0 : 255) : static_cast<int>(i);
        if (palette[i][0] != v || palette[i][1] != v || palette[i][2] != v) {
            return false;
        }
    }
    return true;
}

/// One colour channel of a BITFIELDS / 16-bit pixel, scaled to 8 bits as Pillow's unpackers do
/// (value * 255 / max, rounded down).
struct MaskChannel {
    uint32_t mask = 0;
    int shift = 0;
    uint32_t max = 0;
    explicit MaskChannel(uint32_t m) : mask(m) {
        if (m != 0) {
            shift = __builtin_ctz(m);
            max = m >> shift;
        }
    }
    uint8_t operator()(uint32_t pixel) const {
        if (max == 0) {
            return 0;
        }
        const uint64_t v = (pixel & mask) >> shift;
        return static_cast<uint8_t>(v * 255 / max);
    }
};

bool parseUnsigned(const std::string& s, uint64_t& out) {
    if (s.empty() || s.size() > 12) {
        return false;
    }
    out = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

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

Result<cv::Mat> decodePng(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits) {
    PngSource src{bytes, 0, {}};
    PngReader reader;
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, pngError, pngWarning);
    if (reader.png != nullptr) {
        reader.info = png_create_info_struct(reader.png);
    }
    if (reader.png == nullptr || reader.info == nullptr) {
        return badImage(name, "out of memory starting the PNG decoder");
    }
    png_set_read_fn(reader.png, &src, pngRead);
    // The sniffer checked the declared size; libpng's own limit is the same one.
    png_set_user_limits(reader.png, 0x7fffffff, 0x7fffffff);
    PngShape shape;
    if (readPngHeader(reader.png, reader.info, shape) != 0) {
        return badImage(name, std::string("PNG cannot be decoded (") + src.message + ")");
    }
    if (auto st = checkSize(shape.width, shape.height, name, "PNG", limits); !st) {
        return st.error();
    }
    if ((shape.channels != 1 && shape.channels != 3) || (shape.depth != 8 && shape.depth != 16)) {
        return badImage(name, "PNG decodes to an unsupported layout (" +
                                  std::to_string(shape.channels) + " channels of " +
                                  std::to_string(shape.depth) + " bits)");
    }
    cv::Mat out(static_cast<int>(shape.height), static_cast<int>(shape.width),
                CV_MAKETYPE(shape.depth == 16 ? CV_16U : CV_8U, shape.channels));
    std::vector<png_bytep> rows(shape.height);
    for (png_uint_32 y = 0; y < shape.height; ++y) {
        rows[y] = out.ptr<png_byte>(static_cast<int>(y));
    }
    if (readPngRows(reader.png, rows.data()) != 0) {
        return badImage(name, std::string("PNG cannot be decoded (") + src.message + ")");
    }
    return out;
}

Result<cv::Mat> decodeJpeg(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits) {
    jpeg_decompress_struct cinfo{};
    JpegError err{};
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = jpegErrorExit;
    err.base.output_message = jpegOutputMessage;
    err.base.emit_message = jpegEmitMessage;
    jpeg_progress_mgr progress{};
    progress.progress_monitor = jpegProgress;
    struct Destroy {
        jpeg_decompress_struct* c;
        ~Destroy() { jpeg_destroy_decompress(c); }
    } destroy{&cinfo};
    if (readJpegHeader(cinfo, err, bytes) != 0) {
        return badImage(name, std::string("JPEG cannot be decoded (") + err.message + ")");
    }
    cinfo.progress = &progress;
    if (auto st = checkSize(cinfo.output_width, cinfo.output_height, name, "JPEG", limits); !st) {
        return st.error();
    }
    const int channels = cinfo.out_color_space == JCS_GRAYSCALE ? 1
                         : cinfo.out_color_space == JCS_CMYK    ? 4
                                                                : 3;
    cv::Mat raw(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width),
                CV_8UC(channels));
    if (readJpegRows(cinfo, err, raw.data, raw.step[0]) != 0) {
        return badImage(name, std::string("JPEG cannot be decoded (") + err.message + ")");
    }
    if (channels != 4) {
        return raw;
    }
    // Adobe's CMYK JPEGs store inverted samples; Pillow reads them as "CMYK;I".
    const bool inverted = cinfo.saw_Adobe_marker;
    cv::Mat rgb(raw.rows, raw.cols, CV_8UC3);
    for (int y = 0; y < raw.rows; ++y) {
        const uint8_t* in = raw.ptr<uint8_t>(y);
        uint8_t* out = rgb.ptr<uint8_t>(y);
        for (int x = 0; x < raw.cols; ++x, in += 4, out += 3) {
            auto v = [&](int i) { return inverted ? 255 - in[i] : int{in[i]}; };
            for (int c = 0; c < 3; ++c) {
                out[c] = cmykToChannel(v(c), v(3));
            }
        }
    }
    return rgb;
}

Result<cv::Mat> decodeWebp(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    WebPBitstreamFeatures features{};
    if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK) {
        return badImage(name, "WebP cannot be decoded (its bitstream header is corrupt)");
    }
    if (features.has_animation) {
        return badImage(name, "animated WebP images are not supported (expected a still image)");
    }
    if (auto st = checkSize(features.width, features.height, name, "WebP", limits); !st) {
        return st.error();
    }
    const int channels = features.has_alpha ? 4 : 3;
    cv::Mat decoded(features.height, features.width, CV_8UC(channels));
    const size_t size = decoded.step[0] * static_cast<size_t>(decoded.rows);
    const int stride = static_cast<int>(decoded.step[0]);
    const uint8_t* ok = features.has_alpha
                            ? WebPDecodeRGBAInto(data, bytes.size(), decoded.data, size, stride)
                            : WebPDecodeRGBInto(data, bytes.size(), decoded.data, size, stride);
    if (ok == nullptr) {
        return badImage(name, "WebP cannot be decoded (the data is truncated or corrupt)");
    }
    if (channels == 3) {
        return decoded;
    }
    cv::Mat rgb;
    cv::cvtColor(decoded, rgb, cv::COLOR_RGBA2RGB);
    return rgb;
}

Result<cv::Mat> decodeTiff(std::span<const std::byte> bytes, const std::string& name,
                           const ImageLimits& limits) {
    TiffSource src{bytes, 0, {}};
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    if (options == nullptr) {
        return badImage(name, "out of memory starting the TIFF decoder");
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, tiffError, &src);
    TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarning, &src);
    // No single allocation beyond what the pixel limit allows (RGBA raster plus a strip).
    TIFFOpenOptionsSetMaxSingleMemAlloc(
        options, static_cast<tmsize_t>(std::min<int64_t>(limits.maxPixels, INT32_MAX / 8) * 8));
    TIFF* tif = TIFFClientOpenExt(name.c_str(), "r", &src, tiffRead, tiffWrite, tiffSeek, tiffClose,
                                  tiffSize, tiffMap, tiffUnmap, options);
    TIFFOpenOptionsFree(options);
    if (tif == nullptr) {
        return badImage(name, "TIFF cannot be decoded (" + src.message + ")");
    }
    struct Close {
        TIFF* t;
        ~Close() { TIFFClose(t); }
    } close{tif};
    uint32_t width = 0, height = 0;
    uint16_t bits = 1, samples = 1, photometric = 0, planar = PLANARCONFIG_CONTIG,
             format = SAMPLEFORMAT_UINT, orientation = ORIENTATION_TOPLEFT;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) ||
        !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height)) {
        return badImage(name, "TIFF has no ImageWidth or ImageLength tag");
    }
    if (auto st = checkSize(width, height, name, "TIFF", limits); !st) {
        return st.error();
    }
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orientation);
    const bool hasPhotometric = TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric) != 0;
    // Rows as stored, top row first; the Orientation tag is applied at the end, the way Pillow's
    // ImageOps.exif_transpose does (libtiff's RGBA interface skips the transposing ones).
    const int turn = orientation >= 1 && orientation <= 8 ? orientation : 1;

    // Grey and RGB at 8 or 16 bits in strips (nearly every TIFF): the samples as stored, so that
    // 16 bits map to 8 as everywhere else here ((v + 128) / 257; libtiff's RGBA interface keeps
    // the high byte of grey) and alpha is dropped without premultiplying.
    const bool grey = photometric == PHOTOMETRIC_MINISBLACK && (samples == 1 || samples == 2);
    const bool rgb = photometric == PHOTOMETRIC_RGB && (samples == 3 || samples == 4);
    if (hasPhotometric && (grey || rgb) && (bits == 8 || bits == 16) &&
        planar == PLANARCONFIG_CONTIG && format == SAMPLEFORMAT_UINT && !TIFFIsTiled(tif)) {
        const int keep = rgb ? 3 : 1;
        const size_t sampleBytes = bits / 8;
        const size_t rowBytes = static_cast<size_t>(width) * samples * sampleBytes;
        if (static_cast<uint64_t>(TIFFScanlineSize64(tif)) != rowBytes) {
            return badImage(name, "TIFF rows have an unexpected size");
        }
        cv::Mat out(static_cast<int>(height), static_cast<int>(width),
                    CV_MAKETYPE(bits == 16 ? CV_16U : CV_8U, keep));
        std::vector<uint8_t> row(rowBytes);
        for (uint32_t y = 0; y < height; ++y) {
            if (TIFFReadScanline(tif, row.data(), y, 0) < 0) {
                return badImage(name, "TIFF cannot be decoded (" +
                                          (src.message.empty() ? std::string("a row is unreadable")
                                                               : src.message) +
                                          ")");
            }
            auto* dst = out.ptr<uint8_t>(static_cast<int>(y));
            for (uint32_t x = 0; x < width; ++x) {
                std::memcpy(dst + x * keep * sampleBytes, row.data() + x * samples * sampleBytes,
                            keep * sampleBytes);
            }
        }
        return applyOrientation(out, turn);
    }

    // Everything else (palette, bilevel, min-is-white, YCbCr, CMYK, tiles, separate planes)
    // through libtiff's RGBA interface. Extra samples are marked unspecified first so that it
    // neither premultiplies nor composites the colour by an alpha that is then dropped.
    uint16_t extraCount = 0;
    uint16_t* extra = nullptr;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extraCount, &extra) && extraCount > 0) {
        const std::vector<uint16_t> unspecified(extraCount, EXTRASAMPLE_UNSPECIFIED);
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, extraCount, unspecified.data());
    }
    char message[1024] = {};
    if (!TIFFRGBAImageOK(tif, message)) {
        return badImage(name, std::string("TIFF variant is not supported (") + message + ")");
    }
    TIFFRGBAImage image{};
    if (!TIFFRGBAImageBegin(&image, tif, 0, message)) {
        return badImage(name, std::string("TIFF cannot be decoded (") + message + ")");
    }
    struct End {
        TIFFRGBAImage* i;
        ~End() { TIFFRGBAImageEnd(i); }
    } end{&image};
    image.orientation = ORIENTATION_TOPLEFT;
    image.req_orientation = ORIENTATION_TOPLEFT;
    cv::Mat rgba(static_cast<int>(height), static_cast<int>(width), CV_8UC4);
    if (!TIFFRGBAImageGet(&image, reinterpret_cast<uint32_t*>(rgba.data), width, height)) {
        return badImage(
            name, "TIFF cannot be decoded (" +
                      (src.message.empty() ? std::string("the data is truncated") : src.message) +
                      ")");
    }
    // The raster holds ABGR words, i.e. R, G, B, A bytes on a little-endian machine.
    cv::Mat out;
    if (image.photometric == PHOTOMETRIC_MINISBLACK ||
        image.photometric == PHOTOMETRIC_MINISWHITE) {
        cv::extractChannel(rgba, out, 0);
    } else {
        cv::cvtColor(rgba, out, cv::COLOR_RGBA2RGB);
    }
    return applyOrientation(out, turn);
}

Result<cv::Mat> decodeBmp(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits) {
    const ByteReader r(bytes);
    auto corrupt = [&](const std::string& what) { return badImage(name, "BMP " + what); };
    uint32_t dataOffset = 0, headerSize = 0;
    if (!r.u32le(10, dataOffset) || !r.u32le(14, headerSize)) {
        return corrupt("header is truncated");
    }
    int64_t width = 0, height = 0;
    uint32_t planes = 0, bpp = 0, compression = 0, colours = 0;
    size_t paletteAt = 14 + static_cast<size_t>(headerSize);
    int paletteEntry = 4;
    uint32_t masks[4] = {0, 0, 0, 0};
    if (headerSize == 12) {  // OS/2 BITMAPCOREHEADER
        uint32_t w = 0, h = 0;
        if (!r.u16le(18, w) || !r.u16le(20, h) || !r.u16le(22, planes) || !r.u16le(24, bpp)) {
            return corrupt("header is truncated");
        }
        width = w;
        height = h;
        paletteEntry = 3;
    } else if (headerSize >= 40 && headerSize <= 1024) {
        uint32_t w = 0, h = 0;
        if (!r.u32le(18, w) || !r.u32le(22, h) || !r.u16le(26, planes) || !r.u16le(28, bpp) ||
            !r.u32le(30, compression) || !r.u32le(46, colours)) {
            return corrupt("header is truncated");
        }
        width = static_cast<int32_t>(w);
        height = static_cast<int32_t>(h);
        if (compression == 3 || compression == 6) {  // BI_BITFIELDS, BI_ALPHABITFIELDS
            const size_t maskAt = headerSize >= 52 ? 54 : 14 + static_cast<size_t>(headerSize);
            const int count = compression == 6 || headerSize >= 56 ? 4 : 3;
            for (int i = 0; i < count; ++i) {
                if (!r.u32le(maskAt + 4 * static_cast<size_t>(i), masks[i])) {
                    return corrupt("colour masks are truncated");
                }
            }
            if (headerSize < 52) {
                paletteAt += 4 * static_cast<size_t>(count);
            }
        }
    } else {
        return corrupt("header has an unsupported size of " + std::to_string(headerSize) +
                       " bytes");
    }
    const bool topDown = height < 0;
    height = std::abs(height);
    if (auto st = checkSize(width, height, name, "BMP", limits); !st) {
        return st.error();
    }
    const bool rle = compression == 1 || compression == 2;
    const bool bitfields = compression == 3 || compression == 6;
    const bool supported = (compression == 0 && (bpp == 1 || bpp == 4 || bpp == 8 || bpp == 16 ||
                                                 bpp == 24 || bpp == 32)) ||
                           (compression == 1 && bpp == 8) || (compression == 2 && bpp == 4) ||
                           (bitfields && (bpp == 16 || bpp == 32));
    if (!supported) {
        return corrupt("variant is not supported (" + std::to_string(bpp) +
                       " bits per pixel, compression " + std::to_string(compression) + ")");
    }
    // The palette (indexed images only).
    std::vector<cv::Vec3b> palette;
    if (bpp <= 8) {
        const uint32_t maxColours = 1u << bpp;
        const uint32_t count = colours == 0 ? maxColours : std::min(colours, maxColours);
        for (uint32_t i = 0; i < count; ++i) {
            const size_t at = paletteAt + static_cast<size_t>(i) * paletteEntry;
            if (!r.has(at, 3)) {
                return corrupt("palette is truncated");
            }
            palette.emplace_back(r.u8(at + 2), r.u8(at + 1), r.u8(at));  // stored B, G, R
        }
    }
    const int w = static_cast<int>(width), h = static_cast<int>(height);
    if (dataOffset >= bytes.size()) {
        return corrupt("pixel data offset lies past the end of the file");
    }
    // Indexed images are decoded to indices first, then mapped through the palette.
    cv::Mat indices;
    cv::Mat rgb(h, w, CV_8UC3);
    auto rowOf = [&](int stored) { return topDown ? stored : h - 1 - stored; };
    if (rle) {
        indices = cv::Mat::zeros(h, w, CV_8U);
        size_t at = dataOffset;
        int x = 0, y = 0;  // y counts stored rows
        while (y < h) {
            if (!r.has(at, 2)) {
                return corrupt("RLE data is truncated");
            }
            const int count = r.u8(at), value = r.u8(at + 1);
            at += 2;
            if (count > 0) {  // a run of `count` pixels
                for (int i = 0; i < count && x < w; ++i, ++x) {
                    indices.at<uint8_t>(rowOf(y), x) = static_cast<uint8_t>(
                        bpp == 8 ? value : (i % 2 == 0 ? value >> 4 : value & 15));
                }
            } else if (value == 0) {  // end of line
                x = 0;
                ++y;
            } else if (value == 1) {  // end of bitmap
                break;
            } else if (value == 2) {  // delta
                if (!r.has(at, 2)) {
                    return corrupt("RLE data is truncated");
                }
                x += r.u8(at);
                y += r.u8(at + 1);
                at += 2;
            } else {  // `value` literal pixels, padded to 16 bits
                const size_t literalBytes = bpp == 8 ? value : (value + 1) / 2;
                if (!r.has(at, literalBytes)) {
                    return corrupt("RLE data is truncated");
                }
                for (int i = 0; i < value; ++i, ++x) {
                    const uint8_t b = r.u8(at + (bpp == 8 ? i : i / 2));
                    if (x < w && y < h) {
                        indices.at<uint8_t>(rowOf(y), x) =
                            bpp == 8 ? b : static_cast<uint8_t>(i % 2 == 0 ? b >> 4 : b & 15);
                    }
                }
                at += (literalBytes + 1) & ~size_t{1};
            }
        }
    } else {
        const size_t stride = ((static_cast<size_t>(w) * bpp + 31) / 32) * 4;
        if (stride * h > bytes.size() - dataOffset) {
            return corrupt("pixel data is truncated");
        }
        if (bpp <= 8) {
            indices.create(h, w, CV_8U);
        }
        const MaskChannel red(bitfields ? masks[0] : bpp == 16 ? 0x7c00 : 0xff0000);
        const MaskChannel green(bitfields ? masks[1] : bpp == 16 ? 0x03e0 : 0x00ff00);
        const MaskChannel blue(bitfields ? masks[2] : bpp == 16 ? 0x001f : 0x0000ff);
        for (int y = 0; y < h; ++y) {
            const size_t row = dataOffset + static_cast<size_t>(y) * stride;
            const int outY = rowOf(y);
            for (int x = 0; x < w; ++x) {
                if (bpp <= 8) {
                    const size_t bit = static_cast<size_t>(x) * bpp;
                    const int shift = 8 - bpp - static_cast<int>(bit % 8);
                    indices.at<uint8_t>(outY, x) =
                        static_cast<uint8_t>((r.u8(row + bit / 8) >> shift) & ((1 << bpp) - 1));
                    continue;
                }
                const size_t at = row + static_cast<size_t>(x) * (bpp / 8);
                cv::Vec3b& px = rgb.at<cv::Vec3b>(outY, x);
                if (bpp == 24) {
                    px = cv::Vec3b(r.u8(at + 2), r.u8(at + 1), r.u8(at));
                    continue;
                }
                uint32_t value = 0;
                if (bpp == 16) {
                    r.u16le(at, value);
                } else {
                    r.u32le(at, value);
                }
                px = cv::Vec3b(red(value), green(value), blue(value));
            }
        }
    }
    if (indices.empty()) {
        return rgb;
    }
    // Indices past the palette (a short palette) read as black, as in Pillow.
    if (isGreyRamp(palette)) {
        cv::Mat grey(h, w, CV_8U);
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                const uint8_t i = indices.at<uint8_t>(y, x);
                grey.at<uint8_t>(y, x) = i < palette.size() ? palette[i][0] : 0;
            }
        }
        return grey;
    }
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const uint8_t i = indices.at<uint8_t>(y, x);
            rgb.at<cv::Vec3b>(y, x) = i < palette.size() ? palette[i] : cv::Vec3b(0, 0, 0);
        }
    }
    return rgb;
}

Result<cv::Mat> decodePnm(std::span<const std::byte> bytes, const std::string& name,
                          const ImageLimits& limits) {
    const ByteReader r(bytes);
    auto corrupt = [&](const std::string& what) { return badImage(name, "PNM " + what); };
    if (!r.has(0, 2) || r.u8(0) != 'P' || r.u8(1) < '1' || r.u8(1) > '7') {
        return corrupt("header is corrupt");
    }
    const int kind = r.u8(1) - '0';
    size_t at = 2;
    std::string token;
    uint64_t width = 0, height = 0, depth = 0, maxval = 0;
    if (kind == 7) {  // PAM: KEY value lines up to ENDHDR
        bool ended = false;
        for (int line = 0; line < 64 && !ended; ++line) {
            if (!pnmToken(r, at, r.size(), token)) {
                break;
            }
            std::string value;
            if (token == "ENDHDR") {
                ended = true;
                break;
            }
            if (token == "TUPLTYPE") {
                while (at < r.size() && r.u8(at) != '\n') {
                    ++at;
                }
                continue;
            }
            uint64_t* field = token == "WIDTH"    ? &width
                              : token == "HEIGHT" ? &height
                              : token == "DEPTH"  ? &depth
                              : token == "MAXVAL" ? &maxval
                                                  : nullptr;
            if (field == nullptr || !pnmToken(r, at, r.size(), value) ||
                !parseUnsigned(value, *field)) {
                return corrupt("header has a bad line '" + token + "'");
            }
        }
        if (!ended || depth < 1 || depth > 4) {
            return corrupt(
                "header is corrupt (needs WIDTH, HEIGHT, DEPTH 1 to 4, MAXVAL, "
                "ENDHDR)");
        }
        while (at < r.size() && r.u8(at) != '\n') {
            ++at;
        }
        ++at;  // the newline after ENDHDR
    } else {
        if (!pnmToken(r, at, r.size(), token) || !parseUnsigned(token, width) ||
            !pnmToken(r, at, r.size(), token) || !parseUnsigned(token, height)) {
            return corrupt("header is truncated or corrupt");
        }
        maxval = 1;
        if (kind != 1 && kind != 4 &&
            (!pnmToken(r, at, r.size(), token) || !parseUnsigned(token, maxval))) {
            return corrupt("header is truncated or corrupt");
        }
        depth = kind == 3 || kind == 6 ? 3 : 1;
        ++at;  // the single whitespace byte before a binary raster
    }
    if (maxval < 1 || maxval > 65535) {
        return corrupt("maximum value " + std::to_string(maxval) + " is outside 1..65535");
    }
    if (auto st = checkSize(static_cast<int64_t>(width), static_cast<int64_t>(height), name, "PNM",
                            limits);
        !st) {
        return st.error();
    }
    const int w = static_cast<int>(width), h = static_cast<int>(height);
    const bool bitmap = kind == 1 || kind == 4;
    const bool ascii = kind <= 3;
    const int stored = static_cast<int>(depth);
    const int keep = stored >= 3 ? 3 : 1;  // alpha (depth 2 and 4) is dropped
    const bool wide = maxval > 255;
    cv::Mat out(h, w, CV_MAKETYPE(wide ? CV_16U : CV_8U, keep));
    // Pillow scales every sample to 0..255 (0..65535 above 255) as round(v / maxval * top),
    // in double precision with Python's round-half-even.
    const double top = wide ? 65535.0 : 255.0;
    auto scale = [&](uint64_t v) {
        v = std::min(v, maxval);
        return maxval == static_cast<uint64_t>(top)
                   ? static_cast<int>(v)
                   : static_cast<int>(std::nearbyint(static_cast<double>(v) /
                                                     static_cast<double>(maxval) * top));
    };
    auto put = [&](int y, int x, int c, int v) {
        if (wide) {
            out.ptr<uint16_t>(y)[x * keep + c] = static_cast<uint16_t>(v);
        } else {
            out.ptr<uint8_t>(y)[x * keep + c] = static_cast<uint8_t>(v);
        }
    };
    if (bitmap && ascii) {  // P1: '1' is black, digits need not be separated
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                while (at < r.size() && r.u8(at) != '0' && r.u8(at) != '1') {
                    if (r.u8(at) == '#') {
                        while (at < r.size() && r.u8(at) != '\n') {
                            ++at;
                        }
                    } else if (!std::isspace(r.u8(at))) {
                        return corrupt("bitmap has a byte that is not 0 or 1");
                    } else {
                        ++at;
                    }
                }
                if (at >= r.size()) {
                    return corrupt("pixel data is truncated");
                }
                put(y, x, 0, r.u8(at++) == '1' ? 0 : 255);
            }
        }
        return out;
    }
    if (bitmap) {  // P4: rows padded to whole bytes, bit 1 is black
        const size_t stride = (static_cast<size_t>(w) + 7) / 8;
        if (!r.has(at, stride * h)) {
            return corrupt("pixel data is truncated");
        }
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                const uint8_t b = r.u8(at + y * stride + x / 8);
                put(y, x, 0, (b >> (7 - x % 8)) & 1 ? 0 : 255);
            }
        }
        return out;
    }
    if (ascii) {
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                for (int c = 0; c < stored; ++c) {
                    uint64_t v = 0;
                    if (!pnmToken(r, at, r.size(), token)) {
                        return corrupt("pixel data is truncated");
                    }
                    if (!parseUnsigned(token, v)) {
                        return corrupt("pixel data has a value '" + token +
                                       "' that is not a number");
                    }
                    if (c < keep) {
                        put(y, x, c, scale(v));
                    }
                }
            }
        }
        return out;
    }
    const size_t sampleBytes = wide ? 2 : 1;
    const size_t rowBytes = static_cast<size_t>(w) * stored * sampleBytes;
    if (!r.has(at, rowBytes * h)) {
        return corrupt("pixel data is truncated");
    }
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            for (int c = 0; c < keep; ++c) {
                const size_t s =
                    at + y * rowBytes + (static_cast<size_t>(x) * stored + c) * sampleBytes;
                const uint64_t v = wide ? (uint64_t{r.u8(s)} << 8) | r.u8(s + 1) : r.u8(s);
                put(y, x, c, scale(v));
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

namespace {

struct PngSink {
    std::vector<uint8_t> bytes;
    char message[256] = {};
};

void pngWrite(png_structp png, png_bytep data, png_size_t count) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    sink->bytes.insert(sink->bytes.end(), data, data + count);
}

void pngFlush(png_structp) {}

void pngWriteError(png_structp png, png_const_charp message) {
    auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
    std::snprintf(sink->message, sizeof sink->message, "%s", message);
    png_longjmp(png, 1);
}

int writePngRows(png_structp png, png_infop info, const Image8& image, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) {
        return 1;
    }
    png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
                 static_cast<png_uint_32>(image.height), 8,
                 image.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, nullptr);
    return 0;
}

}  // namespace

Result<std::vector<uint8_t>> encodePng(const Image8& image, const std::string& name) {
    PngSink sink;
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, pngWriteError, pngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    struct Destroy {
        png_structp* p;
        png_infop* i;
        ~Destroy() { png_destroy_write_struct(p, i); }
    } destroy{&png, &info};
    if (png == nullptr || info == nullptr) {
        return makeError(ErrorCode::Io, name + ": out of memory starting the PNG encoder");
    }
    png_set_write_fn(png, &sink, pngWrite, pngFlush);
    std::vector<png_bytep> rows(static_cast<size_t>(image.height));
    const size_t rowBytes = static_cast<size_t>(image.width) * image.channels;
    for (int y = 0; y < image.height; ++y) {
        rows[static_cast<size_t>(y)] = const_cast<png_bytep>(image.pixels.data() + y * rowBytes);
    }
    if (writePngRows(png, info, image, rows.data()) != 0) {
        return makeError(ErrorCode::Io, name + ": PNG encoding failed (" + sink.message + ")");
    }
    return std::move(sink.bytes);
}

}  // namespace vitscope::core::detail
