#pragma once
/// Turning a decoded image into the model input, following the checkpoint's own recipe.
/// Both recipes in use resize with Pillow on 8-bit pixels, so resizing here reproduces Pillow's
/// resampling (its filters, support scaling when downsampling, and 8-bit fixed-point passes),
/// which is what Hugging Face image processors and timm/torchvision transforms compute.

#include <array>
#include <string>
#include <string_view>

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
/// Centre-crop offset: Floor = (h - ch) // 2 as Hugging Face computes it; Round = int(round((h -
/// ch) / 2.0)) as torchvision's CenterCrop (timm). Python's round() rounds halves to even, so for
/// an odd difference d = 2k + 1, Round gives k when k is even and k + 1 when k is odd.
enum class CropRounding { Floor, Round };

struct PreprocessRecipe {
    int channels = 3;  ///< 1: the model takes grey input
    ResizeRule resizeRule = ResizeRule::Exact;
    int resizeH = 224;
    int resizeW = 224;
    int shortestEdge = 0;
    /// timm's crop_pct when the recipe came from timm (0 otherwise). Only withOutputSize uses it,
    /// to recompute shortestEdge = floor(size / cropPct) exactly as timm does.
    double cropPct = 0.0;
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
    /// Where the recipe came from, for error messages ("preprocessor_config.json"); empty for a
    /// built-in recipe.
    std::string source;

    /// Pixel size of the tensor this recipe produces: the crop if there is one, else the Exact
    /// resize size. For ShortestEdge without a crop the long side depends on the image, and
    /// these return shortestEdge; for None without a crop they return 0.
    int outputH() const;
    int outputW() const;
    /// The same recipe for another model input size (the CLI's --size, the resolution
    /// experiment): Exact resizes straight to (h, w); ShortestEdge+crop scales the shorter edge by
    /// the recipe's crop ratio and crops (h, w).
    /// In detail: Exact without crop -> resize (h, w); Exact with crop -> resize scaled by
    /// h / cropH and w / cropW (floor), crop (h, w); ShortestEdge with crop -> shortestEdge =
    /// floor(min(h, w) / cropPct) when cropPct > 0 (timm), else floor(shortestEdge * min(h, w) /
    /// min(cropH, cropW)) (256/224 -> 512/448), crop (h, w); ShortestEdge without crop ->
    /// shortestEdge = min(h, w); None -> crop (h, w) if it crops, else unchanged.
    PreprocessRecipe withOutputSize(int h, int w) const;
    /// Sizes as HxW. "resize shortest edge to 256 (bicubic), centre crop 224x224, x1/255, normalise
    /// mean (0.485, 0.456, 0.406) std (0.229, 0.224, 0.225)".
    std::string describe() const;
};

inline constexpr std::array<float, 3> kImageNetMean{0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kImageNetStd{0.229f, 0.224f, 0.225f};

/// Hugging Face ViTImageProcessor: resize straight to (h, w) (PIL code 2, bilinear, by default),
/// rescale 1/255, normalise.
PreprocessRecipe hfExactResizeRecipe(int height, int width, Resample resample = Resample::Bilinear,
                                     std::array<float, 3> mean = {0.5f, 0.5f, 0.5f},
                                     std::array<float, 3> std = {0.5f, 0.5f, 0.5f});
/// Hugging Face BitImageProcessor as DINOv2 uses it: shortest edge to `shortestEdge`, centre crop
/// (cropH, cropW) with Floor rounding, rescale 1/255, normalise.
PreprocessRecipe hfShortestEdgeCropRecipe(int shortestEdge, int cropH, int cropW,
                                          Resample resample = Resample::Bicubic,
                                          std::array<float, 3> mean = kImageNetMean,
                                          std::array<float, 3> std = kImageNetStd);
/// timm/torchvision eval transform: Resize(floor(size / cropPct)) on the shorter side,
/// CenterCrop(size) with Round rounding, ToTensor, Normalize.
PreprocessRecipe timmEvalRecipe(int size, double cropPct = 0.875,
                                Resample resample = Resample::Bicubic,
                                std::array<float, 3> mean = kImageNetMean,
                                std::array<float, 3> std = kImageNetStd);

/// The two resize recipes a user can choose when the files do not state one (LoadOptions::recipe,
/// the CLI's --recipe, the model panel's recipe box).
enum class RecipeStyle {
    HfExact,         ///< "hf": resize straight to the model size, bilinear (HF ViTImageProcessor)
    TimmCenterCrop,  ///< "timm": shorter side to floor(size / 0.875), bicubic, centre crop
};
const char* toString(RecipeStyle style);  ///< "hf", "timm"
/// "hf" or "timm"; anything else is ErrorCode::Usage naming the accepted values.
Result<RecipeStyle> parseRecipeStyle(std::string_view name);
/// The recipe of `style` for a model input of (height, width) with `channels` channels.
PreprocessRecipe recipeForStyle(RecipeStyle style, int height, int width, int channels,
                                std::array<float, 3> mean, std::array<float, 3> std);

/// Refuses (ErrorCode::BadModel, naming `recipe.source` and the field) a recipe that would
/// exceed `maxPixels` whatever the image (size, shortest_edge or crop_size too large) or that no
/// image can satisfy (a crop larger than the resize). preprocess() calls it first.
Status checkRecipe(const PreprocessRecipe& recipe, int64_t maxPixels = ImageLimits{}.maxPixels);

/// The most elements resizeImage(inW x inH -> outW x outH) holds at once in one buffer: the
/// output, the horizontal pass's (outW x inH) intermediate, or one axis's filter taps (outSize x
/// window, which grows with the downscaling factor). Compared with a pixel limit before resizing.
int64_t resizePeakElements(int inW, int inH, int outW, int outH, Resample resample);

/// Pillow-compatible resize of 8-bit pixels (Image.resize(size, resample), reducing_gap=None):
/// the same separable fixed-point convolution (22 fractional bits, horizontal pass first), and
/// for Nearest the same accumulated source coordinates, so results are bit-identical to Pillow.
/// Returns an empty image when width or height is not positive or the input is empty.
Image8 resizeImage(const Image8& image, int width, int height, Resample resample);
/// Crop (top, left, height, width), clamped to the image.
Image8 cropImage(const Image8& image, int top, int left, int height, int width);

struct Preprocessed {
    ImageTensor input;  ///< (C, H, W) float, what the model sees
    Image8 shown;       ///< the same pixels before rescale/normalise (after resize and crop)
};

/// Converts channels, resizes, crops, rescales and normalises. Fails with BadModel when
/// checkRecipe refuses the recipe, and with BadImage on empty images, a recipe that yields an
/// empty output, a crop larger than the resized image (Hugging Face and torchvision would pad;
/// no checkpoint recipe does that), or a resize of this image that would exceed
/// `limits.maxPixels` (checked before anything is allocated).
Result<Preprocessed> preprocess(const Image8& image, const PreprocessRecipe& recipe,
                                const ImageLimits& limits = {});

/// Back from model input to displayable 8-bit pixels (undo normalise and rescale, clamp).
Image8 tensorToImage(const ImageTensor& input, const PreprocessRecipe& recipe);

}  // namespace vitscope::core
