#pragma once
/// VitConfig: hyperparameters of a Vision Transformer and every dimension derived from them.
/// Shape arithmetic lives here and nowhere else (STYLE.md §4).

#include <optional>
#include <string>

#include "core/result.h"

namespace vitscope::core {

enum class Activation { GeluErf, GeluTanh, QuickGelu, Relu };
/// What the head sees: the class token, the mean of the patch tokens (prefix tokens excluded),
/// or both concatenated ([class, mean]; DINOv2 classifiers, 2*D wide heads in timm).
enum class Pooling { ClassToken, MeanPatches, ClassAndMeanPatches };
/// Which tokens own a learned position entry (the number of entries in the checkpoint tells):
/// EveryPrefix  - class, distillation and register tokens each have one (ViT, DeiT): P + N rows;
/// ClassOnly    - the class token has one; registers are inserted after positions are added
///                (Hugging Face and original DINOv2 with registers): 1 + N rows;
/// PatchesOnly  - only patches; timm folds the class position into cls_token: N rows;
/// None         - the model has no learned absolute position embeddings.
enum class PosLayout { EveryPrefix, ClassOnly, PatchesOnly, None };
/// Resampling of the patch position grid for an input grid other than the trained one.
/// Bicubic: PyTorch F.interpolate(mode='bicubic', align_corners=False), a = -0.75, no antialias
/// (Hugging Face interpolate_pos_encoding). BicubicAntialias: antialias=True (timm's default).
/// Bilinear: mode='bilinear', align_corners=False.
enum class PosInterp { Bicubic, BicubicAntialias, Bilinear };

/// Upper bounds on what a checkpoint or config may declare, checked before anything is sized
/// from them. Generous for ViT-22B-class shapes (D 6144, depth 48, 48 heads, MLP 24576,
/// patch 14) and for inputs up to 8192 px; beyond them a file is refused, not allocated.
namespace limits {
inline constexpr int kMaxChannels = 4;
inline constexpr int kMaxPatchSize = 1024;
inline constexpr int kMaxImageSide = 8192;
inline constexpr int kMaxTrainedPatches = 1 << 16;  ///< 256x256 patches at the trained size
inline constexpr int kMaxEmbedDim = 65536;
inline constexpr int kMaxDepth = 1000;
inline constexpr int kMaxHeads = 4096;
inline constexpr int kMaxMlpDim = 1 << 20;
inline constexpr int kMaxRegisters = 1024;
inline constexpr int kMaxClasses = 1 << 17;  ///< 131072: ImageNet-21k has 21843, JFT 18291
}  // namespace limits

/// The settings VitConfig::check refuses, so a caller can say which file stated the value.
enum class ConfigField {
    Channels,
    PatchSize,
    ImageSize,
    EmbedDim,
    Depth,
    NumHeads,
    MlpDim,
    Registers,
    Pooling,
    DistHead,
    NumClasses,
    LayerNormEps,
};

const char* toString(Activation a);
const char* toString(Pooling p);
const char* toString(PosLayout p);
const char* toString(PosInterp p);
/// The Hugging Face config key of a setting ("patch_size"), for messages.
const char* toString(ConfigField f);

struct VitConfig {
    // Input the model was trained on.
    int channels = 3;
    int patchSize = 16;
    int imageH = 224;  ///< trained input height in pixels; the trained grid is imageH / patchSize
    int imageW = 224;

    // Encoder.
    int embedDim = 768;  ///< D
    int depth = 12;      ///< number of blocks
    int numHeads = 12;   ///< H
    int mlpDim = 3072;   ///< hidden width of each block's MLP
    bool qkvBias = true;
    bool layerScale = false;  ///< per-channel gamma on both residual branches (DINOv2, CaiT-style)
    bool normPre = false;     ///< LayerNorm on the embedded tokens before the first block (CLIP)
    bool finalNorm = true;    ///< LayerNorm on all tokens after the last block
    bool fcNorm = false;      ///< LayerNorm on the pooled vector (timm avg-pooled models)
    float layerNormEps = 1e-6f;
    Activation activation = Activation::GeluErf;

    // Tokens.
    bool classToken = true;
    bool distToken = false;  ///< DeiT distillation token, right after the class token
    int numRegisters = 0;    ///< DINOv2 / timm register tokens, after class (and dist)
    PosLayout posLayout = PosLayout::EveryPrefix;

    // Head.
    Pooling pooling = Pooling::ClassToken;
    bool preLogits = false;  ///< Dense + tanh representation layer before the head (Google npz)
    int numClasses = 0;      ///< 0: the model has no head and gives features
    bool distHead = false;   ///< a second head on the distillation token; logits are the mean

    bool headsGuessed = false;  ///< numHeads assumed (head width 64), not read from a config
    /// How this checkpoint's own library resamples positions for another input size (Hugging
    /// Face's Dinov2WithRegisters antialiases; ViT, DeiT, DINOv2 and the default here do not).
    PosInterp defaultPosInterp = PosInterp::Bicubic;

    // Derived dimensions (0 for a patch size that validate() refuses, never a division by 0).
    int gridH() const { return patchSize > 0 ? imageH / patchSize : 0; }  ///< trained grid
    int gridW() const { return patchSize > 0 ? imageW / patchSize : 0; }
    int numPatches() const { return gridH() * gridW(); }
    int numPrefixTokens() const {
        return (classToken ? 1 : 0) + (distToken ? 1 : 0) + numRegisters;
    }
    int numTokens() const { return numPrefixTokens() + numPatches(); }  ///< at the trained size
    int headDim() const { return numHeads > 0 ? embedDim / numHeads : 0; }
    int patchVectorSize() const { return channels * patchSize * patchSize; }  ///< C*P*P
    /// Rows of the position table that belong to prefix tokens, by layout.
    int posPrefixEntries() const;
    int numPosEntries() const {
        return posLayout == PosLayout::None ? 0 : posPrefixEntries() + numPatches();
    }
    int pooledDim() const {
        return pooling == Pooling::ClassAndMeanPatches ? 2 * embedDim : embedDim;
    }
    bool hasHead() const { return numClasses > 0; }

    /// Patch grid for an input of the given pixel size; fails unless both are positive
    /// multiples of the patch size.
    struct Grid {
        int h = 0;
        int w = 0;
    };
    Result<Grid> gridFor(int inputH, int inputW) const;

    /// A refused setting: which one, its value ("0", "224x200") and what is wrong with it
    /// ("must be from 1 to 1024").
    struct Issue {
        ConfigField field;
        std::string value;
        std::string problem;
    };
    /// Rejects inconsistent settings: embedDim % numHeads != 0, image size not a multiple of the
    /// patch size, sizes outside `limits`, a pooling the tokens cannot provide, and so on.
    std::optional<Issue> check() const;
    /// check() as a BadModel error ("patch_size 0 must be from 1 to 1024").
    Status validate() const;

    /// One line: "ViT D=768 depth=12 heads=12 mlp=3072 patch=16 grid=14x14 tokens=197".
    std::string summary() const;
};

}  // namespace vitscope::core
