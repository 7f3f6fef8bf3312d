// libFuzzer harness: image header sniffing, EXIF orientation, decoding (OpenCV behind the size
// checks) and preprocessing with an HF and a timm recipe.

#include <cstddef>
#include <cstdint>

#include "core/image/image_io.h"
#include "core/image/preprocess.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto bytes = fuzz::asBytes(data, size);
    [[maybe_unused]] auto header = core::sniffImageHeader(bytes);
    const int orientation = core::exifOrientation(bytes);
    if (orientation < 1 || orientation > 8) {
        __builtin_trap();  // documented range
    }
    // A small pixel limit keeps each decode fast; the limit check itself is what is fuzzed.
    core::ImageLimits limits;
    limits.maxPixels = 1 << 20;
    auto image = core::decodeImage(bytes, "fuzz.img", limits);
    if (!image) {
        return 0;
    }
    for (const core::PreprocessRecipe& recipe :
         {core::hfExactResizeRecipe(16, 16), core::timmEvalRecipe(16)}) {
        for (int channels : {1, 3}) {
            core::PreprocessRecipe r = recipe;
            r.channels = channels;
            [[maybe_unused]] auto out = core::preprocess(*image, r);
        }
    }
    return 0;
}
