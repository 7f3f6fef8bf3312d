#pragma once
/// What one forward pass produces and the UI/analysis consume. Immutable once returned.

#include <string>
#include <vector>

#include "core/tensor.h"

namespace vitscope::core {

/// Where each kind of token sits in the sequence: [class][dist][registers...][patches...].
/// Patch tokens are in row-major grid order: token = numPrefix + r * gridW + c.
struct TokenLayout {
    int numPrefix = 0;
    int clsIndex = -1;       ///< -1 when the model has no class token
    int distIndex = -1;      ///< -1 without a distillation token
    int firstRegister = -1;  ///< -1 without registers
    int numRegisters = 0;
    int gridH = 0;
    int gridW = 0;

    int numPatches() const { return gridH * gridW; }
    int numTokens() const { return numPrefix + numPatches(); }
    int patchToken(int row, int col) const { return numPrefix + row * gridW + col; }
    bool isPatch(int token) const { return token >= numPrefix && token < numTokens(); }
    // Names for people: core/model/token_names.h.
};

/// Attention probabilities of every layer and head, one contiguous float buffer
/// (layers, heads, tokens, tokens); row q of a head's matrix is where query token q attends
/// (each row sums to 1).
class AttentionStack {
public:
    AttentionStack() = default;
    AttentionStack(int layers, int heads, int tokens)
        : mLayers(layers),
          mHeads(heads),
          mTokens(tokens),
          mData(static_cast<size_t>(layers) * heads * tokens * tokens) {}

    int layers() const { return mLayers; }
    int heads() const { return mHeads; }
    int tokens() const { return mTokens; }
    bool empty() const { return mData.empty(); }

    /// (tokens, tokens) view of one head.
    ConstMatrixMap at(int layer, int head) const {
        return ConstMatrixMap(ptr(layer, head), mTokens, mTokens);
    }
    MatrixMap at(int layer, int head) { return MatrixMap(ptr(layer, head), mTokens, mTokens); }
    /// Aligned like Eigen's own buffers: vectorised softmax and reductions then take the same
    /// path on every run, so the same input gives bit-identical output.
    using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;
    const Buffer& raw() const { return mData; }

private:
    float* ptr(int layer, int head) const {
        return const_cast<float*>(mData.data()) +
               (static_cast<size_t>(layer) * mHeads + head) * mTokens * mTokens;
    }
    int mLayers = 0;
    int mHeads = 0;
    int mTokens = 0;
    Buffer mData;  // (L, H, N, N)
};

struct InferenceResult {
    int inputH = 0;  ///< pixel size of the input the model ran on
    int inputW = 0;
    TokenLayout tokens;
    AttentionStack attention;  ///< (L, H, N, N)
    Vector logits;             ///< (classes); empty when the model has no head
    Vector probabilities;      ///< softmax(logits); empty when the model has no head
    Vector features;           ///< (pooledDim) the vector the head sees, after the final norm
    Matrix hidden;             ///< (N, D) all tokens after the final norm
};

}  // namespace vitscope::core
