#pragma once
/// The one seam for the forward pass's dense products: C = A B^T (+ bias), on raw pointers and
/// row strides, so that a column block of a wider matrix can be the output. Two backends:
/// oneDNN's sgemm (when vitscope was built with it: its kernels are chosen at run time for the
/// CPU, AVX-512 / AVX2 / SSE4.1, whatever the compiler flags) and Eigen, the reference the tests
/// check oneDNN against.

#include <cstdint>

namespace vitscope::core {

enum class GemmBackend { Eigen, OneDnn };

/// OneDnn when built with it (VITSCOPE_ONEDNN), else Eigen.
GemmBackend defaultGemmBackend();
/// Process-wide; tests switch it to compare the two.
void setGemmBackend(GemmBackend backend);
GemmBackend gemmBackend();
bool oneDnnAvailable();

namespace detail {

/// c = alpha * a * op(b) (+ bias on every row; bias may be null). a: m x k with row stride
/// lda; op(b) = b^T for gemmABt, where b is n x k (a weight matrix, out x in), and b for gemmAB,
/// where b is k x n; both with row stride ldb. c: m x n with row stride ldc. Threads: the
/// calling thread's OpenMP thread count (one inside a parallel region).
void gemmABt(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
             int64_t m, int64_t n, int64_t k, const float* bias, float alpha = 1.0f);
void gemmAB(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
            int64_t m, int64_t n, int64_t k, float alpha = 1.0f);

}  // namespace detail
}  // namespace vitscope::core
