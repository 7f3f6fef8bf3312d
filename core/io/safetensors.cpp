#include "core/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"

namespace vitscope::core {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderSize = 100'000'000;  // the reference implementation's limit
constexpr int kMaxJsonDepth = 16;                 // a valid header nests 3 levels
constexpr size_t kMaxIndexBytes = 8u << 20;       // model.safetensors.index.json: ~100 KB real

Error bad(std::string_view label, const std::string& message) {
    return makeError(ErrorCode::BadModel, std::string(label) + ": " + message);
}

std::string rangeToString(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

const char* jsonTypeName(const json& j) { return j.type_name(); }

std::optional<DType> dtypeFromName(const std::string& s) {
    static const std::pair<const char*, DType> kTable[] = {
        {"F64", DType::F64}, {"F32", DType::F32},   {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32},   {"I16", DType::I16}, {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::Bool},
    };
    for (const auto& [name, dtype] : kTable) {
        if (s == name) {
            return dtype;
        }
    }
    return std::nullopt;
}

/// Deepest bracket nesting of a JSON text (strings skipped). Checked before parsing so that a
/// hostile "[[[[..." cannot exhaust the stack anywhere in the JSON library.
int jsonDepth(std::string_view text) {
    int depth = 0;
    int maxDepth = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            maxDepth = std::max(maxDepth, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return maxDepth;
}

Result<std::vector<int64_t>> parseShape(const json& j, std::string_view label,
                                        const std::string& where) {
    if (!j.is_array()) {
        return bad(label,
                   where + ": 'shape' must be an array of integers, found " + jsonTypeName(j));
    }
    std::vector<int64_t> shape;
    shape.reserve(j.size());
    for (const json& d : j) {
        if (d.is_number_unsigned()) {
            const uint64_t v = d.get<uint64_t>();
            if (v > static_cast<uint64_t>(INT64_MAX)) {
                return bad(label,
                           where + ": shape dimension " + std::to_string(v) + " overflows int64");
            }
            shape.push_back(static_cast<int64_t>(v));
        } else if (d.is_number_integer()) {
            return bad(label, where + ": shape has negative dimension " +
                                  std::to_string(d.get<int64_t>()));
        } else {
            return bad(label, where + ": shape dimensions must be non-negative integers, found " +
                                  d.dump());
        }
    }
    return shape;
}

Result<SafetensorsEntry> parseEntry(const std::string& name, const json& j, uint64_t dataSize,
                                    std::string_view label) {
    const std::string where = "tensor '" + name + "'";
    if (!j.is_object()) {
        return bad(label, where + ": entry must be an object, found " + jsonTypeName(j));
    }
    SafetensorsEntry e;
    e.name = name;

    auto dtypeIt = j.find("dtype");
    if (dtypeIt == j.end() || !dtypeIt->is_string()) {
        return bad(label, where + ": missing string field 'dtype'");
    }
    const auto dtype = dtypeFromName(dtypeIt->get<std::string>());
    if (!dtype) {
        return bad(label, where + ": unknown dtype '" + dtypeIt->get<std::string>() +
                              "', expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, "
                              "BOOL");
    }
    e.dtype = *dtype;

    auto shapeIt = j.find("shape");
    if (shapeIt == j.end()) {
        return bad(label, where + ": missing field 'shape'");
    }
    auto shape = parseShape(*shapeIt, label, where);
    if (!shape) {
        return shape.error();
    }
    e.shape = std::move(*shape);
    uint64_t numel = 0;
    uint64_t needBytes = 0;
    if (!detail::checkedNumel(e.shape, numel) ||
        !detail::checkedMul(numel, dtypeSize(e.dtype), needBytes)) {
        return bad(label, where + ": shape " + shapeToString(e.shape) + " of " + toString(e.dtype) +
                              " overflows: its byte count does not fit in "
                              "64 bits");
    }

    auto offIt = j.find("data_offsets");
    if (offIt == j.end() || !offIt->is_array() || offIt->size() != 2 ||
        !(*offIt)[0].is_number_unsigned() || !(*offIt)[1].is_number_unsigned()) {
        return bad(label, where +
                              ": 'data_offsets' must be [begin, end] with non-negative "
                              "integers, found " +
                              (offIt == j.end() ? std::string("nothing") : offIt->dump()));
    }
    e.begin = (*offIt)[0].get<uint64_t>();
    e.end = (*offIt)[1].get<uint64_t>();
    if (e.begin > e.end) {
        return bad(label, where + ": data_offsets " + rangeToString(e.begin, e.end) +
                              " are reversed (begin > end)");
    }
    if (e.end > dataSize) {
        return bad(label, where + ": data_offsets " + rangeToString(e.begin, e.end) +
                              " run past the end of the data section (" + std::to_string(dataSize) +
                              " bytes; file truncated?)");
    }
    if (e.end - e.begin != needBytes) {
        return bad(label, where + ": data_offsets " + rangeToString(e.begin, e.end) + " hold " +
                              std::to_string(e.end - e.begin) + " bytes, shape " +
                              shapeToString(e.shape) + " of " + toString(e.dtype) + " needs " +
                              std::to_string(needBytes));
    }
    return e;
}

/// The tensors, sorted by offset, must tile [0, dataSize) exactly.
Status checkCoverage(const std::vector<SafetensorsEntry>& tensors, uint64_t dataSize,
                     std::string_view label) {
    uint64_t covered = 0;
    const SafetensorsEntry* previous = nullptr;
    for (const SafetensorsEntry& e : tensors) {
        if (e.begin < covered) {
            return bad(
                label,
                "tensor '" + e.name + "': data_offsets " + rangeToString(e.begin, e.end) +
                    " overlap tensor '" + (previous ? previous->name : std::string()) + "' " +
                    (previous ? rangeToString(previous->begin, previous->end) : std::string()));
        }
        if (e.begin > covered) {
            return bad(label, "bytes " + rangeToString(covered, e.begin) +
                                  " of the data section belong to no tensor (holes are not "
                                  "allowed)");
        }
        covered = e.end;
        if (e.end > e.begin) {
            previous = &e;
        }
    }
    if (covered != dataSize) {
        return bad(label, "bytes " + rangeToString(covered, dataSize) +
                              " of the data section belong to no tensor (trailing bytes are "
                              "not allowed)");
    }
    return Ok{};
}

void convertTensor(const SafetensorsEntry& e, const std::byte* src, std::string_view label,
                   TensorStore& store) {
    const size_t n = static_cast<size_t>(e.end - e.begin) / dtypeSize(e.dtype);
    std::vector<float> out;
    switch (e.dtype) {
        case DType::F32: {
            const bool aligned = reinterpret_cast<uintptr_t>(src) % alignof(float) == 0;
            if constexpr (std::endian::native == std::endian::little) {
                if (aligned) {
                    store.addBorrowed(e.name, e.shape, reinterpret_cast<const float*>(src), e.dtype,
                                      std::string(label));
                    return;
                }
            }
            out.resize(n);
            for (size_t i = 0; i < n; ++i) {
                out[i] = std::bit_cast<float>(detail::loadLe32(src + 4 * i));
            }
            break;
        }
        case DType::F16:
            out.resize(n);
            for (size_t i = 0; i < n; ++i) {
                out[i] = detail::halfToFloat(detail::loadLe16(src + 2 * i));
            }
            break;
        case DType::BF16:
            out.resize(n);
            for (size_t i = 0; i < n; ++i) {
                out[i] = detail::bfloat16ToFloat(detail::loadLe16(src + 2 * i));
            }
            break;
        case DType::F64:
            out.resize(n);
            for (size_t i = 0; i < n; ++i) {
                out[i] =
                    detail::doubleToFloat(std::bit_cast<double>(detail::loadLe64(src + 8 * i)));
            }
            break;
        default:
            return;  // integer / bool buffers are not weights
    }
    store.addOwned(e.name, e.shape, std::move(out), e.dtype, std::string(label));
}

bool isFloatDType(DType d) {
    return d == DType::F32 || d == DType::F16 || d == DType::BF16 || d == DType::F64;
}

Status addParsed(const std::shared_ptr<MappedFile>& file, const SafetensorsHeader& header,
                 std::string_view label, TensorStore& store) {
    // Check everything before touching the store, so a failure leaves it unchanged.
    for (const SafetensorsEntry& e : header.tensors) {
        if (!isFloatDType(e.dtype)) {
            continue;
        }
        if (const StoredTensor* existing = store.find(e.name)) {
            return bad(label, "tensor '" + e.name + "' is already loaded from " + existing->file);
        }
    }
    const std::byte* data = file->bytes().data() + header.dataOffset;
    bool borrowed = false;
    for (const SafetensorsEntry& e : header.tensors) {
        const size_t before = store.borrowedBytes();
        convertTensor(e, data + e.begin, label, store);
        borrowed = borrowed || store.borrowedBytes() != before;
    }
    if (borrowed) {
        store.keepMapped(file);
    }
    return Ok{};
}

/// A shard must stay in the index's folder once symbolic links are resolved: an index is not
/// a way to read any file on the machine.
Status checkConfined(const std::string& shardPath, const std::filesystem::path& folder,
                     const std::string& shard, const std::string& indexLabel) {
    std::error_code ec;
    const auto resolvedFolder =
        std::filesystem::canonical(folder.empty() ? std::filesystem::path(".") : folder, ec);
    if (ec) {
        return makeError(ErrorCode::Io,
                         indexLabel + ": cannot resolve its folder: " + ec.message());
    }
    const auto resolved = std::filesystem::canonical(shardPath, ec);
    if (ec) {
        return Ok{};  // missing or dangling: MappedFile::open says why
    }
    const auto [end, inside] = std::mismatch(resolvedFolder.begin(), resolvedFolder.end(),
                                             resolved.begin(), resolved.end());
    if (end != resolvedFolder.end() || inside == resolved.end()) {
        return bad(indexLabel, "shard '" + shard + "' resolves to " + resolved.string() +
                                   ", outside the index's folder " + resolvedFolder.string() +
                                   "; shards must be files in that folder");
    }
    return Ok{};
}

}  // namespace

Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> file,
                                                 std::string_view label) {
    if (file.size() < 8) {
        return bad(label, "file is " + std::to_string(file.size()) +
                              " bytes, too short for the 8-byte safetensors header length");
    }
    SafetensorsHeader h;
    h.headerSize = detail::loadLe64(file.data());
    if (h.headerSize > kMaxHeaderSize) {
        // Not printed: a number that large is some other file's first bytes, not a length.
        return bad(label,
                   "is not a safetensors file (its first 8 bytes are not a plausible "
                   "header length: more than the " +
                       std::to_string(kMaxHeaderSize) + "-byte limit)");
    }
    if (h.headerSize > file.size() - 8) {
        return bad(label, "header length " + std::to_string(h.headerSize) +
                              " runs past the end of the file (" + std::to_string(file.size()) +
                              " bytes)");
    }
    h.dataOffset = 8 + h.headerSize;
    h.dataSize = file.size() - h.dataOffset;

    const std::string_view text(reinterpret_cast<const char*>(file.data() + 8),
                                static_cast<size_t>(h.headerSize));
    if (jsonDepth(text) > kMaxJsonDepth) {
        return bad(label, "header is not a safetensors header: JSON nested deeper than " +
                              std::to_string(kMaxJsonDepth) + " levels");
    }
    json root;
    try {
        root = json::parse(text.begin(), text.end());
    } catch (const json::exception& ex) {
        return bad(label, std::string("header is not valid JSON: ") + ex.what());
    }
    if (!root.is_object()) {
        return bad(label,
                   std::string("header is a JSON ") + jsonTypeName(root) + ", expected an object");
    }

    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it->is_object()) {
                return bad(label, std::string("__metadata__ must be an object of strings, found ") +
                                      jsonTypeName(*it));
            }
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string()) {
                    return bad(label, "__metadata__ must map strings to strings; key '" + m.key() +
                                          "' holds a " + jsonTypeName(*m));
                }
                h.metadata.emplace(m.key(), m->get<std::string>());
            }
            continue;
        }
        auto entry = parseEntry(it.key(), *it, h.dataSize, label);
        if (!entry) {
            return entry.error();
        }
        h.tensors.push_back(std::move(*entry));
    }
    std::sort(h.tensors.begin(), h.tensors.end(), [](const auto& a, const auto& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    if (auto st = checkCoverage(h.tensors, h.dataSize, label); !st) {
        return st.error();
    }
    return h;
}

Status addSafetensorsToStore(std::shared_ptr<MappedFile> file, std::string_view label,
                             TensorStore& store) {
    if (!file) {
        return bad(label, "no file");
    }
    auto header = parseSafetensorsHeader(file->bytes(), label);
    if (!header) {
        return header.error();
    }
    return addParsed(file, *header, label, store);
}

Result<TensorStore> loadSafetensors(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    TensorStore store;
    if (auto st = addSafetensorsToStore(*file, fileLabel(path), store); !st) {
        return st.error();
    }
    return store;
}

Result<TensorStore> loadShardedSafetensors(const std::string& indexJsonPath) {
    const std::string indexLabel = fileLabel(indexJsonPath);
    auto bytes = readFile(indexJsonPath, kMaxIndexBytes);
    if (!bytes) {
        return bytes.error();
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (jsonDepth(text) > kMaxJsonDepth) {
        return bad(indexLabel,
                   "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    json root;
    try {
        root = json::parse(text.begin(), text.end());
    } catch (const json::exception& ex) {
        return bad(indexLabel, std::string("not valid JSON: ") + ex.what());
    }
    if (!root.is_object() || !root.contains("weight_map") || !root["weight_map"].is_object()) {
        return bad(indexLabel, "expected an object with a 'weight_map' object");
    }

    // shard file -> tensors the index places in it
    std::map<std::string, std::vector<std::string>> shards;
    for (auto it = root["weight_map"].begin(); it != root["weight_map"].end(); ++it) {
        if (!it->is_string()) {
            return bad(indexLabel, "weight_map['" + it.key() + "'] must be a file name, found " +
                                       jsonTypeName(*it));
        }
        const std::string shard = it->get<std::string>();
        if (shard.empty() || shard == "." || shard.find("..") != std::string::npos ||
            shard.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
            return bad(indexLabel, "weight_map['" + it.key() + "']: shard name '" + shard +
                                       "' must be a plain file name in the index's folder (no "
                                       "'/', '\\' or '..')");
        }
        shards[shard].push_back(it.key());
    }

    const std::filesystem::path folder = std::filesystem::path(indexJsonPath).parent_path();
    TensorStore store;
    for (const auto& [shard, tensors] : shards) {
        const std::string shardPath = (folder / shard).string();
        if (auto st = checkConfined(shardPath, folder, shard, indexLabel); !st) {
            return st.error();
        }
        auto file = MappedFile::open(shardPath);
        if (!file) {
            return makeError(file.error().code,
                             indexLabel + ": shard '" + shard + "': " + file.error().message);
        }
        auto header = parseSafetensorsHeader((*file)->bytes(), shard);
        if (!header) {
            return header.error();
        }
        std::set<std::string_view> present;
        for (const SafetensorsEntry& e : header->tensors) {
            present.insert(e.name);
        }
        for (const std::string& name : tensors) {
            if (!present.count(name)) {
                return bad(indexLabel, "tensor '" + name + "' is mapped to shard '" + shard +
                                           "', which does not contain it");
            }
        }
        if (auto st = addParsed(*file, *header, shard, store); !st) {
            return st.error();
        }
    }
    return store;
}

}  // namespace vitscope::core
