#pragma once
/// Tensor aliases used throughout vitscope (one place, as Sophus' types.hpp).
///
/// Axis convention: matrices are row-major with one row per token, exactly like PyTorch's
/// (batch-free) activations `x[token, channel]`. A linear layer's weight is stored as PyTorch
/// stores it, `(out, in)`, and applied as `x * W^T`. Images are planar `(C, H, W)` float buffers.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace vitscope::core {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using VectorMap = Eigen::Map<Vector>;
using ConstVectorMap = Eigen::Map<const Vector>;

/// A planar float image, `(channels, height, width)`, row-major within each plane.
struct ImageTensor {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> data;  // (C, H, W)

    float& at(int c, int y, int x) {
        return data[(static_cast<size_t>(c) * height + y) * width + x];
    }
    float at(int c, int y, int x) const {
        return data[(static_cast<size_t>(c) * height + y) * width + x];
    }
    bool empty() const { return data.empty(); }
};

}  // namespace vitscope::core
