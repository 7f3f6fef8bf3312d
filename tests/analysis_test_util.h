#pragma once
// Small builders shared by the core analysis tests.
#include <vector>

#include "core/model/inference_result.h"
#include "core/tensor.h"

namespace vitscope::test {

/// A layout with `numPrefix` prefix tokens (the first one the class token) before a grid.
inline core::TokenLayout makeLayout(int numPrefix, int gridH, int gridW) {
    core::TokenLayout layout;
    layout.numPrefix = numPrefix;
    layout.clsIndex = numPrefix > 0 ? 0 : -1;
    layout.gridH = gridH;
    layout.gridW = gridW;
    return layout;
}

/// A (rows, cols) row-major matrix from its values.
inline core::Matrix fromValues(int rows, int cols, std::vector<float> values) {
    return core::ConstMatrixMap(values.data(), rows, cols);
}

}  // namespace vitscope::test
