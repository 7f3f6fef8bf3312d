// libFuzzer harness: the safetensors header and tensor table (parseSafetensorsHeader), then,
// for headers that pass validation, the whole load through a mapped file (dtype conversion,
// borrowing, the store).

#include <cstddef>
#include <cstdint>

#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto header = core::parseSafetensorsHeader(fuzz::asBytes(data, size), "fuzz.safetensors");
    if (!header) {
        return 0;
    }
    const std::string path = fuzz::writeScratch("fuzz.safetensors", data, size);
    auto store = core::loadSafetensors(path);
    if (!store) {
        return 0;
    }
    return 0;
}
