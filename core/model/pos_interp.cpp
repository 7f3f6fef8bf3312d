#include "core/model/pos_interp.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vitscope::core {
namespace {

/// One output coordinate's taps along one axis: source indices and weights.
struct Taps {
    std::vector<int> index;
    std::vector<float> weight;
};

// Keys' cubic convolution with a = -0.75 (PyTorch upsample_bicubic2d).
float cubic1(float x, float a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }        // |x| <= 1
float cubic2(float x, float a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }  // 1 < |x| < 2

/// PyTorch bicubic, align_corners=False, no antialias: src = scale * (dst + 0.5) - 0.5 (not
/// clamped for cubic), four taps at floor(src) - 1 .. + 2 with indices clamped to the border.
std::vector<Taps> bicubicTaps(int in, int out) {
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    constexpr float a = -0.75f;
    std::vector<Taps> taps(out);
    for (int o = 0; o < out; ++o) {
        const float real = scale * (o + 0.5f) - 0.5f;
        const int i0 = static_cast<int>(std::floor(real));
        const float t = real - i0;
        const float w[4] = {cubic2(t + 1, a), cubic1(t, a), cubic1(1 - t, a), cubic2(2 - t, a)};
        for (int k = 0; k < 4; ++k) {
            taps[o].index.push_back(std::clamp(i0 - 1 + k, 0, in - 1));
            taps[o].weight.push_back(w[k]);
        }
    }
    return taps;
}

/// PyTorch bilinear, align_corners=False: src clamped at 0, second tap clamped to the border.
std::vector<Taps> bilinearTaps(int in, int out) {
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    std::vector<Taps> taps(out);
    for (int o = 0; o < out; ++o) {
        const float real = std::max(scale * (o + 0.5f) - 0.5f, 0.0f);
        const int i0 = static_cast<int>(real);
        const int i1 = i0 + (i0 < in - 1 ? 1 : 0);
        const float l1 = real - i0;
        taps[o].index = {i0, i1};
        taps[o].weight = {1.0f - l1, l1};
    }
    return taps;
}

/// PyTorch antialias=True bicubic (the Pillow-style filter, a = -0.5): support widened by the
/// scale when downsampling, taps clipped to the input and the weights renormalised.
std::vector<Taps> bicubicAntialiasTaps(int in, int out) {
    const double scale = static_cast<double>(in) / out;
    const double support = scale >= 1.0 ? 2.0 * scale : 2.0;
    const double invScale = scale >= 1.0 ? 1.0 / scale : 1.0;
    auto filter = [](double x) {
        constexpr double a = -0.5;
        x = std::abs(x);
        if (x < 1.0)
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
        if (x < 2.0)
            return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
        return 0.0;
    };
    std::vector<Taps> taps(out);
    for (int o = 0; o < out; ++o) {
        const double center = scale * (o + 0.5);
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), in);
        double total = 0.0;
        std::vector<double> w;
        for (int j = xmin; j < xmax; ++j) {
            w.push_back(filter((j - center + 0.5) * invScale));
            total += w.back();
        }
        for (int j = xmin; j < xmax; ++j) {
            taps[o].index.push_back(j);
            taps[o].weight.push_back(
                static_cast<float>(total != 0.0 ? w[j - xmin] / total : w[j - xmin]));
        }
    }
    return taps;
}

std::vector<Taps> makeTaps(int in, int out, PosInterp interp) {
    switch (interp) {
        case PosInterp::Bicubic:
            return bicubicTaps(in, out);
        case PosInterp::Bilinear:
            return bilinearTaps(in, out);
        case PosInterp::BicubicAntialias:
            return bicubicAntialiasTaps(in, out);
    }
    return {};
}

}  // namespace

Matrix resampleGrid(const ConstMatrixMap& src, int srcH, int srcW, int dstH, int dstW,
                    PosInterp interp) {
    const Eigen::Index d = src.cols();
    if (srcH == dstH && srcW == dstW)
        return src;
    const auto ty = makeTaps(srcH, dstH, interp);
    const auto tx = makeTaps(srcW, dstW, interp);
    // Interpolate along x within each source row first, then along y, as PyTorch's kernels do.
    Matrix rowsDone(static_cast<Eigen::Index>(srcH) * dstW, d);
    for (int y = 0; y < srcH; ++y) {
        for (int x = 0; x < dstW; ++x) {
            auto out = rowsDone.row(static_cast<Eigen::Index>(y) * dstW + x);
            out.setZero();
            for (size_t k = 0; k < tx[x].index.size(); ++k) {
                out +=
                    tx[x].weight[k] * src.row(static_cast<Eigen::Index>(y) * srcW + tx[x].index[k]);
            }
        }
    }
    Matrix dst(static_cast<Eigen::Index>(dstH) * dstW, d);
    for (int y = 0; y < dstH; ++y) {
        for (int x = 0; x < dstW; ++x) {
            auto out = dst.row(static_cast<Eigen::Index>(y) * dstW + x);
            out.setZero();
            for (size_t k = 0; k < ty[y].index.size(); ++k) {
                out += ty[y].weight[k] *
                       rowsDone.row(static_cast<Eigen::Index>(ty[y].index[k]) * dstW + x);
            }
        }
    }
    return dst;
}

}  // namespace vitscope::core
