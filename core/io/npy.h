#pragma once
/// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0): reading from a byte buffer and writing
/// float32 / int64 files. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/tensor_store.h"
#include "core/result.h"

namespace vitscope::core {

/// A parsed array. `data` points into the buffer given to parseNpy(): the caller keeps that
/// buffer alive. Data is little-endian, C order (or an order that does not matter).
struct NpyArray {
    DType dtype = DType::F32;
    std::string descr;  ///< as written in the file, e.g. "<f4"
    std::vector<int64_t> shape;
    std::span<const std::byte> data;  ///< exactly numel() * dtypeSize(dtype) bytes
    int64_t numel() const {
        int64_t n = 1;
        for (int64_t s : shape) n *= s;
        return n;
    }
};

/// Parses a whole .npy file. Accepted descr: '<f2' '<f4' '<f8' '<i2' '<i4' '<i8' '|i1' '|u1'
/// '|b1' (and '<'/'=' variants of 1-byte types). Errors (ErrorCode::BadData, message starts with
/// `label`): bad magic, unknown version, header past the end or not a dict, missing keys,
/// big-endian or unsupported/object dtypes, fortran_order True for an array with two or more
/// non-trivial axes, negative or overflowing shapes, and a data size that differs from the shape.
Result<NpyArray> parseNpy(std::span<const std::byte> bytes, std::string_view label);

/// The array's values as float32 (integers and bools converted by value).
std::vector<float> toFloat32(const NpyArray& array);

/// Write a C-order float32 ('<f4') / int64 ('<i8') array, format 1.0, header padded so the data
/// starts at a multiple of 64 bytes. `data` holds the product of `shape` values (may be null when
/// that is 0). Written through writeAtomically (data_export.h), so a failed write leaves nothing
/// behind. Fails with ErrorCode::Usage for a negative/overflowing shape, ErrorCode::Io (path and
/// strerror) when the file cannot be written.
Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const float* data);
Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const int64_t* data);

}  // namespace vitscope::core
