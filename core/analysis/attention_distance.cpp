#include "core/analysis/attention_distance.h"

#include <cassert>
#include <cmath>
#include <string>

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

Matrix meanAttentionDistance(const AttentionStack& stack, const TokenLayout& layout, int patchSize,
                             PrefixHandling prefix) {
    assert(stack.tokens() == layout.numTokens());
    assert(patchSize > 0);
    const int m = layout.numPatches();
    const int p = layout.numPrefix;
    Matrix out = Matrix::Zero(stack.layers(), stack.heads());  // (L, H)
    if (m == 0) {
        return out;
    }
    const Eigen::MatrixXd dist =
        patchDistanceMatrix(layout.gridH, layout.gridW, patchSize).cast<double>();  // (M, M)
    for (int l = 0; l < stack.layers(); ++l) {
        for (int h = 0; h < stack.heads(); ++h) {
            // Patch queries (rows) against patch keys (columns); prefix columns dropped.
            const Eigen::MatrixXd w = stack.at(l, h).block(p, p, m, m).cast<double>();  // (M, M)
            const Eigen::VectorXd weighted = w.cwiseProduct(dist).rowwise().sum();      // (M)
            double total = 0.0;
            if (prefix == PrefixHandling::DropAndRenormalise) {
                const Eigen::VectorXd mass = w.rowwise().sum();  // (M)
                for (int q = 0; q < m; ++q) {
                    total += mass(q) > 0.0 ? weighted(q) / mass(q) : 0.0;
                }
            } else {
                total = weighted.sum();
            }
            out(l, h) = static_cast<float>(total / m);
        }
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
