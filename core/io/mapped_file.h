#pragma once
/// MappedFile: the read-only bytes of a whole file, shared by the tensors borrowed from it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"

namespace vitscope::core {

/// True when [p, p + bytes) lies inside one live read-only file mapping made by
/// MappedFile::open (never owned memory): such pages can be dropped from the process and read
/// again from the file.
bool insideFileMapping(const void* p, size_t bytes);

/// The whole file, read-only. Files up to kReadLimit bytes are read into owned memory; larger
/// ones are memory-mapped (MAP_PRIVATE). An empty file gives an empty span. The bytes live as
/// long as the last shared_ptr; TensorStore::keepMapped() takes one so borrowed tensors stay
/// valid.
///
/// A mapped file that another process truncates while it is in use would raise SIGBUS on reads
/// past its new end. A process-wide SIGBUS handler (installed with the first mapping, chaining to
/// any earlier one) maps zero pages over the missing range of a registered mapping instead, so
/// the read completes, and marks the file truncated(); callers check intact() after using the
/// bytes and discard what they computed. A SIGBUS anywhere else keeps its previous handling.
class MappedFile {
public:
    static constexpr size_t kReadLimit = size_t{64} << 20;

    /// Fails with ErrorCode::Io naming the path and the problem (missing, unreadable, not a
    /// regular file, map or read failure); see InputFile::open.
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return {mData, mSize}; }
    size_t size() const { return mSize; }
    const std::string& path() const { return mPath; }
    bool mapped() const { return mSlot >= 0; }

    /// Whether part of the mapping vanished (the file was truncated) since it was opened.
    bool truncated() const;
    /// Ok, or ErrorCode::BadModel "<file> changed size while in use (truncated from X to Y
    /// bytes); reload it" once truncated().
    Status intact() const;

private:
    MappedFile() = default;

    const std::byte* mData = nullptr;
    size_t mSize = 0;
    std::string mPath;
    std::unique_ptr<std::byte[]> mOwned;  ///< the bytes of a small file
    int mFd = -1;                         ///< kept open while mapped, to report the new size
    int mSlot = -1;                       ///< index in the SIGBUS registry while mapped
};

}  // namespace vitscope::core
