// libFuzzer harness: Hugging Face / timm config.json (readConfigFile) and HF
// preprocessor_config.json (readPreprocessorConfig) parsing. Both take a path, so each input is
// written to a scratch file first; the same bytes go through both readers.

#include <cstddef>
#include <cstdint>

#include "core/model/config_io.h"
#include "tests/fuzz/fuzz_util.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeScratch("config.json", data, size);
    auto hints = core::detail::readConfigFile(path);
    if (hints && hints->recipe) {
        [[maybe_unused]] const std::string text = hints->recipe->describe();
    }
    for (int channels : {1, 3}) {
        auto recipe = core::detail::readPreprocessorConfig(path, channels);
        if (recipe) {
            [[maybe_unused]] const std::string text = recipe->describe();
        }
    }
    return 0;
}
