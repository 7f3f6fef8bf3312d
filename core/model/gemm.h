#pragma once
/// The one seam for the forward pass's dense products: C = A B^T (+ bias), on raw pointers and
/// row strides, so that a column block of a wider matrix can be the output. Two backends:
/// oneDNN's sgemm (when vitscope was built with it: its kernels are chosen at run time for the
/// CPU, AVX-512 / AVX2 / SSE4.1, whatever the compiler flags) and Eigen, the reference the tests
/// check oneDNN against.

#include <cstdint>
#include <memory>
#include <vector>

namespace vitscope::core {

enum class GemmBackend { Eigen, OneDnn };

/// OneDnn when built with it (VITSCOPE_ONEDNN), else Eigen.
GemmBackend defaultGemmBackend();
/// Process-wide; tests switch it to compare the two.
void setGemmBackend(GemmBackend backend);
GemmBackend gemmBackend();
bool oneDnnAvailable();

/// Weights of one linear layer (or several with the same input, side by side: q | k | v),
/// reordered once into oneDNN's blocked layout for its matmul, with their bias. oneDNN's sgemm
/// packs the weights again on every call; its matmul on weights packed once runs the same
/// products 10-40 % faster on ViT-B's shapes. What the reorder costs: a copy of those weights,
/// in transparent huge pages (the original's pages may then be released, see packLinear).
/// Immutable once built (matmul kernels for new row counts are added under a lock); safe to use
/// from concurrent forwards.
struct PackedLinear;
using PackedLinearPtr = std::shared_ptr<const PackedLinear>;

/// One (out_i, in) weight and its (out_i) bias (may be null) of the layers packLinear fuses.
struct LinearPart {
    const float* weight = nullptr;
    const float* bias = nullptr;
    int64_t out = 0;
};

/// Packs `parts` (all of input width `in`, outputs concatenated in order) for inputs of about
/// `rows` rows. Null without oneDNN, when the product is below the size where oneDNN pays, or
/// when oneDNN has no matmul for it here: the caller then keeps gemmABt on the original.
/// With `releaseOriginal`, the original weights' pages are dropped from the process when they
/// are a checkpoint mapped from its file (madvise(MADV_DONTNEED): the page cache keeps them and
/// a later read maps them again); owned memory is left as it is. `scratch` (may be
/// null) holds the parts side by side while they are reordered; pass one for many calls.
PackedLinearPtr packLinear(const LinearPart* parts, int count, int64_t in, int64_t rows,
                           bool releaseOriginal, std::vector<float>* scratch = nullptr);

/// Drops the whole pages of `count` floats at `weights` from the process when they are mapped
/// from a checkpoint file, content kept (see packLinear; nothing without oneDNN, where nothing
/// is packed).
void releaseWeightPages(const float* weights, int64_t count);

/// Products run on packed weights so far (process-wide): for tests and `vitscope-cli bench`.
int64_t packedProducts();

namespace detail {

/// y = x W^T + b with packed weights: x is m x in with row stride ldx, y is m x out with row
/// stride ldy. False (nothing written) when oneDNN cannot run this shape; the caller then uses
/// gemmABt. Threads: the calling thread's OpenMP thread count.
bool linearPacked(const PackedLinear& packed, const float* x, int64_t ldx, float* y, int64_t ldy,
                  int64_t m);

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
