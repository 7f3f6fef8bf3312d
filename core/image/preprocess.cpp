#include "core/image/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/image/resize_geometry.h"

namespace vitscope::core {

namespace detail {
namespace {

/// Python's round() for a half-integer-or-integer value v = d / 2: halves go to the even side.
int roundHalfEven(double v) {
    return static_cast<int>(std::nearbyint(v));  // default FE_TONEAREST is ties-to-even
}

int cropOffset(int size, int cropSize, CropRounding rounding) {
    const int diff = size - cropSize;
    if (rounding == CropRounding::Round) {
        return roundHalfEven(diff / 2.0);
    }
    // Python's floor division (matters only when diff < 0, which preprocess() refuses).
    return diff >= 0 ? diff / 2 : -((-diff + 1) / 2);
}

/// Rescale as the libraries do: v / N in float32 when the factor is 1/N (torchvision's div(255);
/// Hugging Face's float64 x * (1/255) rounded to float32 gives the same values for 8-bit input),
/// v * factor otherwise.
struct Rescaler {
    explicit Rescaler(const PreprocessRecipe& r) : enabled(r.rescale), factor(r.rescaleFactor) {
        if (factor > 0.0f) {
            const double inv = std::round(1.0 / factor);
            if (inv >= 1.0 && std::abs(1.0 / inv - factor) <= 1e-6 * factor) {
                divisor = static_cast<float>(inv);
            }
        }
    }
    float apply(float v) const {
        if (!enabled) {
            return v;
        }
        return divisor > 0.0f ? v / divisor : v * factor;
    }
    float undo(float v) const {
        if (!enabled) {
            return v;
        }
        return divisor > 0.0f ? v * divisor : v / factor;
    }
    bool enabled;
    float factor;
    float divisor = 0.0f;
};

std::string formatFloat(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string formatTriple(const std::array<float, 3>& v, int channels) {
    if (channels == 1) {
        return formatFloat(v[0]);
    }
    return "(" + formatFloat(v[0]) + ", " + formatFloat(v[1]) + ", " + formatFloat(v[2]) + ")";
}

}  // namespace
}  // namespace detail

const char* toString(Resample r) {
    switch (r) {
        case Resample::Nearest:
            return "nearest";
        case Resample::Box:
            return "box";
        case Resample::Bilinear:
            return "bilinear";
        case Resample::Hamming:
            return "hamming";
        case Resample::Bicubic:
            return "bicubic";
        case Resample::Lanczos:
            return "lanczos";
    }
    return "unknown";
}

Result<Resample> resampleFromPilCode(int code) {
    switch (code) {
        case 0:
            return Resample::Nearest;
        case 1:
            return Resample::Lanczos;
        case 2:
            return Resample::Bilinear;
        case 3:
            return Resample::Bicubic;
        case 4:
            return Resample::Box;
        case 5:
            return Resample::Hamming;
        default:
            return makeError(ErrorCode::BadModel, "resample: unknown Pillow filter code " +
                                                      std::to_string(code) +
                                                      ", expected 0 (nearest) to 5 (hamming)");
    }
}

Result<Resample> resampleFromName(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (Resample r : {Resample::Nearest, Resample::Box, Resample::Bilinear, Resample::Hamming,
                       Resample::Bicubic, Resample::Lanczos}) {
        if (lower == toString(r)) {
            return r;
        }
    }
    if (lower == "antialias") {  // Pillow's old alias for LANCZOS
        return Resample::Lanczos;
    }
    return makeError(ErrorCode::BadModel, "resample: unknown filter '" + std::string(name) +
                                              "', expected nearest, box, bilinear, hamming, "
                                              "bicubic or lanczos");
}

int PreprocessRecipe::outputH() const {
    return centerCrop                               ? cropH
           : resizeRule == ResizeRule::Exact        ? resizeH
           : resizeRule == ResizeRule::ShortestEdge ? shortestEdge
                                                    : 0;
}

int PreprocessRecipe::outputW() const {
    return centerCrop                               ? cropW
           : resizeRule == ResizeRule::Exact        ? resizeW
           : resizeRule == ResizeRule::ShortestEdge ? shortestEdge
                                                    : 0;
}

PreprocessRecipe PreprocessRecipe::withOutputSize(int h, int w) const {
    PreprocessRecipe r = *this;
    switch (resizeRule) {
        case ResizeRule::Exact:
            if (centerCrop && cropH > 0 && cropW > 0) {
                r.resizeH = static_cast<int>(int64_t{resizeH} * h / cropH);
                r.resizeW = static_cast<int>(int64_t{resizeW} * w / cropW);
            } else {
                r.resizeH = h;
                r.resizeW = w;
            }
            break;
        case ResizeRule::ShortestEdge:
            if (centerCrop && cropPct > 0.0) {
                r.shortestEdge = static_cast<int>(std::floor(std::min(h, w) / cropPct));
            } else if (centerCrop && std::min(cropH, cropW) > 0) {
                r.shortestEdge = static_cast<int>(int64_t{shortestEdge} * std::min(h, w) /
                                                  std::min(cropH, cropW));
            } else {
                r.shortestEdge = std::min(h, w);
            }
            break;
        case ResizeRule::None:
            break;
    }
    if (centerCrop) {
        r.cropH = h;
        r.cropW = w;
    }
    return r;
}

std::string PreprocessRecipe::describe() const {
    std::vector<std::string> steps;
    if (channels == 1) {
        steps.emplace_back("grey");
    }
    switch (resizeRule) {
        case ResizeRule::Exact:
            steps.push_back("resize to " + std::to_string(resizeH) + "x" + std::to_string(resizeW) +
                            " (" + toString(resample) + ")");
            break;
        case ResizeRule::ShortestEdge:
            steps.push_back("resize shortest edge to " + std::to_string(shortestEdge) + " (" +
                            toString(resample) + ")");
            break;
        case ResizeRule::None:
            steps.emplace_back("no resize");
            break;
    }
    if (centerCrop) {
        steps.push_back("centre crop " + std::to_string(cropH) + "x" + std::to_string(cropW));
    }
    if (rescale) {
        const detail::Rescaler rescaler(*this);
        steps.push_back(rescaler.divisor > 0.0f ? "x1/" + detail::formatFloat(rescaler.divisor)
                                                : "x" + detail::formatFloat(rescaleFactor));
    }
    if (normalize) {
        steps.push_back("normalise mean " + detail::formatTriple(mean, channels) + " std " +
                        detail::formatTriple(std, channels));
    }
    std::string text;
    for (const auto& s : steps) {
        text += (text.empty() ? "" : ", ") + s;
    }
    return text;
}

PreprocessRecipe hfExactResizeRecipe(int height, int width, Resample resample,
                                     std::array<float, 3> mean, std::array<float, 3> std) {
    PreprocessRecipe r;
    r.resizeRule = ResizeRule::Exact;
    r.resizeH = height;
    r.resizeW = width;
    r.resample = resample;
    r.centerCrop = false;
    r.mean = mean;
    r.std = std;
    return r;
}

PreprocessRecipe hfShortestEdgeCropRecipe(int shortestEdge, int cropH, int cropW, Resample resample,
                                          std::array<float, 3> mean, std::array<float, 3> std) {
    PreprocessRecipe r;
    r.resizeRule = ResizeRule::ShortestEdge;
    r.shortestEdge = shortestEdge;
    r.resample = resample;
    r.centerCrop = true;
    r.cropH = cropH;
    r.cropW = cropW;
    r.cropRounding = CropRounding::Floor;
    r.mean = mean;
    r.std = std;
    return r;
}

PreprocessRecipe timmEvalRecipe(int size, double cropPct, Resample resample,
                                std::array<float, 3> mean, std::array<float, 3> std) {
    PreprocessRecipe r;
    r.resizeRule = ResizeRule::ShortestEdge;
    r.cropPct = cropPct;
    r.shortestEdge = cropPct > 0.0 ? static_cast<int>(std::floor(size / cropPct)) : size;
    r.resample = resample;
    r.centerCrop = true;
    r.cropH = size;
    r.cropW = size;
    r.cropRounding = CropRounding::Round;
    r.mean = mean;
    r.std = std;
    return r;
}

const char* toString(RecipeStyle style) {
    switch (style) {
        case RecipeStyle::HfExact:
            return "hf";
        case RecipeStyle::TimmCenterCrop:
            return "timm";
    }
    return "?";
}

Result<RecipeStyle> parseRecipeStyle(std::string_view name) {
    if (name == "hf") {
        return RecipeStyle::HfExact;
    }
    if (name == "timm") {
        return RecipeStyle::TimmCenterCrop;
    }
    return makeError(ErrorCode::Usage, "unknown resize recipe '" + std::string(name) +
                                           "' (expected 'hf': exact resize, bilinear, or 'timm': "
                                           "shorter side to size/0.875, bicubic, centre crop)");
}

PreprocessRecipe recipeForStyle(RecipeStyle style, int height, int width, int channels,
                                std::array<float, 3> mean, std::array<float, 3> std) {
    PreprocessRecipe r;
    if (style == RecipeStyle::HfExact) {
        r = hfExactResizeRecipe(height, width, Resample::Bilinear, mean, std);
    } else {
        // timm's default crop_pct 0.875 on the shorter side; the crop keeps the model's size.
        r = timmEvalRecipe(std::min(height, width), 0.875, Resample::Bicubic, mean, std);
        r.cropH = height;
        r.cropW = width;
    }
    r.channels = channels;
    return r;
}

Image8 cropImage(const Image8& image, int top, int left, int height, int width) {
    const int y0 = std::clamp(top, 0, image.height);
    const int x0 = std::clamp(left, 0, image.width);
    const int y1 = std::clamp(static_cast<int>(std::min<int64_t>(int64_t{top} + height, INT32_MAX)),
                              y0, image.height);
    const int x1 = std::clamp(static_cast<int>(std::min<int64_t>(int64_t{left} + width, INT32_MAX)),
                              x0, image.width);
    Image8 out{x1 - x0, y1 - y0, image.channels, {}};
    const size_t rowLen = static_cast<size_t>(out.width) * image.channels;
    out.pixels.resize(rowLen * out.height);
    for (int y = 0; y < out.height; ++y) {
        const uint8_t* src =
            image.pixels.data() + (static_cast<size_t>(y0 + y) * image.width + x0) * image.channels;
        std::copy_n(src, rowLen, out.pixels.data() + y * rowLen);
    }
    return out;
}

namespace {

/// 100000000 -> "100,000,000".
std::string withThousands(int64_t v) {
    std::string digits = std::to_string(v);
    for (int i = static_cast<int>(digits.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) {
        digits.insert(static_cast<size_t>(i), ",");
    }
    return digits;
}

std::string sourceOf(const PreprocessRecipe& recipe) {
    return recipe.source.empty() ? std::string("the preprocessing recipe") : recipe.source;
}

std::string overLimit(int64_t maxPixels) {
    return "over the " + withThousands(maxPixels) + "-pixel limit";
}

std::string sizeText(int64_t w, int64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

/// The resize step of a recipe: (width, height), or the input size for ResizeRule::None. In
/// 64 bits: a shortest-edge resize of a thin strip can make the long side overflow an int.
std::pair<int64_t, int64_t> resizeTarget(int imageW, int imageH, const PreprocessRecipe& recipe) {
    switch (recipe.resizeRule) {
        case ResizeRule::Exact:
            return {recipe.resizeW, recipe.resizeH};
        case ResizeRule::ShortestEdge: {
            // Hugging Face get_resize_output_image_size / torchvision
            // _compute_resized_output_size: long = int(size * long / short), in double.
            const bool wide = imageW > imageH;
            const int shortSide = wide ? imageH : imageW;
            const int longSide = wide ? imageW : imageH;
            const auto newLong = static_cast<int64_t>(
                static_cast<double>(int64_t{recipe.shortestEdge} * longSide) / shortSide);
            const int64_t edge = recipe.shortestEdge;
            return wide ? std::pair{newLong, edge} : std::pair{edge, newLong};
        }
        case ResizeRule::None:
            break;
    }
    return {imageW, imageH};
}

/// The recipe field that sets the resize, for messages.
std::string resizeField(const PreprocessRecipe& recipe) {
    switch (recipe.resizeRule) {
        case ResizeRule::Exact:
            return "size " + sizeText(recipe.resizeW, recipe.resizeH);
        case ResizeRule::ShortestEdge:
            return "shortest_edge " + std::to_string(recipe.shortestEdge);
        case ResizeRule::None:
            break;
    }
    return "do_resize false";
}

/// The resize target of this image, refused (BadImage) when it or the resize's own buffers
/// would exceed the pixel limit.
Result<std::pair<int, int>> checkedResizeTarget(const Image8& image, const PreprocessRecipe& recipe,
                                                int64_t maxPixels) {
    const auto [width, height] = resizeTarget(image.width, image.height, recipe);
    const std::string input = " for the " + sizeText(image.width, image.height) + " input";
    if (width <= 0 || height <= 0) {
        return makeError(ErrorCode::BadImage, sourceOf(recipe) + ": " + resizeField(recipe) +
                                                  " gives an empty " + sizeText(width, height) +
                                                  " image" + input);
    }
    if (width > maxPixels / height) {
        return makeError(ErrorCode::BadImage, sourceOf(recipe) + ": " + resizeField(recipe) +
                                                  " gives a " + sizeText(width, height) + " image" +
                                                  input + ", " + overLimit(maxPixels));
    }
    const int64_t peak = resizePeakElements(image.width, image.height, static_cast<int>(width),
                                            static_cast<int>(height), recipe.resample);
    if (peak > maxPixels) {
        return makeError(ErrorCode::BadImage, sourceOf(recipe) + ": resizing the " +
                                                  sizeText(image.width, image.height) +
                                                  " input to " + sizeText(width, height) + " (" +
                                                  resizeField(recipe) + ") needs a buffer of " +
                                                  withThousands(peak) + " pixels or filter taps, " +
                                                  overLimit(maxPixels));
    }
    return std::pair{static_cast<int>(width), static_cast<int>(height)};
}

/// Recipe values that no image can satisfy: a crop larger than the resize on every image.
Status checkCropFits(const PreprocessRecipe& recipe) {
    const std::string crop = sourceOf(recipe) + ": crop_size " +
                             sizeText(recipe.cropW, recipe.cropH) + " (width x height)";
    if (recipe.resizeRule == ResizeRule::Exact &&
        (recipe.cropW > recipe.resizeW || recipe.cropH > recipe.resizeH)) {
        return makeError(ErrorCode::BadModel,
                         crop + " is larger than the " + sizeText(recipe.resizeW, recipe.resizeH) +
                             " image that size resizes to, so nothing can be centre-cropped");
    }
    if (recipe.resizeRule == ResizeRule::ShortestEdge && recipe.cropW > recipe.shortestEdge &&
        recipe.cropH > recipe.shortestEdge) {
        return makeError(ErrorCode::BadModel,
                         crop + " is larger than shortest_edge " +
                             std::to_string(recipe.shortestEdge) +
                             " on both sides, so no image can be centre-cropped");
    }
    return Ok{};
}

}  // namespace

Status checkRecipe(const PreprocessRecipe& recipe, int64_t maxPixels) {
    const std::string source = sourceOf(recipe);
    if (recipe.resizeRule == ResizeRule::Exact && recipe.resizeW > 0 && recipe.resizeH > 0 &&
        recipe.resizeW > maxPixels / recipe.resizeH) {
        return makeError(ErrorCode::BadModel, source + ": " + resizeField(recipe) + " gives a " +
                                                  sizeText(recipe.resizeW, recipe.resizeH) +
                                                  " image, " + overLimit(maxPixels));
    }
    if (recipe.resizeRule == ResizeRule::ShortestEdge && recipe.shortestEdge > 0 &&
        recipe.shortestEdge > maxPixels / recipe.shortestEdge) {
        return makeError(ErrorCode::BadModel,
                         source + ": " + resizeField(recipe) + " gives at least a " +
                             sizeText(recipe.shortestEdge, recipe.shortestEdge) + " image, " +
                             overLimit(maxPixels));
    }
    if (!recipe.centerCrop) {
        return Ok{};
    }
    if (recipe.cropW <= 0 || recipe.cropH <= 0) {
        return makeError(ErrorCode::BadModel, source + ": crop_size " +
                                                  sizeText(recipe.cropW, recipe.cropH) +
                                                  " (width x height) must be positive");
    }
    if (recipe.cropW > maxPixels / recipe.cropH) {
        return makeError(ErrorCode::BadModel, source + ": crop_size " +
                                                  sizeText(recipe.cropW, recipe.cropH) +
                                                  " (width x height) is " + overLimit(maxPixels));
    }
    return checkCropFits(recipe);
}

Result<ResizeCropGeometry> resizeCropGeometry(int width, int height,
                                              const PreprocessRecipe& recipe) {
    if (width <= 0 || height <= 0) {
        return makeError(ErrorCode::BadImage, "the image is empty");
    }
    const auto [resizedW, resizedH] = resizeTarget(width, height, recipe);
    if (resizedW <= 0 || resizedH <= 0 || resizedW > INT32_MAX || resizedH > INT32_MAX) {
        return makeError(ErrorCode::BadImage, sourceOf(recipe) + ": " + resizeField(recipe) +
                                                  " gives a " + sizeText(resizedW, resizedH) +
                                                  " image for the " + sizeText(width, height) +
                                                  " input");
    }
    ResizeCropGeometry g;
    g.resizedW = static_cast<int>(resizedW);
    g.resizedH = static_cast<int>(resizedH);
    g.outW = g.resizedW;
    g.outH = g.resizedH;
    if (recipe.centerCrop) {
        if (recipe.cropH <= 0 || recipe.cropW <= 0 || recipe.cropH > g.resizedH ||
            recipe.cropW > g.resizedW) {
            return makeError(ErrorCode::BadImage,
                             sourceOf(recipe) + ": cannot centre-crop " +
                                 sizeText(recipe.cropW, recipe.cropH) + " from the " +
                                 sizeText(g.resizedW, g.resizedH) + " resized image");
        }
        g.cropTop = detail::cropOffset(g.resizedH, recipe.cropH, recipe.cropRounding);
        g.cropLeft = detail::cropOffset(g.resizedW, recipe.cropW, recipe.cropRounding);
        g.outW = recipe.cropW;
        g.outH = recipe.cropH;
    }
    return g;
}

Result<Preprocessed> preprocess(const Image8& image, const PreprocessRecipe& recipe,
                                const ImageLimits& limits) {
    if (image.empty() || image.width <= 0 || image.height <= 0) {
        return makeError(ErrorCode::BadImage, "preprocess: the image is empty");
    }
    if (recipe.channels != 1 && recipe.channels != 3) {
        return makeError(ErrorCode::BadImage, "preprocess: the recipe asks for " +
                                                  std::to_string(recipe.channels) +
                                                  " channels, expected 1 or 3");
    }
    if (auto st = checkRecipe(recipe, limits.maxPixels); !st) {
        return st.error();
    }
    // The resize target and its buffers are checked before convertChannels or the resize
    // allocates anything.
    const auto target = checkedResizeTarget(image, recipe, limits.maxPixels);
    if (!target) {
        return target.error();
    }
    Image8 pixels = convertChannels(image, recipe.channels);
    pixels = resizeImage(pixels, target->first, target->second, recipe.resample);

    if (recipe.centerCrop) {
        if (recipe.cropH <= 0 || recipe.cropW <= 0 || recipe.cropH > pixels.height ||
            recipe.cropW > pixels.width) {
            return makeError(ErrorCode::BadImage,
                             sourceOf(recipe) + ": cannot centre-crop " +
                                 std::to_string(recipe.cropW) + "x" + std::to_string(recipe.cropH) +
                                 " from the " + std::to_string(pixels.width) + "x" +
                                 std::to_string(pixels.height) + " resized image");
        }
        const int top = detail::cropOffset(pixels.height, recipe.cropH, recipe.cropRounding);
        const int left = detail::cropOffset(pixels.width, recipe.cropW, recipe.cropRounding);
        pixels = cropImage(pixels, top, left, recipe.cropH, recipe.cropW);
    }

    Preprocessed out;
    ImageTensor& t = out.input;
    t.channels = pixels.channels;
    t.height = pixels.height;
    t.width = pixels.width;
    t.data.resize(static_cast<size_t>(t.channels) * t.height * t.width);
    const detail::Rescaler rescaler(recipe);
    for (int c = 0; c < t.channels; ++c) {
        // float32 throughout, as numpy (Hugging Face) and torch (torchvision) compute it.
        for (int y = 0; y < t.height; ++y) {
            for (int x = 0; x < t.width; ++x) {
                float v = rescaler.apply(static_cast<float>(pixels.at(y, x, c)));
                if (recipe.normalize) {
                    v = (v - recipe.mean[c]) / recipe.std[c];
                }
                t.at(c, y, x) = v;
            }
        }
    }
    out.shown = std::move(pixels);
    return out;
}

Image8 tensorToImage(const ImageTensor& input, const PreprocessRecipe& recipe) {
    if (input.empty() || input.channels < 1 || input.channels > 3) {
        return {};
    }
    Image8 out{input.width, input.height, input.channels, {}};
    out.pixels.resize(input.data.size());
    const detail::Rescaler rescaler(recipe);
    for (int c = 0; c < input.channels; ++c) {
        for (int y = 0; y < input.height; ++y) {
            for (int x = 0; x < input.width; ++x) {
                float v = input.at(c, y, x);
                if (recipe.normalize) {
                    v = v * recipe.std[c] + recipe.mean[c];
                }
                v = rescaler.undo(v);
                if (std::isnan(v)) {
                    v = 0.0f;
                }
                const float clamped = std::clamp(std::round(v), 0.0f, 255.0f);
                out.pixels[(static_cast<size_t>(y) * input.width + x) * input.channels + c] =
                    static_cast<uint8_t>(clamped);
            }
        }
    }
    return out;
}

}  // namespace vitscope::core
