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

/// How strongly position-embedding similarity encodes the 2-D grid (the bundled lab's measures
/// of the ViT paper's claim that 1-D embeddings learn the layout, Fig. 7 centre).
struct PositionLocality {
    /// Pearson correlation between similarity and Euclidean grid distance over all unordered
    /// pairs of distinct patches: -1 when similarity falls linearly with distance, ~0 without
    /// structure. NaN when it is undefined (a grid of one patch, or all similarities equal).
    double pearson = 0;
    /// Patches whose most similar other patch is a grid neighbour (distance <= sqrt(2)).
    int nearestIsNeighbour = 0;
    /// Patches off the centre column whose most similar other patch is their left-right mirror
    /// (same row, column gridW - 1 - c): the trace of horizontal-flip augmentation.
    int nearestIsMirror = 0;
    int offCentre = 0;  ///< patches off the centre column
    int patches = 0;
    double neighbourFraction() const {
        return patches > 0 ? double(nearestIsNeighbour) / patches : 0.0;
    }
};

/// The measures above for `similarity` (gridH*gridW square, row-major patches). Ties for the
/// most similar patch go to the lowest index, as numpy's argmax does.
/// Precondition (asserted): similarity is square with gridH*gridW rows.
PositionLocality positionLocality(const Matrix& similarity, int gridH, int gridW);

}  // namespace vitscope::core
