#include "core/model/layers.h"

#include <cmath>

namespace vitscope::core::detail {

void layerNorm(const Matrix& x, const NormWeights& norm, float eps, Matrix& out) {
    const Eigen::Index n = x.rows();
    const Eigen::Index d = x.cols();
    out.resize(n, d);
    ConstVectorMap w(norm.weight, d);
    ConstVectorMap b(norm.bias, d);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto row = x.row(i);
        const float mean = row.mean();
        const float var = (row.array() - mean).square().mean();
        const float inv = 1.0f / std::sqrt(var + eps);
        out.row(i) =
            ((row.array() - mean) * inv * w.transpose().array() + b.transpose().array()).matrix();
    }
}

void activate(Matrix& x, Activation act) {
    float* p = x.data();
    const Eigen::Index n = x.size();
    switch (act) {
        case Activation::GeluErf:
            for (Eigen::Index i = 0; i < n; ++i) {
                p[i] = 0.5f * p[i] * (1.0f + std::erf(p[i] * 0.70710678118654752f));
            }
            break;
        case Activation::GeluTanh: {
            constexpr float kC = 0.79788456080286536f;  // sqrt(2 / pi)
            for (Eigen::Index i = 0; i < n; ++i) {
                const float v = p[i];
                p[i] = 0.5f * v * (1.0f + std::tanh(kC * (v + 0.044715f * v * v * v)));
            }
            break;
        }
        case Activation::QuickGelu:
            for (Eigen::Index i = 0; i < n; ++i) p[i] = p[i] / (1.0f + std::exp(-1.702f * p[i]));
            break;
        case Activation::Relu:
            x = x.cwiseMax(0.0f);
            break;
    }
}

template <typename M>
static void softmaxRowsImpl(M& x) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        auto row = x.row(i);
        const float mx = row.maxCoeff();
        row = (row.array() - mx).exp().matrix();
        row /= row.sum();
    }
}

void softmaxRows(MatrixMap x) { softmaxRowsImpl(x); }
void softmaxRows(Matrix& x) { softmaxRowsImpl(x); }

}  // namespace vitscope::core::detail
