#pragma once
/// Small file and byte helpers shared by the core/io parsers.
///
/// The `detail` helpers read fixed-width integers from byte spans in a given byte order without
/// assuming alignment or host endianness, and do overflow-checked size arithmetic. Parsers use
/// them so that no file content can cause an out-of-bounds read or a wrapped size.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

/// Read a whole regular file into memory. Fails with ErrorCode::Io (message names the path and
/// the system error) when it cannot be opened or read, or when it is larger than `maxBytes`
/// (checked before allocating, and again while reading, in case the file grows).
Result<std::vector<std::byte>> readFile(const std::string& path, size_t maxBytes);

/// The last component of `path` ("a/b/model.safetensors" -> "model.safetensors"): the label
/// that parsers put in their messages.
std::string fileLabel(const std::string& path);

namespace detail {

inline uint16_t loadLe16(const std::byte* p) {
    return static_cast<uint16_t>(std::to_integer<uint16_t>(p[0]) |
                                 (std::to_integer<uint16_t>(p[1]) << 8));
}
inline uint32_t loadLe32(const std::byte* p) {
    return std::to_integer<uint32_t>(p[0]) | (std::to_integer<uint32_t>(p[1]) << 8) |
           (std::to_integer<uint32_t>(p[2]) << 16) | (std::to_integer<uint32_t>(p[3]) << 24);
}
inline uint64_t loadLe64(const std::byte* p) {
    return static_cast<uint64_t>(loadLe32(p)) | (static_cast<uint64_t>(loadLe32(p + 4)) << 32);
}
inline uint32_t loadBe32(const std::byte* p) {
    return (std::to_integer<uint32_t>(p[0]) << 24) | (std::to_integer<uint32_t>(p[1]) << 16) |
           (std::to_integer<uint32_t>(p[2]) << 8) | std::to_integer<uint32_t>(p[3]);
}

/// a * b, or false when it does not fit.
inline bool checkedMul(uint64_t a, uint64_t b, uint64_t& out) {
    return !__builtin_mul_overflow(a, b, &out);
}
inline bool checkedAdd(uint64_t a, uint64_t b, uint64_t& out) {
    return !__builtin_add_overflow(a, b, &out);
}

/// Number of elements of `shape` (each dimension already known to be >= 0), or false when the
/// product does not fit in int64 (StoredTensor::numel's type).
bool checkedNumel(std::span<const int64_t> shape, uint64_t& out);

/// IEEE 754 binary16 -> binary32, exact for every input (subnormals, inf, NaN payloads).
float halfToFloat(uint16_t h);
/// bfloat16 -> binary32: the upper half of a float, exact for every input.
inline float bfloat16ToFloat(uint16_t h) {
    return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}
/// double -> float, rounding to nearest; out-of-range values become +-inf (not UB).
float doubleToFloat(double d);

}  // namespace detail
}  // namespace vitscope::core
