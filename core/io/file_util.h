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

/// A regular file opened for reading: the one way core opens a file it reads. open() refuses,
/// with ErrorCode::Io and a message naming the path, anything that is not a regular file (a FIFO,
/// a device, a socket, a folder), before opening it and again on the opened descriptor (the path
/// may change in between), so that nothing blocks in open() or streams without end. System
/// errors are spelled for users ("permission denied", "a component of the path is not a
/// folder", "is a symbolic link to a missing file").
class InputFile {
public:
    static Result<InputFile> open(const std::string& path);

    InputFile(InputFile&& other) noexcept;
    InputFile& operator=(InputFile&& other) noexcept;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile();

    int fd() const { return mFd; }
    /// Size when opened.
    uint64_t size() const { return mSize; }
    const std::string& path() const { return mPath; }
    /// Reads the rest of the file; fails when it is (or grows) larger than `maxBytes`.
    Result<std::vector<std::byte>> readAll(size_t maxBytes);
    /// Reads exactly `count` bytes at `offset` (EINTR and short reads retried).
    Status readAt(uint64_t offset, std::byte* out, size_t count);

private:
    InputFile() = default;
    int mFd = -1;
    uint64_t mSize = 0;
    std::string mPath;
};

/// Whether `path` names anything at all: false only when lstat() says it does not exist
/// (ENOENT), so a dangling symbolic link, a FIFO or an unreadable entry counts as present and is
/// then refused by InputFile::open with the reason. Optional files (config.json next to a
/// checkpoint) are looked up with this.
bool pathEntryExists(const std::string& path);

/// Whether `path` is a folder (true) or something else (false), following symbolic links; or
/// ErrorCode::Io naming the path and why it cannot be reached ("No such file or folder",
/// "Permission denied", a component that is a file, a dangling symbolic link).
Result<bool> isFolder(const std::string& path);

/// Read a whole regular file into memory through InputFile. Fails with ErrorCode::Io (message
/// names the path and the problem) when it cannot be opened or read, or when it is larger than
/// `maxBytes` (checked before allocating, and again while reading, in case the file grows).
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
