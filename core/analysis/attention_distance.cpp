#include "core/analysis/attention_distance.h"

#include <cassert>
#include <cmath>
#include <string>
#include <vector>

namespace vitscope::core {

Matrix patchDistanceMatrix(int gridH, int gridW, int patchSize) {
    const int m = gridH * gridW;
    Matrix d(m, m);  // (M, M)
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < m; ++j) {
            const double dr = i / gridW - j / gridW;
            const double dc = i % gridW - j % gridW;
            d(i, j) = static_cast<float>(patchSize * std::sqrt(dr * dr + dc * dc));
        }
    }
    return d;
}

namespace {

/// Mean distance of one head over its patch query rows, one row at a time (any storage, any
/// size): dist(q, k) comes from a (2*gridH - 1, 2*gridW - 1) table of grid offsets.
double headMeanDistance(const AttentionStack& stack, const TokenLayout& layout, int layer, int head,
                        const Eigen::MatrixXd& offsetDist, PrefixHandling prefix) {
    const int m = layout.numPatches();
    const int p = layout.numPrefix;
    const int gw = layout.gridW;
    std::vector<float> row(static_cast<size_t>(stack.tokens()));
    double total = 0.0;
    for (int q = 0; q < m; ++q) {
        stack.row(layer, head, p + q, row.data());
        const int qr = q / gw;
        const int qc = q % gw;
        double weighted = 0.0;
        double mass = 0.0;
        for (int k = 0; k < m; ++k) {
            const double w = row[static_cast<size_t>(p + k)];
            weighted += w * offsetDist(k / gw - qr + layout.gridH - 1, k % gw - qc + gw - 1);
            mass += w;
        }
        if (prefix == PrefixHandling::DropAndRenormalise)
            total += mass > 0.0 ? weighted / mass : 0.0;
        else
            total += weighted;
    }
    return total / m;
}

}  // namespace

Matrix meanAttentionDistance(const AttentionStack& stack, const TokenLayout& layout, int patchSize,
                             PrefixHandling prefix) {
    assert(stack.tokens() == layout.numTokens());
    assert(patchSize > 0);
    Matrix out = Matrix::Zero(stack.layers(), stack.heads());  // (L, H)
    if (layout.numPatches() == 0) {
        return out;
    }
    // Distance in pixels for every grid offset (dr, dc), indexed (dr + gridH - 1, dc + gridW - 1).
    Eigen::MatrixXd offsetDist(2 * layout.gridH - 1, 2 * layout.gridW - 1);
    for (int dr = 1 - layout.gridH; dr < layout.gridH; ++dr) {
        for (int dc = 1 - layout.gridW; dc < layout.gridW; ++dc) {
            offsetDist(dr + layout.gridH - 1, dc + layout.gridW - 1) =
                patchSize * std::sqrt(double(dr) * dr + double(dc) * dc);
        }
    }
    const int pairs = stack.layers() * stack.heads();
#pragma omp parallel for schedule(dynamic) if (layout.numPatches() > 256)
    for (int i = 0; i < pairs; ++i) {
        const int l = i / stack.heads();
        const int h = i % stack.heads();
        out(l, h) = static_cast<float>(headMeanDistance(stack, layout, l, h, offsetDist, prefix));
    }
    return out;
}

Status AttentionDistanceAccumulator::add(const Matrix& distances) {
    if (mCount > 0 && (distances.rows() != mSum.rows() || distances.cols() != mSum.cols())) {
        return makeError(ErrorCode::Usage,
                         "attention distance: (" + std::to_string(distances.rows()) + ", " +
                             std::to_string(distances.cols()) + ") layers x heads, expected (" +
                             std::to_string(mSum.rows()) + ", " + std::to_string(mSum.cols()) +
                             ") like the images added before");
    }
    if (mCount == 0) {
        mSum = distances.cast<double>();
    } else {
        mSum += distances.cast<double>();
    }
    ++mCount;
    return Ok{};
}

Status AttentionDistanceAccumulator::add(const InferenceResult& result, int patchSize,
                                         PrefixHandling prefix) {
    if (result.attention.empty() || result.attention.tokens() != result.tokens.numTokens()) {
        return makeError(ErrorCode::Usage,
                         "attention distance: the result holds no attention matching its layout");
    }
    if (patchSize <= 0) {
        return makeError(ErrorCode::Usage, "attention distance: patch size " +
                                               std::to_string(patchSize) + ", expected > 0");
    }
    return add(meanAttentionDistance(result.attention, result.tokens, patchSize, prefix));
}

Matrix AttentionDistanceAccumulator::mean() const {
    if (mCount == 0) {
        return Matrix();
    }
    return (mSum / mCount).cast<float>();
}

void AttentionDistanceAccumulator::clear() {
    mSum.resize(0, 0);
    mCount = 0;
}

}  // namespace vitscope::core
