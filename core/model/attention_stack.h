#pragma once
/// AttentionStack: the attention probabilities of every layer and head of one forward pass, held
/// either whole or in a compact form from which any row or column is rebuilt on demand.

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace vitscope::core {

/// How a forward pass keeps its attention (chosen by planForward in core/model/memory_plan.h).
enum class AttentionStorage {
    Full,     ///< every probability: layers x heads x tokens x tokens floats
    Rebuilt,  ///< per layer the queries, keys and each row's log-sum-exp; rows rebuilt on demand
};
const char* toString(AttentionStorage storage);
/// Query rows a Rebuilt forward scores at a time per head (its scratch is this many rows).
inline constexpr int kRebuiltRowBlock = 256;

/// Row q of a head's matrix is where query token q attends (each row sums to 1).
///
/// Full: one contiguous float buffer (layers, heads, tokens, tokens), readable through at().
/// Rebuilt: for each layer the scaled queries Q·s and keys K (tokens, heads*headDim each) and
/// lse(head, q) = log sum_j exp(s q_q·k_j); then p(q, j) = exp(s q_q·k_j - lse(q)), the same
/// softmax the forward computed, to float rounding (the tests hold it to 1e-6 of the Full
/// storage). A head's row or column costs tokens*headDim multiply-adds; a whole matrix
/// tokens² * headDim.
class AttentionStack {
public:
    AttentionStack() = default;
    /// Full storage, zero-filled.
    AttentionStack(int layers, int heads, int tokens);
    /// Rebuilt storage, zero-filled; the forward fills queries(), keys() and lse().
    static AttentionStack rebuilt(int layers, int heads, int tokens, int headDim);

    int layers() const { return mLayers; }
    int heads() const { return mHeads; }
    int tokens() const { return mTokens; }
    bool empty() const { return mLayers == 0 || mHeads == 0 || mTokens == 0; }
    AttentionStorage storage() const { return mStorage; }
    bool isFull() const { return mStorage == AttentionStorage::Full; }
    /// Bytes this stack holds.
    uint64_t bytes() const;

    /// (tokens, tokens) view of one head. Full storage only (asserted).
    ConstMatrixMap at(int layer, int head) const;
    MatrixMap at(int layer, int head);
    /// Aligned like Eigen's own buffers: vectorised softmax and reductions then take the same
    /// path on every run, so the same input gives bit-identical output.
    using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;
    /// The Full buffer (empty for Rebuilt storage).
    const Buffer& raw() const { return mData; }

    /// Row `query` of one head (where it attends) into `out` (tokens floats). Any storage.
    void row(int layer, int head, int query, float* out) const;
    /// Column `key` of one head (how much each query attends to it) into `out`. Any storage.
    void column(int layer, int head, int key, float* out) const;
    /// One head's whole (tokens, tokens) matrix; a copy of at() or rebuilt.
    Matrix matrix(int layer, int head) const;

    /// Rebuilt storage, written by the forward: (tokens, heads*headDim) scaled queries and keys
    /// of `layer`, and (heads, tokens) log-sum-exp per row.
    MatrixMap queries(int layer);
    MatrixMap keys(int layer);
    MatrixMap lse(int layer);

    /// Bytes each storage needs, computed without overflow (saturating at UINT64_MAX).
    static uint64_t fullBytes(int layers, int heads, int tokens);
    static uint64_t rebuiltBytes(int layers, int heads, int tokens, int headDim);

private:
    const float* fullPtr(int layer, int head) const;
    const float* layerPtr(int layer) const;
    ConstMatrixMap lseOf(int layer) const;
    // Rebuilt: head `head`'s slice of (Q·s, K) and its lse row.
    Eigen::Map<const Matrix, 0, Eigen::OuterStride<>> headQueries(int layer, int head) const;
    Eigen::Map<const Matrix, 0, Eigen::OuterStride<>> headKeys(int layer, int head) const;

    AttentionStorage mStorage = AttentionStorage::Full;
    int mLayers = 0;
    int mHeads = 0;
    int mTokens = 0;
    int mHeadDim = 0;
    Buffer
        mData;  // Full: (L, H, N, N). Rebuilt: per layer [Q·s (N, H*hd) | K (N, H*hd) | lse (H, N)]
};

}  // namespace vitscope::core
