#pragma once
/// IDX files, the MNIST format (http://yann.lecun.com/exdb/mnist/): a big-endian magic
/// 0x000008DD (unsigned bytes, DD dimensions), DD big-endian uint32 sizes, then the bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

struct IdxImages {
    int count = 0;
    int rows = 0;
    int cols = 0;
    std::vector<uint8_t> pixels;  // (count, rows, cols), row-major
};

struct IdxLabels {
    std::vector<uint8_t> labels;  // (count)
};

/// Magic 0x00000803 and exactly 16 + count*rows*cols bytes (each size <= INT_MAX). Errors are
/// ErrorCode::BadData naming `label`, the expected and the found value.
Result<IdxImages> parseIdxImages(std::span<const std::byte> bytes, std::string_view label);
/// Magic 0x00000801 and exactly 8 + count bytes.
Result<IdxLabels> parseIdxLabels(std::span<const std::byte> bytes, std::string_view label);

/// Read a file and parse it; a file starting with the gzip magic 1f 8b is decompressed first
/// (at most 1 GiB and 2000x its compressed size; a truncated or corrupt stream is an error).
Result<IdxImages> loadIdxImages(const std::string& path);
Result<IdxLabels> loadIdxLabels(const std::string& path);

/// The gunzip step on its own (multi-member streams supported, trailing garbage refused).
Result<std::vector<std::byte>> gunzipBuffer(std::span<const std::byte> compressed,
                                            std::string_view label, size_t maxBytes);

}  // namespace vitscope::core
