#include "core/analysis/rollout.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <numeric>
#include <system_error>
#include <vector>

#include "core/analysis/attention_maps.h"

namespace vitscope::core {
namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

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
    // The reference is jacobgil/vit-explain's int(n * discard_ratio), in float64 with the ratio
    // the user typed. The float 0.9f is 0.899999976, so widening it directly gives 44 of 50, not
    // 45. Its shortest round-trip decimal ("0.9") is what was typed (spin box, --discard), and
    // that decimal read as a double is Python's float. from_chars, unlike strtod, ignores the
    // locale (a Qt application runs with the user's LC_NUMERIC, whose decimal point may be a
    // comma).
    if (!(discardRatio > 0.0f) || n <= 0) {
        return 0;  // also NaN
    }
    if (discardRatio >= 1.0f) {
        return n;
    }
    char text[32];
    double ratio = discardRatio;
    const auto written = std::to_chars(text, text + sizeof text, discardRatio);
    if (written.ec == std::errc{}) {
        std::from_chars(text, written.ptr, ratio);
    }
    // No slack: Python itself gives int(100 * 0.29) = 28 (28.999999999999996), and parity with
    // it is the point. floor of a non-negative double below n, so the cast cannot overflow.
    return std::clamp(static_cast<int>(std::floor(static_cast<double>(n) * ratio)), 0, n);
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
