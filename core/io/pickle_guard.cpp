#include "core/io/pickle_guard.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "core/io/file_util.h"

namespace vitscope::core {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;    // "PK\3\4"
constexpr uint32_t kCentralHeader = 0x02014b50;  // "PK\1\2"
constexpr uint32_t kEndOfCentral = 0x06054b50;   // "PK\5\6"
constexpr size_t kMaxCentralEntries = 100000;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool hasPickleExtension(std::string_view path) {
    const std::string name = lower(path);
    for (const char* ext : {".pth", ".pt", ".bin", ".ckpt", ".pkl", ".pickle"}) {
        if (name.ends_with(ext)) {
            return true;
        }
    }
    return false;
}

bool isPickleName(std::string_view name) {
    return name == "data.pkl" || name.ends_with("/data.pkl");
}

std::string_view nameAt(std::span<const std::byte> bytes, size_t offset, size_t length) {
    if (offset > bytes.size() || length > bytes.size() - offset) {
        return {};
    }
    return {reinterpret_cast<const char*>(bytes.data() + offset), length};
}

/// The first local file header's name ("archive/data.pkl" in torch.save's zip format).
bool firstEntryIsPickle(std::span<const std::byte> b) {
    if (b.size() < 30 || detail::loadLe32(b.data()) != kLocalHeader) {
        return false;
    }
    const size_t nameLength = detail::loadLe16(b.data() + 26);
    return isPickleName(nameAt(b, 30, nameLength));
}

/// Walks the central directory when the end-of-central-directory record is inside `b`.
bool centralDirectoryHasPickle(std::span<const std::byte> b) {
    if (b.size() < 22) {
        return false;
    }
    // The EOCD record is in the last 22 + 65535 (comment) bytes.
    const size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
    for (size_t pos = b.size() - 22 + 1; pos-- > lowest;) {
        if (detail::loadLe32(b.data() + pos) != kEndOfCentral) {
            continue;
        }
        const size_t entries = detail::loadLe16(b.data() + pos + 10);
        size_t offset = detail::loadLe32(b.data() + pos + 16);
        for (size_t i = 0; i < entries && i < kMaxCentralEntries; ++i) {
            if (offset > b.size() || b.size() - offset < 46 ||
                detail::loadLe32(b.data() + offset) != kCentralHeader) {
                break;  // zip64 or damaged: the first-entry check still applies
            }
            const size_t nameLength = detail::loadLe16(b.data() + offset + 28);
            const size_t extraLength = detail::loadLe16(b.data() + offset + 30);
            const size_t commentLength = detail::loadLe16(b.data() + offset + 32);
            if (isPickleName(nameAt(b, offset + 46, nameLength))) {
                return true;
            }
            offset += 46 + nameLength + extraLength + commentLength;
        }
        return false;
    }
    return false;
}

}  // namespace

std::optional<std::string> refusePickle(std::string_view path, std::span<const std::byte> head) {
    bool pickle = hasPickleExtension(path);
    if (!pickle && head.size() >= 2 && head[0] == std::byte{0x80}) {
        const int protocol = std::to_integer<int>(head[1]);
        pickle = protocol >= 2 && protocol <= 5;
    }
    if (!pickle) {
        pickle = firstEntryIsPickle(head) || centralDirectoryHasPickle(head);
    }
    if (!pickle) {
        return std::nullopt;
    }
    return fileLabel(std::string(path)) +
           ": PyTorch pickle checkpoints are refused: unpickling can run arbitrary code. Convert "
           "it to safetensors with tools/convert_pth_to_safetensors.py (needs PyTorch) and open "
           "the .safetensors file.";
}

}  // namespace vitscope::core
