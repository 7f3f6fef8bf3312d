#pragma once
/// NumPy .npz archives (a zip of .npy files, as written by numpy.savez / savez_compressed, and
/// used by JAX/big_vision ViT checkpoints).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/tensor_store.h"
#include "core/result.h"

namespace vitscope::core {

/// Reads every "<name>.npy" entry of the archive in `bytes` into tensor "<name>" ("a/b.npy" ->
/// "a/b"); other entries are ignored. Stored and deflated entries are supported. Floating-point
/// arrays (f2/f4/f8) become owned F32 tensors with their shape unchanged (4-D HWIO kernels stay
/// HWIO); integer and bool arrays are skipped.
///
/// Zip-bomb defence: before anything is allocated, each entry's declared uncompressed size must
/// be <= 8 GiB and the total <= min(16 GiB, 1100 x archive size + 1 MiB) (deflate cannot exceed
/// ~1032:1). Each entry is read to exactly its declared size; a stream that ends early, runs
/// longer or fails its CRC is an error. All errors are ErrorCode::BadModel naming `label` and
/// the entry. No temporary files are written.
Result<TensorStore> loadNpzFromBuffer(std::shared_ptr<std::vector<std::byte>> bytes,
                                      std::string_view label);

/// Maps the file (at most 16 GiB; see MappedFile) and reads it like loadNpzFromBuffer, with its
/// file name as label.
Result<TensorStore> loadNpz(const std::string& path);

}  // namespace vitscope::core
