#include "core/model/gemm.h"

#include <Eigen/Core>
#include <atomic>

#include "core/tensor.h"

#ifdef VITSCOPE_ONEDNN
#include <dnnl.h>
#endif

namespace vitscope::core {

namespace {

std::atomic<GemmBackend> gBackend{defaultGemmBackend()};

using Stride = Eigen::OuterStride<>;
using ConstStrided = Eigen::Map<const Matrix, Eigen::Unaligned, Stride>;
using Strided = Eigen::Map<Matrix, Eigen::Unaligned, Stride>;

void addBias(float* c, int64_t ldc, int64_t m, int64_t n, const float* bias) {
    Strided out(c, m, n, Stride(ldc));
    out.rowwise() += ConstVectorMap(bias, n).transpose();
}

}  // namespace

GemmBackend defaultGemmBackend() {
#ifdef VITSCOPE_ONEDNN
    return GemmBackend::OneDnn;
#else
    return GemmBackend::Eigen;
#endif
}

bool oneDnnAvailable() { return defaultGemmBackend() == GemmBackend::OneDnn; }

void setGemmBackend(GemmBackend backend) {
    gBackend.store(oneDnnAvailable() ? backend : GemmBackend::Eigen);
}

GemmBackend gemmBackend() { return gBackend.load(); }

namespace detail {

namespace {

/// The one implementation: op(b) = b^T when transB.
void gemm(bool transB, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc, int64_t m, int64_t n, int64_t k, const float* bias, float alpha) {
    if (m == 0 || n == 0) {
        return;
    }
#ifdef VITSCOPE_ONEDNN
    // Below ~1M multiply-adds Eigen is as fast, and it spares the process oneDNN's start-up
    // (~35-60 ms of kernel generation on the first call): the bundled model never pays it.
    constexpr int64_t kOneDnnMinMacs = int64_t{1} << 20;
    if (gBackend.load(std::memory_order_relaxed) == GemmBackend::OneDnn && k > 0 &&
        m * n * k >= kOneDnnMinMacs) {
        // Row-major C = alpha A op(B). Fails only on invalid sizes, which callers never pass.
        if (dnnl_sgemm('N', transB ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, 0.0f, c, ldc) ==
            dnnl_success) {
            if (bias != nullptr) {
                addBias(c, ldc, m, n, bias);
            }
            return;
        }
    }
#endif
    Strided out(c, m, n, Stride(ldc));
    const ConstStrided left(a, m, k, Stride(lda));
    if (transB) {
        out.noalias() = alpha * left * ConstStrided(b, n, k, Stride(ldb)).transpose();
    } else {
        out.noalias() = alpha * left * ConstStrided(b, k, n, Stride(ldb));
    }
    if (bias != nullptr) {
        addBias(c, ldc, m, n, bias);
    }
}

}  // namespace

void gemmABt(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
             int64_t m, int64_t n, int64_t k, const float* bias, float alpha) {
    gemm(true, a, lda, b, ldb, c, ldc, m, n, k, bias, alpha);
}

void gemmAB(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
            int64_t m, int64_t n, int64_t k, float alpha) {
    gemm(false, a, lda, b, ldb, c, ldc, m, n, k, nullptr, alpha);
}

}  // namespace detail
}  // namespace vitscope::core
