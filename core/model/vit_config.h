#pragma once
/// VitConfig: hyperparameters of a Vision Transformer and every dimension derived from them.
/// Shape arithmetic lives here and nowhere else (STYLE.md §4).

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

const char* toString(Activation a);
const char* toString(Pooling p);
const char* toString(PosLayout p);
const char* toString(PosInterp p);

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

    // Derived dimensions.
    int gridH() const { return imageH / patchSize; }  ///< trained patch grid
    int gridW() const { return imageW / patchSize; }
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

    /// Rejects inconsistent settings: embedDim % numHeads != 0, image size not a multiple of the
    /// patch size, non-positive sizes, a pooling the tokens cannot provide, and so on.
    Status validate() const;

    /// One line: "ViT D=768 depth=12 heads=12 mlp=3072 patch=16 grid=14x14 tokens=197".
    std::string summary() const;
};

}  // namespace vitscope::core
