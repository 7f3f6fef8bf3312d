// libFuzzer harness: IDX images and labels (parseIdxImages, parseIdxLabels) from memory, and the
// gunzip step loadIdx* applies to a gzip file (gunzipBuffer) followed by both parsers.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/io/idx.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

namespace {
void parseBoth(std::span<const std::byte> bytes) {
    [[maybe_unused]] auto images = core::parseIdxImages(bytes, "fuzz.idx");
    [[maybe_unused]] auto labels = core::parseIdxLabels(bytes, "fuzz.idx");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto bytes = fuzz::asBytes(data, size);
    parseBoth(bytes);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        // The loaders' cap is min(1 GiB, 2000x the compressed size); a smaller absolute cap
        // keeps the fuzzer inside its memory limit while exercising the same check.
        const size_t cap = std::min<size_t>(size_t{64} << 20, size * 2000);
        auto raw = core::gunzipBuffer(bytes, "fuzz.idx.gz", cap);
        if (raw) {
            parseBoth(*raw);
        }
    }
    return 0;
}
