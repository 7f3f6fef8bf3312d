#pragma once
/// The geometry of a recipe's resize and centre crop, without the pixels (kept out of
/// preprocess.h, which nearly every file includes).

#include "core/image/preprocess.h"
#include "core/result.h"

namespace vitscope::core {

/// Where the resize and the centre crop of `recipe` put an image of width x height: the resized
/// size, the crop's offset in the resized image and the output size (the crop, or the resized
/// image without one). Computed exactly as preprocess() computes them; BadImage when the resize
/// is empty or the crop does not fit. core/analysis/source_mapping.h maps patches back with it.
struct ResizeCropGeometry {
    int resizedW = 0;
    int resizedH = 0;
    int cropLeft = 0;
    int cropTop = 0;
    int outW = 0;
    int outH = 0;
};
Result<ResizeCropGeometry> resizeCropGeometry(int width, int height,
                                              const PreprocessRecipe& recipe);

}  // namespace vitscope::core
