// libFuzzer harness: .npz archives from memory (loadNpzFromBuffer): the zip directory, the
// zip-bomb limits, inflating each member and parsing it as .npy.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/io/npz.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto bytes = fuzz::asBytes(data, size);
    auto buffer = std::make_shared<std::vector<std::byte>>(bytes.begin(), bytes.end());
    auto store = core::loadNpzFromBuffer(std::move(buffer), "fuzz.npz");
    if (!store) {
        return 0;
    }
    return 0;
}
