#pragma once
/// Cosine similarity of the learned position embeddings (Dosovitskiy et al. 2021, Fig. 7 centre):
/// tile (r, c) of the figure shows the similarity of patch (r, c)'s embedding to every other.

#include <vector>

#include "core/model/vit_config.h"
#include "core/tensor.h"

namespace vitscope::core {

class VitModel;

/// (numPatches, numPatches) cosine similarity of the rows of `patchPos` (numPatches, D), the
/// patch rows of the position table only (prefix rows removed by the caller). Symmetric, values
/// in [-1, 1], diagonal exactly 1. A zero row (norm 0, computed in double) has similarity 0 to
/// every other row and 1 to itself.
Matrix cosineSimilarity(const Matrix& patchPos);

/// (gridH*gridW, gridH*gridW): cosineSimilarity of `model`'s patch position embeddings on a
/// (gridH, gridW) grid, the table resampled with `interp` when the grid differs from the trained
/// one (patchPositionEmbeddings). An empty (0, 0) matrix when the model has no learned absolute
/// position embeddings. Precondition: gridH, gridW > 0.
Matrix positionEmbeddingSimilarity(const VitModel& model, int gridH, int gridW, PosInterp interp);

/// Distance between two grid cells.
enum class GridMetric {
    Euclidean,  ///< sqrt(dr^2 + dc^2)
    Chebyshev,  ///< max(|dr|, |dc|), "ring" number around a patch
};

/// Mean similarity as a function of grid distance (for tests and the figure caption).
struct SimilarityProfile {
    std::vector<double> distance;        ///< increasing, starting at 0 (the diagonal)
    std::vector<double> meanSimilarity;  ///< mean over all ordered pairs at that distance
    std::vector<int> pairCount;          ///< number of ordered pairs (i, j) at that distance
};

/// Groups the entries of `similarity` (gridH*gridW, gridH*gridW, patches in row-major order) by
/// the grid distance of the two patches. Euclidean distances are grouped exactly (by dr^2+dc^2).
/// Precondition (asserted): similarity is square with gridH*gridW rows.
SimilarityProfile similarityByDistance(const Matrix& similarity, int gridH, int gridW,
                                       GridMetric metric);

}  // namespace vitscope::core
