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

const char* toString(ConfigField f) {
    switch (f) {
        case ConfigField::Channels:
            return "num_channels";
        case ConfigField::PatchSize:
            return "patch_size";
        case ConfigField::ImageSize:
            return "image_size";
        case ConfigField::EmbedDim:
            return "hidden_size";
        case ConfigField::Depth:
            return "num_hidden_layers";
        case ConfigField::NumHeads:
            return "num_attention_heads";
        case ConfigField::MlpDim:
            return "intermediate_size";
        case ConfigField::Registers:
            return "num_register_tokens";
        case ConfigField::Pooling:
            return "pooling";
        case ConfigField::DistHead:
            return "distillation head";
        case ConfigField::NumClasses:
            return "number of classes";
        case ConfigField::LayerNormEps:
            return "layer_norm_eps";
    }
    return "?";
}

namespace {

std::optional<VitConfig::Issue> outOfRange(ConfigField f, int value, int lo, int hi) {
    if (value >= lo && value <= hi)
        return std::nullopt;
    return VitConfig::Issue{f, std::to_string(value),
                            "must be from " + std::to_string(lo) + " to " + std::to_string(hi)};
}

}  // namespace

std::optional<VitConfig::Issue> VitConfig::check() const {
    using F = ConfigField;
    namespace L = limits;
    for (auto issue : {outOfRange(F::Channels, channels, 1, L::kMaxChannels),
                       outOfRange(F::PatchSize, patchSize, 1, L::kMaxPatchSize),
                       outOfRange(F::EmbedDim, embedDim, 1, L::kMaxEmbedDim),
                       outOfRange(F::Depth, depth, 1, L::kMaxDepth),
                       outOfRange(F::NumHeads, numHeads, 1, L::kMaxHeads),
                       outOfRange(F::MlpDim, mlpDim, 1, L::kMaxMlpDim),
                       outOfRange(F::Registers, numRegisters, 0, L::kMaxRegisters),
                       outOfRange(F::NumClasses, numClasses, 0, L::kMaxClasses)}) {
        if (issue)
            return issue;
    }
    if (embedDim % numHeads != 0) {
        return Issue{F::NumHeads, std::to_string(numHeads),
                     "does not divide the embedding width " + std::to_string(embedDim)};
    }
    const std::string size = std::to_string(imageH) + "x" + std::to_string(imageW);
    if (imageH <= 0 || imageW <= 0 || imageH > L::kMaxImageSide || imageW > L::kMaxImageSide)
        return Issue{F::ImageSize, size,
                     "must be from 1 to " + std::to_string(L::kMaxImageSide) + " per side"};
    if (imageH % patchSize != 0 || imageW % patchSize != 0)
        return Issue{F::ImageSize, size,
                     "is not a multiple of the patch size " + std::to_string(patchSize)};
    if (static_cast<int64_t>(gridH()) * gridW() > L::kMaxTrainedPatches)
        return Issue{F::ImageSize, size,
                     "gives " + std::to_string(gridH()) + "x" + std::to_string(gridW()) +
                         " patches, more than " + std::to_string(L::kMaxTrainedPatches)};
    if (!classToken &&
        (pooling == Pooling::ClassToken || pooling == Pooling::ClassAndMeanPatches)) {
        return Issue{F::Pooling, std::string("'") + toString(pooling) + "'",
                     "needs a class token, which the model lacks"};
    }
    if (distHead && !distToken)
        return Issue{F::DistHead, "present", "needs a distillation token, which the model lacks"};
    if (!(layerNormEps > 0.0f) || layerNormEps > 1.0f) {
        std::ostringstream os;
        os << layerNormEps;
        return Issue{F::LayerNormEps, os.str(), "must be greater than 0 and at most 1"};
    }
    return std::nullopt;
}

Status VitConfig::validate() const {
    if (auto issue = check()) {
        return makeError(ErrorCode::BadModel, std::string(toString(issue->field)) + " " +
                                                  issue->value + " " + issue->problem);
    }
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
