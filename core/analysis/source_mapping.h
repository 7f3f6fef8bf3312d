#pragma once
/// Where each patch of the model input came from in the image the user opened. The recipe
/// resizes (straight to a size, or the shorter side to an edge) and then centre-crops; both steps
/// are affine per axis (Pillow maps output pixel edges linearly onto input pixel edges), so the
/// patch grid covers one rectangle of the source, divided evenly into the patches.

#include "core/image/preprocess.h"
#include "core/image/resize_geometry.h"
#include "core/result.h"

namespace vitscope::core {

/// An axis-aligned rectangle in source pixels: x to the right, y down, pixel edges at integers
/// (pixel (i, j) covers [i, i + 1) x [j, j + 1)).
struct SourceRect {
    double x = 0;
    double y = 0;
    double w = 0;
    double h = 0;
    double right() const { return x + w; }
    double bottom() const { return y + h; }
};

struct SourceMapping {
    int sourceW = 0;
    int sourceH = 0;
    int gridH = 0;
    int gridW = 0;
    /// Source pixels per model-input pixel, along x and y.
    double scaleX = 1;
    double scaleY = 1;
    /// Where model-input pixel (0, 0)'s top-left corner lies in the source.
    double offsetX = 0;
    double offsetY = 0;
    /// The whole model input (the crop) in the source; the rest of the source was cut away.
    SourceRect input;
    /// The part of the input the patch grid covers (the input, unless a side is not a multiple
    /// of the patch size and the patch embedding drops the remainder).
    SourceRect grid;

    /// A model-input coordinate (pixel edges at integers) in source coordinates.
    double sourceX(double inputX) const { return offsetX + inputX * scaleX; }
    double sourceY(double inputY) const { return offsetY + inputY * scaleY; }
    /// Patch (row, col), 0-based, in the source.
    SourceRect patch(int row, int col) const;
};

/// The mapping for a sourceW x sourceH image preprocessed by `recipe` (the Run's) into a model
/// input cut into gridH x gridW patches of patchH x patchW pixels. BadImage when the recipe cannot
/// be applied to that size (preprocess() would refuse it too); Usage when the grid does not fit
/// the input.
Result<SourceMapping> mapPatchesToSource(int sourceW, int sourceH, const PreprocessRecipe& recipe,
                                         int gridH, int gridW, int patchH, int patchW);

}  // namespace vitscope::core
