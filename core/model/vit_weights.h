#pragma once
/// VitWeights: pointers into the float tensors of a loaded checkpoint, in one canonical layout
/// whatever the file's naming. Linear weights are PyTorch's (out, in); formats that store them
/// otherwise (Google's HWIO / (in, heads, headDim) kernels) are converted once at load.

#include <vector>

#include "core/io/tensor_store.h"
#include "core/tensor.h"

namespace vitscope::core {

struct LinearWeights {
    const float* weight = nullptr;  // (out, in)
    const float* bias = nullptr;    // (out) or null
    int out = 0;
    int in = 0;
    ConstMatrixMap matrix() const { return ConstMatrixMap(weight, out, in); }
    bool present() const { return weight != nullptr; }
};

struct NormWeights {
    const float* weight = nullptr;  // (D)
    const float* bias = nullptr;    // (D)
    int dim = 0;
    bool present() const { return weight != nullptr; }
};

struct BlockWeights {
    NormWeights norm1;                   // (D)
    LinearWeights query, key, value;     // each (D, D); may be row blocks of a fused qkv
    LinearWeights proj;                  // (D, D)
    const float* layerScale1 = nullptr;  // (D) or null
    NormWeights norm2;                   // (D)
    LinearWeights fc1;                   // (mlpDim, D)
    LinearWeights fc2;                   // (D, mlpDim)
    const float* layerScale2 = nullptr;  // (D) or null
};

struct VitWeights {
    LinearWeights patchEmbed;          // (D, C*P*P), conv kernel flattened in (c, ky, kx) order
    const float* clsToken = nullptr;   // (D)
    const float* distToken = nullptr;  // (D)
    const float* registers = nullptr;  // (numRegisters, D)
    const float* posEmbed =
        nullptr;  // (numPosEntries, D): prefix entries first, then patches row-major
    NormWeights normPre;
    std::vector<BlockWeights> blocks;  // depth
    NormWeights norm;
    NormWeights fcNorm;
    LinearWeights preLogits;  // (D, D) followed by tanh
    LinearWeights head;       // (classes, pooledDim)
    LinearWeights headDist;   // (classes, D)
    TensorStore storage;      // owns or maps the floats above
};

}  // namespace vitscope::core
