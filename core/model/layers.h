#pragma once
/// The ViT's building blocks as pure functions over row-per-token matrices (llama2.c style).
/// They write into caller-owned outputs so the forward pass can reuse its buffers.

#include "core/model/gemm.h"
#include "core/model/vit_config.h"
#include "core/model/vit_weights.h"
#include "core/tensor.h"

namespace vitscope::core::detail {

/// out = LayerNorm(x) over each row (biased variance, PyTorch semantics). x, out: (N, D); may
/// alias.
void layerNorm(const Matrix& x, const NormWeights& norm, float eps, Matrix& out);

/// out = x W^T + b through the GEMM seam (core/model/gemm.h): oneDNN's matmul on `packed` (the
/// same weights and bias, may be null) when it can, else gemmABt. x: (N, in); out: (N, out) or a
/// column block of a wider row-major matrix.
template <typename Out>
void linear(const Matrix& x, const LinearWeights& lin, Out&& out,
            const PackedLinearPtr& packed = nullptr) {
    eigen_assert(x.cols() == lin.in && out.rows() == x.rows() && out.cols() == lin.out);
    if (packed &&
        linearPacked(*packed, x.data(), x.cols(), out.data(), out.outerStride(), x.rows())) {
        return;
    }
    gemmABt(x.data(), x.cols(), lin.weight, lin.in, out.data(), out.outerStride(), x.rows(),
            lin.out, lin.in, lin.bias);
}

/// In-place activation over every element.
void activate(Matrix& x, Activation act);

/// In-place numerically stable softmax of each row.
void softmaxRows(MatrixMap x);
void softmaxRows(Matrix& x);

}  // namespace vitscope::core::detail
