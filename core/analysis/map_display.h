#pragma once
/// Turning an attention map into what the attention figure draws besides the heatmap: the
/// smallest set of patches that holds a chosen share of the attention mass (the threshold of
/// DINO's visualize_attention.py, Caron et al. 2021), and the map upsampled for display.

#include "core/tensor.h"

namespace vitscope::core {

struct MassMask {
    /// Same shape as the map: 1 for a kept cell, 0 otherwise.
    Matrix keep;
    int kept = 0;
    /// The kept share of the total mass, in [0, 1] (0 for a map without mass).
    double keptMass = 0;
    /// The smallest kept value (+inf when nothing is kept): every value above it is kept.
    float threshold = 0;
};

/// Sorts the map's values in descending order and keeps the shortest prefix whose sum reaches
/// `fraction` (in [0, 1], clamped) of the total: the smallest set of cells with that much mass.
/// Equal values are taken in row-major order, so the set is minimal and deterministic. Negative
/// and NaN values count as no mass and are never kept; a map without mass keeps nothing, and
/// fraction 0 keeps nothing.
MassMask massMask(const Matrix& map, double fraction);

/// How a (gridH, gridW) map becomes pixels.
enum class Upsampling {
    Nearest,  ///< one block per patch, crisp cells (the value under the cursor is the cell's)
    Bicubic,  ///< smooth: PyTorch F.interpolate(mode='bicubic', align_corners=False)
};
const char* toString(Upsampling upsampling);  ///< "nearest", "bicubic"

/// The map resampled to (height, width). Bicubic overshoots a little near sharp peaks; the
/// result is clamped to the map's own [min, max] so it never shows values the map does not have.
Matrix upsampleMap(const Matrix& map, int height, int width, Upsampling upsampling);

}  // namespace vitscope::core
