#include "core/model/attention_stack.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace vitscope::core {
namespace {

uint64_t saturatingProduct(std::initializer_list<uint64_t> factors) {
    uint64_t out = 1;
    for (uint64_t f : factors) {
        if (__builtin_mul_overflow(out, f, &out))
            return std::numeric_limits<uint64_t>::max();
    }
    return out;
}

uint64_t saturatingSum(uint64_t a, uint64_t b) {
    uint64_t out = 0;
    return __builtin_add_overflow(a, b, &out) ? std::numeric_limits<uint64_t>::max() : out;
}

/// Floats of one Rebuilt layer: Q·s and K (N, H*hd) each, lse (H, N).
uint64_t rebuiltLayerFloats(int heads, int tokens, int headDim) {
    return saturatingSum(
        saturatingProduct({2, uint64_t(tokens), uint64_t(heads), uint64_t(headDim)}),
        saturatingProduct({uint64_t(heads), uint64_t(tokens)}));
}

}  // namespace

const char* toString(AttentionStorage storage) {
    return storage == AttentionStorage::Full ? "full" : "rebuilt";
}

AttentionStack::AttentionStack(int layers, int heads, int tokens)
    : mLayers(layers),
      mHeads(heads),
      mTokens(tokens),
      mData(static_cast<size_t>(layers) * heads * tokens * tokens) {}

AttentionStack AttentionStack::rebuilt(int layers, int heads, int tokens, int headDim) {
    AttentionStack s;
    s.mStorage = AttentionStorage::Rebuilt;
    s.mLayers = layers;
    s.mHeads = heads;
    s.mTokens = tokens;
    s.mHeadDim = headDim;
    s.mData.resize(static_cast<size_t>(layers) * rebuiltLayerFloats(heads, tokens, headDim));
    return s;
}

uint64_t AttentionStack::bytes() const { return uint64_t(mData.size()) * sizeof(float); }

uint64_t AttentionStack::fullBytes(int layers, int heads, int tokens) {
    return saturatingProduct(
        {uint64_t(layers), uint64_t(heads), uint64_t(tokens), uint64_t(tokens), sizeof(float)});
}

uint64_t AttentionStack::rebuiltBytes(int layers, int heads, int tokens, int headDim) {
    return saturatingProduct(
        {uint64_t(layers), rebuiltLayerFloats(heads, tokens, headDim), sizeof(float)});
}

const float* AttentionStack::fullPtr(int layer, int head) const {
    assert(isFull());
    assert(layer >= 0 && layer < mLayers && head >= 0 && head < mHeads);
    return mData.data() + (static_cast<size_t>(layer) * mHeads + head) * mTokens * mTokens;
}

ConstMatrixMap AttentionStack::at(int layer, int head) const {
    return ConstMatrixMap(fullPtr(layer, head), mTokens, mTokens);
}

MatrixMap AttentionStack::at(int layer, int head) {
    return MatrixMap(const_cast<float*>(fullPtr(layer, head)), mTokens, mTokens);
}

const float* AttentionStack::layerPtr(int layer) const {
    assert(!isFull());
    assert(layer >= 0 && layer < mLayers);
    return mData.data() +
           static_cast<size_t>(layer) * rebuiltLayerFloats(mHeads, mTokens, mHeadDim);
}

MatrixMap AttentionStack::queries(int layer) {
    return MatrixMap(const_cast<float*>(layerPtr(layer)), mTokens,
                     static_cast<Eigen::Index>(mHeads) * mHeadDim);
}

MatrixMap AttentionStack::keys(int layer) {
    const size_t width = static_cast<size_t>(mHeads) * mHeadDim;
    return MatrixMap(const_cast<float*>(layerPtr(layer)) + mTokens * width, mTokens,
                     static_cast<Eigen::Index>(width));
}

MatrixMap AttentionStack::lse(int layer) {
    return MatrixMap(const_cast<float*>(lseOf(layer).data()), mHeads, mTokens);
}

ConstMatrixMap AttentionStack::lseOf(int layer) const {
    const size_t width = static_cast<size_t>(mHeads) * mHeadDim;
    return ConstMatrixMap(layerPtr(layer) + 2 * mTokens * width, mHeads, mTokens);
}

Eigen::Map<const Matrix, 0, Eigen::OuterStride<>> AttentionStack::headQueries(int layer,
                                                                              int head) const {
    const Eigen::Index width = static_cast<Eigen::Index>(mHeads) * mHeadDim;
    return {layerPtr(layer) + static_cast<size_t>(head) * mHeadDim, mTokens, mHeadDim,
            Eigen::OuterStride<>(width)};
}

Eigen::Map<const Matrix, 0, Eigen::OuterStride<>> AttentionStack::headKeys(int layer,
                                                                           int head) const {
    const Eigen::Index width = static_cast<Eigen::Index>(mHeads) * mHeadDim;
    return {layerPtr(layer) + mTokens * width + static_cast<size_t>(head) * mHeadDim, mTokens,
            mHeadDim, Eigen::OuterStride<>(width)};
}

void AttentionStack::row(int layer, int head, int query, float* out) const {
    assert(query >= 0 && query < mTokens);
    VectorMap dst(out, mTokens);
    if (isFull()) {
        dst = at(layer, head).row(query).transpose();
        return;
    }
    const float lseQ = lseOf(layer)(head, query);
    dst.noalias() = headKeys(layer, head) * headQueries(layer, head).row(query).transpose();
    dst = (dst.array() - lseQ).exp().matrix();
}

void AttentionStack::column(int layer, int head, int key, float* out) const {
    assert(key >= 0 && key < mTokens);
    VectorMap dst(out, mTokens);
    if (isFull()) {
        dst = at(layer, head).col(key);
        return;
    }
    const auto lseRow = lseOf(layer).row(head);
    dst.noalias() = headQueries(layer, head) * headKeys(layer, head).row(key).transpose();
    dst = (dst.array() - lseRow.transpose().array()).exp().matrix();
}

Matrix AttentionStack::matrix(int layer, int head) const {
    if (isFull())
        return at(layer, head);
    const auto lseRow = lseOf(layer).row(head);
    Matrix m(mTokens, mTokens);
    m.noalias() = headQueries(layer, head) * headKeys(layer, head).transpose();
    m.array().colwise() -= lseRow.transpose().array();
    m = m.array().exp().matrix();
    return m;
}

}  // namespace vitscope::core
