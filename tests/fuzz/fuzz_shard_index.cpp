// libFuzzer harness: model.safetensors.index.json (loadShardedSafetensors). The index is
// written next to two valid shards (shard_a.safetensors with tensor 'x', shard_b.safetensors with
// 'y', copied from tests/data/bad at start-up) so that inputs naming them reach the shard loading
// and the cross-checks, not only the JSON validation.

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    for (const char* shard : {"shard_a.safetensors", "shard_b.safetensors"}) {
        std::filesystem::copy_file(std::string(VITSCOPE_TEST_DATA) + "/bad/" + shard,
                                   fuzz::scratchDir() + "/" + shard,
                                   std::filesystem::copy_options::overwrite_existing);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeScratch("model.safetensors.index.json", data, size);
    auto store = core::loadShardedSafetensors(path);
    if (!store) {
        return 0;
    }
    return 0;
}
