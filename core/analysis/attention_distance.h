#pragma once
/// Mean attention distance (Dosovitskiy et al. 2021, Fig. 7 right and Fig. 11): for each layer
/// and head, the attention-weighted mean distance in input pixels between a query patch and the
/// patches it attends to, averaged over query patches; the analogue of receptive-field size.

#include "core/model/inference_result.h"
#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

/// What to do with the weight a patch query puts on prefix tokens (class, distillation,
/// registers), which have no position in the image.
enum class PrefixHandling {
    /// Drop the prefix columns and renormalise the patch-to-patch weights of each query row to
    /// sum to 1 (a row with no patch weight at all counts as distance 0).
    DropAndRenormalise,
    /// Drop the prefix columns and keep the patch weights as they are: weight on prefix tokens
    /// counts as distance 0, so heads that attend to the class token look more local.
    DropWithoutRenormalising,
};

/// (gridH * gridW, gridH * gridW): Euclidean distance in input pixels between patch centres,
/// patchSize * sqrt(dr^2 + dc^2), patches in row-major token order.
Matrix patchDistanceMatrix(int gridH, int gridW, int patchSize);

/// (layers, heads): mean attention distance in input pixels for every layer and head.
/// Only patch query rows are averaged (prefix queries are skipped). Grid from `layout`.
/// Precondition (asserted): stack.tokens() == layout.numTokens(), patchSize > 0.
Matrix meanAttentionDistance(const AttentionStack& stack, const TokenLayout& layout, int patchSize,
                             PrefixHandling prefix = PrefixHandling::DropAndRenormalise);

/// Averages per-image (layers, heads) distance matrices over many images (the paper's figure
/// averages over 128 images). Accumulates in double.
class AttentionDistanceAccumulator {
public:
    /// Adds one image's (layers, heads) matrix. Fails (Usage) when its shape differs from the
    /// first one added (a different model), leaving the accumulator unchanged.
    Status add(const Matrix& distances);
    /// Convenience: meanAttentionDistance(result.attention, result.tokens, ...) then add().
    Status add(const InferenceResult& result, int patchSize,
               PrefixHandling prefix = PrefixHandling::DropAndRenormalise);
    /// (layers, heads) mean of everything added; an empty matrix when count() == 0.
    Matrix mean() const;
    int count() const { return mCount; }
    void clear();

private:
    Eigen::MatrixXd mSum;  // (layers, heads)
    int mCount = 0;
};

}  // namespace vitscope::core
