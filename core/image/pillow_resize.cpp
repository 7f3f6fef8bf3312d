#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "core/image/preprocess.h"

namespace vitscope::core {

namespace detail {
namespace {

// ---- Pillow's filters (Resample.c), in double precision like the original. ----

double boxFilter(double x) { return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0; }

double bilinearFilter(double x) {
    x = std::abs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

double hammingFilter(double x) {
    x = std::abs(x);
    if (x == 0.0) {
        return 1.0;
    }
    if (x >= 1.0) {
        return 0.0;
    }
    x *= std::numbers::pi;
    // Pillow writes the window constants as float literals (0.54f, 0.46f); keep their values.
    return std::sin(x) / x *
           (static_cast<double>(0.54f) + static_cast<double>(0.46f) * std::cos(x));
}

double bicubicFilter(double x) {
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0) {
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
        return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
}

double sincFilter(double x) {
    if (x == 0.0) {
        return 1.0;
    }
    x *= std::numbers::pi;
    return std::sin(x) / x;
}

double lanczosFilter(double x) {
    return (-3.0 <= x && x < 3.0) ? sincFilter(x) * sincFilter(x / 3) : 0.0;
}

struct Filter {
    double (*fn)(double);
    double support;
};

Filter filterFor(Resample r) {
    switch (r) {
        case Resample::Box:
            return {boxFilter, 0.5};
        case Resample::Bilinear:
            return {bilinearFilter, 1.0};
        case Resample::Hamming:
            return {hammingFilter, 1.0};
        case Resample::Bicubic:
            return {bicubicFilter, 2.0};
        case Resample::Lanczos:
        case Resample::Nearest:  // not used: Nearest has its own path
            break;
    }
    return {lanczosFilter, 3.0};
}

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS for 8-bit images

/// Fixed-point filter taps for one axis: output i reads input[first[i] .. first[i] + count[i])
/// with weights taps[i * stride ...].
struct AxisCoeffs {
    int stride = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<int32_t> taps;
};

/// Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box (0, inSize).
AxisCoeffs computeCoeffs(int inSize, int outSize, const Filter& filter) {
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = filter.support * filterScale;
    // Pillow multiplies by the reciprocal rather than dividing; the last bit can differ.
    const double invFilterScale = 1.0 / filterScale;

    AxisCoeffs c;
    c.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.first.resize(outSize);
    c.count.resize(outSize);
    c.taps.assign(static_cast<size_t>(outSize) * c.stride, 0);
    std::vector<double> w(c.stride);
    for (int i = 0; i < outSize; ++i) {
        const double center = (i + 0.5) * scale;
        // (int) truncates toward zero, as in C; clamping makes the negative case moot.
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), inSize);
        const int n = std::min(xmax - xmin, c.stride);
        double sum = 0.0;
        for (int j = 0; j < n; ++j) {
            w[j] = filter.fn((j + xmin - center + 0.5) * invFilterScale);
            sum += w[j];
        }
        for (int j = 0; j < n; ++j) {
            const double wj = sum != 0.0 ? w[j] / sum : w[j];
            const double fixed = wj * (1 << kPrecisionBits);
            c.taps[static_cast<size_t>(i) * c.stride + j] =
                static_cast<int32_t>(wj < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c.first[i] = xmin;
        c.count[i] = std::max(n, 0);
    }
    return c;
}

uint8_t clip8(int64_t acc) {
    // Arithmetic shift (floor), then clamp: Pillow's clip8 lookup table does the same.
    return static_cast<uint8_t>(std::clamp<int64_t>(acc >> kPrecisionBits, 0, 255));
}

constexpr int64_t kRoundingBias = int64_t{1} << (kPrecisionBits - 1);

Image8 resampleHorizontal(const Image8& in, int outWidth, const Filter& filter) {
    const AxisCoeffs c = computeCoeffs(in.width, outWidth, filter);
    const int ch = in.channels;
    Image8 out{outWidth, in.height, ch, {}};
    out.pixels.resize(static_cast<size_t>(outWidth) * in.height * ch);
    for (int y = 0; y < in.height; ++y) {
        const uint8_t* row = in.pixels.data() + static_cast<size_t>(y) * in.width * ch;
        uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * outWidth * ch;
        for (int x = 0; x < outWidth; ++x) {
            const int32_t* k = c.taps.data() + static_cast<size_t>(x) * c.stride;
            const uint8_t* src = row + static_cast<size_t>(c.first[x]) * ch;
            for (int b = 0; b < ch; ++b) {
                int64_t acc = kRoundingBias;
                for (int j = 0; j < c.count[x]; ++j) {
                    acc += int64_t{src[j * ch + b]} * k[j];
                }
                dst[x * ch + b] = clip8(acc);
            }
        }
    }
    return out;
}

Image8 resampleVertical(const Image8& in, int outHeight, const Filter& filter) {
    const AxisCoeffs c = computeCoeffs(in.height, outHeight, filter);
    const int ch = in.channels;
    const size_t rowLen = static_cast<size_t>(in.width) * ch;
    Image8 out{in.width, outHeight, ch, {}};
    out.pixels.resize(rowLen * outHeight);
    for (int y = 0; y < outHeight; ++y) {
        const int32_t* k = c.taps.data() + static_cast<size_t>(y) * c.stride;
        const uint8_t* src = in.pixels.data() + static_cast<size_t>(c.first[y]) * rowLen;
        uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * rowLen;
        for (size_t i = 0; i < rowLen; ++i) {
            int64_t acc = kRoundingBias;
            for (int j = 0; j < c.count[y]; ++j) {
                acc += int64_t{src[j * rowLen + i]} * k[j];
            }
            dst[i] = clip8(acc);
        }
    }
    return out;
}

/// Pillow's NEAREST resize (ImagingScaleAffine): the source coordinate starts at scale / 2 and is
/// advanced by repeated addition, then truncated; we accumulate the same way so that rounding
/// matches in the last bit.
std::vector<int> nearestIndices(int inSize, int outSize) {
    const double scale = static_cast<double>(inSize) / outSize;
    std::vector<int> idx(outSize);
    double pos = scale * 0.5;
    for (int i = 0; i < outSize; ++i) {
        idx[i] = std::clamp(pos < 0.0 ? -1 : static_cast<int>(pos), 0, inSize - 1);
        pos += scale;
    }
    return idx;
}

Image8 resizeNearest(const Image8& in, int width, int height) {
    const std::vector<int> xs = nearestIndices(in.width, width);
    const std::vector<int> ys = nearestIndices(in.height, height);
    const int ch = in.channels;
    Image8 out{width, height, ch, {}};
    out.pixels.resize(static_cast<size_t>(width) * height * ch);
    uint8_t* dst = out.pixels.data();
    for (int y = 0; y < height; ++y) {
        const uint8_t* row = in.pixels.data() + static_cast<size_t>(ys[y]) * in.width * ch;
        for (int x = 0; x < width; ++x) {
            for (int b = 0; b < ch; ++b) {
                *dst++ = row[static_cast<size_t>(xs[x]) * ch + b];
            }
        }
    }
    return out;
}

}  // namespace
}  // namespace detail

namespace {

/// Filter taps computeCoeffs allocates for one axis (outSize x window), 0 when the axis keeps
/// its size (the pass is skipped).
int64_t axisTaps(int inSize, int outSize, Resample resample) {
    if (inSize == outSize || outSize <= 0 || resample == Resample::Nearest) {
        return 0;
    }
    const double scale = std::max(static_cast<double>(inSize) / outSize, 1.0);
    const double window = std::ceil(detail::filterFor(resample).support * scale) * 2 + 1;
    return static_cast<int64_t>(std::min(window * outSize, 9.0e18));
}

}  // namespace

int64_t resizePeakElements(int inW, int inH, int outW, int outH, Resample resample) {
    int64_t peak = int64_t{outW} * outH;
    if (resample != Resample::Nearest && outW != inW && outH != inH) {
        peak = std::max(peak, int64_t{outW} * inH);  // the horizontal pass, kept for the vertical
    }
    return std::max({peak, axisTaps(inW, outW, resample), axisTaps(inH, outH, resample)});
}

Image8 resizeImage(const Image8& image, int width, int height, Resample resample) {
    if (image.empty() || width <= 0 || height <= 0) {
        return {};
    }
    if (width == image.width && height == image.height) {
        return image;  // Pillow returns a copy
    }
    if (resample == Resample::Nearest) {
        return detail::resizeNearest(image, width, height);
    }
    const detail::Filter filter = detail::filterFor(resample);
    // Horizontal pass first, then vertical; a pass is skipped when its size is unchanged.
    if (width == image.width) {
        return detail::resampleVertical(image, height, filter);
    }
    Image8 horizontal = detail::resampleHorizontal(image, width, filter);
    if (height == image.height) {
        return horizontal;
    }
    return detail::resampleVertical(horizontal, height, filter);
}

}  // namespace vitscope::core
