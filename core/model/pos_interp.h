#pragma once
/// Resampling a grid of embedding vectors (the patch part of a position table) to another grid,
/// reproducing PyTorch's F.interpolate on a (1, D, gh, gw) tensor with align_corners=False.

#include "core/model/vit_config.h"
#include "core/tensor.h"

namespace vitscope::core {

/// src: (srcH*srcW, D) rows in row-major grid order. Returns (dstH*dstW, D).
Matrix resampleGrid(const ConstMatrixMap& src, int srcH, int srcW, int dstH, int dstW,
                    PosInterp interp);

}  // namespace vitscope::core
