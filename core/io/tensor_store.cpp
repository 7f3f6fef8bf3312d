#include "core/io/tensor_store.h"

#include "core/io/mapped_file.h"

namespace vitscope::core {

const char* toString(DType d) {
    switch (d) {
        case DType::F32:
            return "F32";
        case DType::F16:
            return "F16";
        case DType::BF16:
            return "BF16";
        case DType::F64:
            return "F64";
        case DType::I64:
            return "I64";
        case DType::I32:
            return "I32";
        case DType::I16:
            return "I16";
        case DType::I8:
            return "I8";
        case DType::U8:
            return "U8";
        case DType::Bool:
            return "BOOL";
    }
    return "?";
}

size_t dtypeSize(DType d) {
    switch (d) {
        case DType::F64:
        case DType::I64:
            return 8;
        case DType::F32:
        case DType::I32:
            return 4;
        case DType::F16:
        case DType::BF16:
        case DType::I16:
            return 2;
        case DType::I8:
        case DType::U8:
        case DType::Bool:
            return 1;
    }
    return 0;
}

std::string shapeToString(const std::vector<int64_t>& shape) {
    std::string out = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        out += std::to_string(shape[i]);
    }
    // A 1-tuple is written "(3)" rather than Python's "(3,)": this is for people, not parsers.
    out += ")";
    return out;
}

void TensorStore::addBorrowed(std::string name, std::vector<int64_t> shape, const float* data,
                              DType source, std::string file) {
    erase(name);
    StoredTensor t;
    t.shape = std::move(shape);
    t.data = data;
    t.sourceDType = source;
    t.file = std::move(file);
    mBorrowedBytes += static_cast<size_t>(t.numel()) * sizeof(float);
    mTensors.insert_or_assign(std::move(name), std::move(t));
}

void TensorStore::addOwned(std::string name, std::vector<int64_t> shape, std::vector<float> data,
                           DType source, std::string file) {
    erase(name);
    // The vector is moved into a shared holder so that `data` stays valid when the map rehashes
    // or the store is moved.
    auto holder = std::make_shared<std::vector<float>>(std::move(data));
    StoredTensor t;
    t.shape = std::move(shape);
    t.data = holder->data();
    t.sourceDType = source;
    t.file = std::move(file);
    mOwnedBytes += holder->size() * sizeof(float);
    mOwned.insert_or_assign(name, holder);
    mTensors.insert_or_assign(std::move(name), std::move(t));
}

const StoredTensor* TensorStore::find(std::string_view name) const {
    auto it = mTensors.find(name);
    return it == mTensors.end() ? nullptr : &it->second;
}

std::vector<std::string> TensorStore::names() const {
    std::vector<std::string> out;
    out.reserve(mTensors.size());
    for (const auto& [name, t] : mTensors) {
        out.push_back(name);
    }
    return out;
}

void TensorStore::erase(std::string_view name) {
    auto it = mTensors.find(name);
    if (it == mTensors.end()) {
        return;
    }
    auto owned = mOwned.find(name);
    if (owned != mOwned.end()) {
        mOwnedBytes -= owned->second->size() * sizeof(float);
        mOwned.erase(owned);
    } else {
        // Borrowed memory stays mapped (its holder covers the whole file); only the count drops.
        mBorrowedBytes -= static_cast<size_t>(it->second.numel()) * sizeof(float);
    }
    mTensors.erase(it);
}

void TensorStore::keepMapped(std::shared_ptr<const MappedFile> file) {
    if (file) {
        mMapped.push_back(std::move(file));
    }
}

Status TensorStore::intact() const {
    for (const auto& file : mMapped) {
        if (auto st = file->intact(); !st) {
            return st;
        }
    }
    return Ok{};
}

}  // namespace vitscope::core
