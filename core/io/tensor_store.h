#pragma once
/// TensorStore: named float32 tensors read from one or more checkpoint files, plus whatever keeps
/// their memory alive (memory maps, converted buffers). Parsers fill it; the weights loader reads
/// it. F32 tensors from an aligned memory map are borrowed in place; everything else is owned.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

class MappedFile;

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };
const char* toString(DType d);
size_t dtypeSize(DType d);

struct StoredTensor {
    std::vector<int64_t> shape;
    const float* data = nullptr;  ///< numel() floats, row-major (C order)
    DType sourceDType = DType::F32;
    std::string file;  ///< the file it came from, for error messages
    int64_t numel() const {
        int64_t n = 1;
        for (int64_t s : shape) n *= s;
        return n;
    }
};

/// "(2304, 768)".
std::string shapeToString(const std::vector<int64_t>& shape);

class TensorStore {
public:
    /// Borrow `data` (kept alive by an earlier keepAlive() call).
    void addBorrowed(std::string name, std::vector<int64_t> shape, const float* data, DType source,
                     std::string file);
    /// Take ownership of converted or copied data.
    void addOwned(std::string name, std::vector<int64_t> shape, std::vector<float> data,
                  DType source, std::string file);
    void keepAlive(std::shared_ptr<const void> holder) { mHolders.push_back(std::move(holder)); }
    /// keepAlive() for a file whose bytes are borrowed; intact() then watches it.
    void keepMapped(std::shared_ptr<const MappedFile> file);
    /// Ok while every file borrowed from is whole; ErrorCode::BadModel naming the first one that
    /// was truncated since it was opened (anything computed from its bytes is then wrong).
    Status intact() const;

    const StoredTensor* find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }
    std::vector<std::string> names() const;
    size_t size() const { return mTensors.size(); }
    /// Bytes of float data used in place from a memory map / owned after conversion.
    size_t borrowedBytes() const { return mBorrowedBytes; }
    size_t ownedBytes() const { return mOwnedBytes; }

    /// Drop a tensor (e.g. HF DINOv2's unused mask_token).
    void erase(std::string_view name);

private:
    std::map<std::string, StoredTensor, std::less<>> mTensors;
    std::vector<std::shared_ptr<const void>> mHolders;
    std::vector<std::shared_ptr<const MappedFile>> mMapped;
    /// Owned float buffers by tensor name, so erase() and replacement release them.
    std::map<std::string, std::shared_ptr<std::vector<float>>, std::less<>> mOwned;
    size_t mBorrowedBytes = 0;
    size_t mOwnedBytes = 0;
};

}  // namespace vitscope::core
