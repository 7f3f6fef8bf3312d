// libFuzzer harness: .npy parsing from memory (parseNpy) and the float conversion of what it
// accepts (toFloat32).

#include <cstddef>
#include <cstdint>

#include "core/io/npy.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto array = core::parseNpy(fuzz::asBytes(data, size), "fuzz.npy");
    if (!array) {
        return 0;
    }
    const std::vector<float> values = core::toFloat32(*array);
    if (static_cast<int64_t>(values.size()) != array->numel()) {
        __builtin_trap();  // toFloat32 must return one value per element
    }
    return 0;
}
