#include "core/analysis/map_display.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/model/pos_interp.h"

namespace vitscope::core {

MassMask massMask(const Matrix& map, double fraction) {
    MassMask mask;
    mask.keep = Matrix::Zero(map.rows(), map.cols());
    mask.threshold = std::numeric_limits<float>::infinity();
    const Eigen::Index n = map.size();
    auto mass = [&map](Eigen::Index i) {
        const float v = map.data()[i];
        return std::isfinite(v) && v > 0.0f ? static_cast<double>(v) : 0.0;
    };
    std::vector<Eigen::Index> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&mass](Eigen::Index a, Eigen::Index b) { return mass(a) > mass(b); });
    // The total is summed in the same order as the prefix, so that fraction 1 ends exactly on it.
    double total = 0;
    for (const Eigen::Index i : order) {
        total += mass(i);
    }
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (!(total > 0) || fraction <= 0) {
        return mask;
    }
    const double goal = fraction * total;
    double sum = 0;
    for (const Eigen::Index i : order) {
        if (sum >= goal || mass(i) <= 0) {
            break;
        }
        sum += mass(i);
        mask.keep.data()[i] = 1.0f;
        mask.threshold = map.data()[i];
        ++mask.kept;
    }
    mask.keptMass = sum / total;
    return mask;
}

const char* toString(Upsampling upsampling) {
    return upsampling == Upsampling::Bicubic ? "bicubic" : "nearest";
}

Matrix upsampleMap(const Matrix& map, int height, int width, Upsampling upsampling) {
    const auto rows = static_cast<int>(map.rows());
    const auto cols = static_cast<int>(map.cols());
    if (rows <= 0 || cols <= 0 || height <= 0 || width <= 0) {
        return {};
    }
    Matrix out(height, width);
    if (upsampling == Upsampling::Nearest) {
        for (int y = 0; y < height; ++y) {
            const int r = std::min(static_cast<int>(int64_t{y} * rows / height), rows - 1);
            for (int x = 0; x < width; ++x) {
                out(y, x) = map(r, std::min(static_cast<int>(int64_t{x} * cols / width), cols - 1));
            }
        }
        return out;
    }
    const ConstMatrixMap cells(map.data(), map.size(), 1);
    const Matrix resampled = resampleGrid(cells, rows, cols, height, width, PosInterp::Bicubic);
    const float lo = map.minCoeff();
    const float hi = map.maxCoeff();
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            out(y, x) = std::clamp(resampled(static_cast<Eigen::Index>(y) * width + x, 0), lo, hi);
        }
    }
    return out;
}

}  // namespace vitscope::core
