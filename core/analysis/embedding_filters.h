#pragma once
/// Principal components of the patch-embedding filters (Dosovitskiy et al. 2021, Fig. 7 left:
/// the top 28 components of ViT-L/32's RGB embedding filters).

#include <vector>

#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

class VitModel;

struct FilterComponents {
    /// (count, C*P*P): orthonormal principal directions, sorted by decreasing variance, each
    /// flattened in the (c, ky, kx) order of the filters. The sign of each direction is chosen
    /// so that its largest-magnitude entry is positive (PCA signs are arbitrary).
    Matrix components;
    /// (count): share of the total variance along each direction; sums to <= 1.
    std::vector<float> explainedVarianceRatio;
    /// (C*P*P): the mean filter that was subtracted.
    RowVector mean;
};

/// PCA of the rows of `filters` (D, C*P*P), the patch-embedding weight flattened per output
/// channel (D filters). Centred on the mean filter, eigen-decomposition of the
/// (C*P*P, C*P*P) covariance (SelfAdjointEigenSolver, in double). Returns
/// min(count, C*P*P) components.
/// Fails (BadData) on: no filters or fewer than 2, count <= 0, a non-finite weight, or zero total
/// variance (all filters identical).
Result<FilterComponents> principalComponents(const Matrix& filters, int count = 28);

/// What the embedding-filters figure shows for `model`: with `raw`, the first min(count, D)
/// rows of the patch-embedding matrix (D, C*P*P) as `components` (no variance ratios, no mean);
/// otherwise principalComponents(filters, count). Fails (BadModel) when the model has no
/// patch-embedding filter matrix with C*P*P inputs, and as principalComponents does.
Result<FilterComponents> modelFilterComponents(const VitModel& model, bool raw, int count = 28);

/// One component (C*P*P, (c, ky, kx) order) as a displayable (C, P, P) tile: min-max scaled to
/// [0, 1] over the whole component (all channels together, so colours keep their balance).
/// A constant component gives 0.5 everywhere.
/// Precondition (asserted): component.size() == channels * patchSize * patchSize.
std::vector<float> toDisplayTile(const RowVector& component, int channels, int patchSize);

}  // namespace vitscope::core
