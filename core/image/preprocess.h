#pragma once
/// Turning a decoded image into the model input, following the checkpoint's own recipe.
/// Both recipes in use resize with Pillow on 8-bit pixels, so resizing here reproduces Pillow's
/// resampling (its filters, support scaling when downsampling, and 8-bit fixed-point passes),
/// which is what Hugging Face image processors and timm/torchvision transforms compute.

#include <array>
#include <string>

#include "core/image/image_io.h"
#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

/// Pillow's filters: NEAREST, BOX, BILINEAR (triangle), HAMMING, BICUBIC (a = -0.5), LANCZOS.
enum class Resample { Nearest, Box, Bilinear, Hamming, Bicubic, Lanczos };
const char* toString(Resample r);
/// Pillow / PyTorch integer codes (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming).
Result<Resample> resampleFromPilCode(int code);
/// "bilinear", "bicubic", "nearest", "lanczos", "box", "hamming".
Result<Resample> resampleFromName(std::string_view name);

enum class ResizeRule {
    None,          ///< no resize
    Exact,         ///< straight to (resizeH, resizeW), aspect ratio not kept (HF ViT)
    ShortestEdge,  ///< shorter side to shortestEdge, longer = int(shortestEdge * long / short)
};
/// Centre-crop offset: Floor = (h - ch) / 2 as Hugging Face computes it; Round = int(round((h -
/// ch) / 2.0)) as torchvision's CenterCrop (timm).
enum class CropRounding { Floor, Round };

struct PreprocessRecipe {
    int channels = 3;  ///< 1: the model takes grey input
    ResizeRule resizeRule = ResizeRule::Exact;
    int resizeH = 224;
    int resizeW = 224;
    int shortestEdge = 0;
    Resample resample = Resample::Bilinear;
    bool centerCrop = false;
    int cropH = 224;
    int cropW = 224;
    CropRounding cropRounding = CropRounding::Floor;
    bool rescale = true;
    float rescaleFactor = 1.0f / 255.0f;
    bool normalize = true;
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
    std::array<float, 3> std{0.5f, 0.5f, 0.5f};

    /// Pixel size of the tensor this recipe produces.
    int outputH() const;
    int outputW() const;
    /// The same recipe for another model input size (the CLI's --size, the resolution
    /// experiment): Exact resizes straight to (h, w); ShortestEdge+crop scales the shorter edge by
    /// the recipe's crop ratio and crops (h, w).
    PreprocessRecipe withOutputSize(int h, int w) const;
    /// "resize shortest edge to 256 (bicubic), centre crop 224x224, x1/255, normalise mean
    /// (0.485, 0.456, 0.406) std (0.229, 0.224, 0.225)".
    std::string describe() const;
};

/// Pillow-compatible resize of 8-bit pixels (Image.resize(size, resample), reducing_gap=None).
Image8 resizeImage(const Image8& image, int width, int height, Resample resample);
/// Crop (top, left, height, width), clamped to the image.
Image8 cropImage(const Image8& image, int top, int left, int height, int width);

struct Preprocessed {
    ImageTensor input;  ///< (C, H, W) float, what the model sees
    Image8 shown;       ///< the same pixels before rescale/normalise (after resize and crop)
};

/// Converts channels, resizes, crops, rescales and normalises. Fails (BadImage) on empty images
/// or a recipe that yields an empty output.
Result<Preprocessed> preprocess(const Image8& image, const PreprocessRecipe& recipe);

/// Back from model input to displayable 8-bit pixels (undo normalise and rescale, clamp).
Image8 tensorToImage(const ImageTensor& input, const PreprocessRecipe& recipe);

}  // namespace vitscope::core
