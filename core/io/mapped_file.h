#pragma once
/// MappedFile: a read-only memory map of a whole file, shared by the tensors borrowed from it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"

namespace vitscope::core {

/// Maps the whole file read-only (MAP_PRIVATE). An empty file gives an empty span and no
/// mapping. The mapping lives as long as the last shared_ptr; TensorStore::keepAlive() takes one
/// so borrowed tensors stay valid.
///
/// Caveat of every mmap reader: if another process truncates the file while it is mapped, reads
/// past the new end raise SIGBUS. Checkpoints are treated as immutable while open.
class MappedFile {
public:
    /// Fails with ErrorCode::Io naming the path and strerror() (missing, unreadable, directory,
    /// not a regular file, mmap failure).
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return {mData, mSize}; }
    size_t size() const { return mSize; }
    const std::string& path() const { return mPath; }

private:
    MappedFile() = default;

    const std::byte* mData = nullptr;
    size_t mSize = 0;
    std::string mPath;
};

}  // namespace vitscope::core
