#include "core/analysis/rollout.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/analysis/attention_maps.h"

namespace vitscope::core {
namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Tolerance so that a ratio like 0.7f (0.69999998...) of 10 discards 7 entries, not 6.
constexpr double kDiscardCountSlack = 1e-6;

/// Â in double: discard per row (row keepToken untouched), + I, each row / its own sum.
MatrixD factorD(const Matrix& fused, float discardRatio, int keepToken) {
    const int n = static_cast<int>(fused.rows());
    MatrixD a = fused.cast<double>();  // (N, N)
    const int k = rolloutDiscardCount(discardRatio, n);
    if (k > 0) {
        std::vector<int> order(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            if (i == keepToken) {
                continue;  // the source token's own row is kept whole
            }
            std::iota(order.begin(), order.end(), 0);
            auto lower = [&](int x, int y) {
                return a(i, x) < a(i, y) || (a(i, x) == a(i, y) && x < y);
            };
            std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), lower);
            for (int j = 0; j < k; ++j) {
                a(i, order[static_cast<size_t>(j)]) = 0.0;
            }
        }
    }
    a.diagonal().array() += 1.0;  // residual connection
    // keepdim: each row divided by its own sum (a column vector broadcast along the row). The
    // row sum is >= 1 because of the identity, so there is no division by zero.
    const Eigen::VectorXd rowSums = a.rowwise().sum();
    a.array().colwise() /= rowSums.array();
    return a;
}

}  // namespace

int rolloutDiscardCount(float discardRatio, int n) {
    const int k =
        static_cast<int>(std::floor(static_cast<double>(discardRatio) * n + kDiscardCountSlack));
    return std::clamp(k, 0, n);
}

Matrix rolloutFactor(const Matrix& fused, float discardRatio, int keepToken) {
    assert(fused.rows() == fused.cols());
    assert(discardRatio >= 0.0f && discardRatio <= 1.0f);
    assert(keepToken >= -1 && keepToken < fused.rows());
    return factorD(fused, discardRatio, keepToken).cast<float>();
}

Matrix attentionRollout(const AttentionStack& stack, int lastLayer, HeadFusion fusion,
                        const RolloutOptions& options, int keepToken) {
    assert(lastLayer >= 0 && lastLayer < stack.layers());
    assert(keepToken >= -1 && keepToken < stack.tokens());
    assert(options.discardRatio >= 0.0f && options.discardRatio <= 1.0f);
    MatrixD r = factorD(fuseHeads(stack, 0, fusion), options.discardRatio, keepToken);
    for (int l = 1; l <= lastLayer; ++l) {
        // Later layers multiply from the left: R_l = Â_l · R_{l-1}.
        r = factorD(fuseHeads(stack, l, fusion), options.discardRatio, keepToken) * r;
    }
    return r.cast<float>();
}

Matrix rolloutMap(const Matrix& rollout, const TokenLayout& layout, int sourceToken) {
    return attentionFromSource(rollout, layout, sourceToken);
}

}  // namespace vitscope::core
