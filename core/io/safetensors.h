#pragma once
/// safetensors checkpoints (https://huggingface.co/docs/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON, then the raw little-endian tensor data in C order.
///
/// Validation rules (all failures are ErrorCode::BadModel, messages start with the label):
/// - the file holds at least 8 bytes, N <= 100 MB (the reference implementation's limit) and the
///   header fits in the file;
/// - the header is a UTF-8 JSON object, nested at most a few levels deep; "__metadata__", when
///   present, maps strings to strings;
/// - every other entry has "dtype" in {F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL}, a
///   "shape" of non-negative integers whose product (times the dtype size) fits in 64 bits, and
///   "data_offsets" [begin, end] with begin <= end <= data section size and
///   end - begin == numel * dtype size;
/// - as the format specification requires ("the byte buffer needs to be entirely indexed, and
///   cannot contain holes", which blocks polyglot files) and as the reference Rust
///   implementation enforces: sorted by begin, the tensors tile the data section exactly: no
///   overlap, no gap, no trailing bytes. Zero-size tensors ([k, k]) are allowed anywhere.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/tensor_store.h"
#include "core/result.h"

namespace vitscope::core {

class MappedFile;

struct SafetensorsEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  ///< byte offset relative to the start of the data section
    uint64_t end = 0;    ///< one past the last byte
};

struct SafetensorsHeader {
    uint64_t headerSize = 0;                ///< N, the JSON length
    uint64_t dataOffset = 0;                ///< 8 + N: where the data section starts in the file
    uint64_t dataSize = 0;                  ///< bytes after the header
    std::vector<SafetensorsEntry> tensors;  ///< sorted by data offset
    std::map<std::string, std::string> metadata;
};

/// Parses and fully validates the header against the buffer (see the rules above). Pure: reads
/// only `file`, allocates in proportion to the header's real size.
Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> file,
                                                 std::string_view label);

/// Adds every floating-point tensor of a mapped safetensors file to `store`:
/// F32 at a 4-byte aligned address is borrowed in place (the store keeps the mapping alive),
/// unaligned F32 is copied, F16/BF16/F64 are converted to owned F32. Integer and BOOL tensors
/// are skipped (they are buffers such as position ids, not weights). A tensor name that the
/// store already holds is an error. On error the store is left unchanged.
Status addSafetensorsToStore(std::shared_ptr<MappedFile> file, std::string_view label,
                             TensorStore& store);

/// Maps `path` and loads it as above; the label is the file name.
Result<TensorStore> loadSafetensors(const std::string& path);

/// Loads a sharded checkpoint from its `model.safetensors.index.json`
/// ({"weight_map": {tensor: shard file}, "metadata": {...}}). Shards are resolved in the index's
/// folder and must be plain file names (no '/', '\\' or ".."); each shard is loaded once, every
/// tensor in weight_map must be present in the shard it names, and a tensor found in two shards
/// is an error.
Result<TensorStore> loadShardedSafetensors(const std::string& indexJsonPath);

}  // namespace vitscope::core
