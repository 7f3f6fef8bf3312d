#include "core/model/vit_config.h"

#include <sstream>

namespace vitscope::core {

const char* toString(Activation a) {
    switch (a) {
        case Activation::GeluErf:
            return "gelu (exact erf)";
        case Activation::GeluTanh:
            return "gelu (tanh approximation)";
        case Activation::QuickGelu:
            return "quick gelu (x * sigmoid(1.702 x))";
        case Activation::Relu:
            return "relu";
    }
    return "?";
}

const char* toString(Pooling p) {
    switch (p) {
        case Pooling::ClassToken:
            return "class token";
        case Pooling::MeanPatches:
            return "mean of patch tokens";
        case Pooling::ClassAndMeanPatches:
            return "[class token, mean of patch tokens]";
    }
    return "?";
}

const char* toString(PosLayout p) {
    switch (p) {
        case PosLayout::EveryPrefix:
            return "every prefix token has a position";
        case PosLayout::ClassOnly:
            return "class position only; registers added after positions";
        case PosLayout::PatchesOnly:
            return "patches only (class position folded into cls_token)";
        case PosLayout::None:
            return "no learned position embeddings";
    }
    return "?";
}

const char* toString(PosInterp p) {
    switch (p) {
        case PosInterp::Bicubic:
            return "bicubic";
        case PosInterp::BicubicAntialias:
            return "bicubic-aa";
        case PosInterp::Bilinear:
            return "bilinear";
    }
    return "?";
}

int VitConfig::posPrefixEntries() const {
    switch (posLayout) {
        case PosLayout::EveryPrefix:
            return numPrefixTokens();
        case PosLayout::ClassOnly:
            return classToken ? 1 : 0;
        case PosLayout::PatchesOnly:
        case PosLayout::None:
            return 0;
    }
    return 0;
}

Result<VitConfig::Grid> VitConfig::gridFor(int inputH, int inputW) const {
    if (patchSize <= 0 || inputH <= 0 || inputW <= 0 || inputH % patchSize != 0 ||
        inputW % patchSize != 0) {
        std::ostringstream os;
        os << "input size " << inputH << "x" << inputW
           << " is not a positive multiple of the patch size " << patchSize;
        return makeError(ErrorCode::Usage, os.str());
    }
    return Grid{inputH / patchSize, inputW / patchSize};
}

Status VitConfig::validate() const {
    auto fail = [](const std::string& m) -> Status { return makeError(ErrorCode::BadModel, m); };
    if (channels < 1 || channels > 4)
        return fail("num_channels " + std::to_string(channels) + ", expected 1..4");
    if (patchSize < 1 || patchSize > 1024)
        return fail("patch size " + std::to_string(patchSize) + " out of range");
    if (embedDim < 1 || embedDim > 65536)
        return fail("embedding width " + std::to_string(embedDim) + " out of range");
    if (depth < 1 || depth > 1000)
        return fail("depth " + std::to_string(depth) + " out of range");
    if (numHeads < 1)
        return fail("number of heads " + std::to_string(numHeads) + ", expected >= 1");
    if (embedDim % numHeads != 0) {
        return fail("embedding width " + std::to_string(embedDim) + " is not divisible by " +
                    std::to_string(numHeads) + " heads");
    }
    if (mlpDim < 1 || mlpDim > 1 << 20)
        return fail("MLP width " + std::to_string(mlpDim) + " out of range");
    if (imageH <= 0 || imageW <= 0 || imageH % patchSize != 0 || imageW % patchSize != 0) {
        return fail("image size " + std::to_string(imageH) + "x" + std::to_string(imageW) +
                    " is not a multiple of the patch size " + std::to_string(patchSize));
    }
    if (numRegisters < 0 || numRegisters > 1024)
        return fail("register count out of range");
    if (!classToken &&
        (pooling == Pooling::ClassToken || pooling == Pooling::ClassAndMeanPatches)) {
        return fail(std::string("pooling '") + toString(pooling) +
                    "' needs a class token, which the model lacks");
    }
    if (distHead && !distToken)
        return fail("a distillation head without a distillation token");
    if (numClasses < 0)
        return fail("negative number of classes");
    if (!(layerNormEps > 0.0f) || layerNormEps > 1.0f)
        return fail("layer_norm_eps out of range");
    return Ok{};
}

std::string VitConfig::summary() const {
    std::ostringstream os;
    os << "ViT D=" << embedDim << " depth=" << depth << " heads=" << numHeads << " mlp=" << mlpDim
       << " patch=" << patchSize << " grid=" << gridH() << "x" << gridW()
       << " tokens=" << numTokens();
    return os.str();
}

}  // namespace vitscope::core
