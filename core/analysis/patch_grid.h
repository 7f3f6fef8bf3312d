#pragma once
/// Patch-grid geometry shared by the window and the figures (pixel rectangles, hit tests,
/// token <-> cell), and the image perturbations of the ViT robustness experiments (patch
/// shuffling, shifting). All coordinates are in input pixels of the image the model ran on.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model/inference_result.h"
#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

/// A cell of the patch grid.
struct GridCell {
    int row = 0;
    int col = 0;
    friend bool operator==(const GridCell&, const GridCell&) = default;
};

/// An axis-aligned pixel rectangle, [x, x + width) x [y, y + height).
struct PixelRect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    friend bool operator==(const PixelRect&, const PixelRect&) = default;
};

/// The pixels covered by patch (row, col): (col * P, row * P, P, P).
PixelRect patchRect(int row, int col, int patchSize);

/// The patch under input pixel position (x, y) (continuous coordinates: pixel (i, j) covers
/// [i, i+1) x [j, j+1)); nullopt outside the grid (including negative coordinates and
/// patchSize <= 0).
std::optional<GridCell> hitTestPatch(double x, double y, int patchSize, int gridH, int gridW);

/// Token index of a cell, layout.patchToken(row, col); nullopt when the cell is off the grid.
std::optional<int> tokenForCell(const TokenLayout& layout, GridCell cell);
/// Cell of a patch token; nullopt for prefix tokens and out-of-range indices.
std::optional<GridCell> cellForToken(const TokenLayout& layout, int token);

/// A permutation of 0..n-1 from `seed`: Fisher-Yates driven by splitmix64 with unbiased
/// (rejection-sampled) bounded draws. Integer arithmetic only, so it is identical on every
/// platform and compiler. n <= 0 gives an empty vector.
std::vector<int> shufflePermutation(int n, uint64_t seed);

/// inverse[perm[i]] = i. Precondition (asserted): perm is a permutation.
std::vector<int> inversePermutation(const std::vector<int>& perm);

/// Moves whole patches: output patch i (row-major over the patch grid) is input patch perm[i].
/// Fails (BadImage) unless the image is non-empty and its height and width are multiples of
/// patchSize, and (Usage) unless perm is a permutation of 0..numPatches-1.
/// shufflePatches(shufflePatches(img, P, perm), P, inversePermutation(perm)) == img.
Result<ImageTensor> shufflePatches(const ImageTensor& image, int patchSize,
                                   const std::vector<int>& perm);

/// What fills the pixels a shift uncovers.
enum class ShiftFill {
    Zero,  ///< 0 in the tensor's units (black before normalisation, the dataset mean after)
    Edge,  ///< the nearest pixel of the original image (clamp-to-edge, OpenCV BORDER_REPLICATE)
};

/// Moves the content by (dy, dx) pixels: out(c, y, x) = in(c, y - dy, x - dx), positive dy
/// moving down and positive dx moving right; uncovered pixels are filled per `fill`. Any shift
/// is accepted (a shift of the whole size or more gives only fill). Same size as the input.
ImageTensor shiftImage(const ImageTensor& image, int dy, int dx, ShiftFill fill = ShiftFill::Zero);

}  // namespace vitscope::core
