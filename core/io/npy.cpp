#include "core/io/npy.h"

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "core/io/data_export.h"
#include "core/io/file_util.h"

namespace vitscope::core {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr int kMaxRank = 64;

Error bad(std::string_view label, const std::string& message) {
    return makeError(ErrorCode::BadData, std::string(label) + ": " + message);
}

/// A value of the Python-literal header dict.
struct PyValue {
    enum class Kind { String, Bool, None, Int, Tuple } kind = Kind::None;
    std::string text;            // String
    bool flag = false;           // Bool
    int64_t number = 0;          // Int
    bool negative = false;       // Int
    bool tooLarge = false;       // Int beyond int64
    std::vector<PyValue> items;  // Tuple / list
};

/// A small, tolerant parser for the header: `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (3, 4), }` with either quote style, Python 2 long suffixes ("3L"), trailing commas
/// and any whitespace. Nesting is bounded.
class HeaderParser {
public:
    explicit HeaderParser(std::string_view text) : mText(text) {}

    bool parseDict(std::vector<std::pair<std::string, PyValue>>& out, std::string& error) {
        skipSpace();
        if (!consume('{')) {
            error = "header is not a Python dict literal (no '{')";
            return false;
        }
        for (;;) {
            skipSpace();
            if (consume('}')) {
                return true;
            }
            PyValue key;
            if (!parseValue(key, 0, error)) {
                return false;
            }
            if (key.kind != PyValue::Kind::String) {
                error = "header dict keys must be strings";
                return false;
            }
            skipSpace();
            if (!consume(':')) {
                error = "header dict: expected ':' after '" + key.text + "'";
                return false;
            }
            PyValue value;
            if (!parseValue(value, 0, error)) {
                return false;
            }
            out.emplace_back(key.text, std::move(value));
            skipSpace();
            if (consume(',')) {
                continue;
            }
            if (consume('}')) {
                return true;
            }
            error = "header dict: expected ',' or '}' at offset " + std::to_string(mPos);
            return false;
        }
    }

private:
    bool parseValue(PyValue& v, int depth, std::string& error) {
        skipSpace();
        if (mPos >= mText.size()) {
            error = "header dict ends early";
            return false;
        }
        const char c = mText[mPos];
        if (c == '\'' || c == '"') {
            return parseString(v, error);
        }
        if (c == '(' || c == '[') {
            if (depth >= 4) {
                error = "header dict nested too deeply";
                return false;
            }
            const char close = c == '(' ? ')' : ']';
            ++mPos;
            v.kind = PyValue::Kind::Tuple;
            for (;;) {
                skipSpace();
                if (consume(close)) {
                    return true;
                }
                if (v.items.size() >= kMaxRank) {
                    error = "header tuple has more than " + std::to_string(kMaxRank) + " items";
                    return false;
                }
                PyValue item;
                if (!parseValue(item, depth + 1, error)) {
                    return false;
                }
                v.items.push_back(std::move(item));
                skipSpace();
                if (consume(',')) {
                    continue;
                }
                if (consume(close)) {
                    return true;
                }
                error = "header tuple: expected ',' or '" + std::string(1, close) + "'";
                return false;
            }
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return parseInt(v, error);
        }
        for (const auto& [word, kind, flag] : {std::tuple{"True", PyValue::Kind::Bool, true},
                                               std::tuple{"False", PyValue::Kind::Bool, false},
                                               std::tuple{"None", PyValue::Kind::None, false}}) {
            if (mText.substr(mPos).starts_with(word)) {
                mPos += std::strlen(word);
                v.kind = kind;
                v.flag = flag;
                return true;
            }
        }
        error = "header dict: unexpected character '" + std::string(1, c) + "' at offset " +
                std::to_string(mPos);
        return false;
    }

    bool parseString(PyValue& v, std::string& error) {
        const char quote = mText[mPos++];
        v.kind = PyValue::Kind::String;
        while (mPos < mText.size() && mText[mPos] != quote) {
            if (mText[mPos] == '\\' && mPos + 1 < mText.size()) {
                ++mPos;
            }
            v.text += mText[mPos++];
        }
        if (!consume(quote)) {
            error = "header dict: unterminated string";
            return false;
        }
        return true;
    }

    bool parseInt(PyValue& v, std::string& error) {
        v.kind = PyValue::Kind::Int;
        if (consume('-')) {
            v.negative = true;
        }
        uint64_t n = 0;
        size_t digits = 0;
        while (mPos < mText.size() && mText[mPos] >= '0' && mText[mPos] <= '9') {
            const uint64_t d = static_cast<uint64_t>(mText[mPos] - '0');
            if (!detail::checkedMul(n, 10, n) || !detail::checkedAdd(n, d, n) ||
                n > static_cast<uint64_t>(INT64_MAX)) {
                v.tooLarge = true;
                n = 0;
            }
            ++mPos;
            ++digits;
        }
        if (digits == 0) {
            error = "header dict: '-' without digits";
            return false;
        }
        if (mPos < mText.size() && (mText[mPos] == 'L' || mText[mPos] == 'l')) {
            ++mPos;  // Python 2 long
        }
        v.number = v.negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
        return true;
    }

    void skipSpace() {
        while (mPos < mText.size() && (mText[mPos] == ' ' || mText[mPos] == '\t' ||
                                       mText[mPos] == '\n' || mText[mPos] == '\r')) {
            ++mPos;
        }
    }
    bool consume(char c) {
        if (mPos < mText.size() && mText[mPos] == c) {
            ++mPos;
            return true;
        }
        return false;
    }

    std::string_view mText;
    size_t mPos = 0;
};

struct DescrInfo {
    DType dtype;
    bool bigEndian;
};

Result<DescrInfo> parseDescr(const std::string& descr, std::string_view label) {
    if (descr.size() >= 2 && descr[1] == 'O') {
        return bad(label, "object arrays ('" + descr + "') are refused: they hold pickles");
    }
    if (descr.size() < 3) {
        return bad(label, "unsupported dtype descr '" + descr + "'");
    }
    const char order = descr[0];
    const std::string kind = descr.substr(1);
    static const std::pair<const char*, DType> kTable[] = {
        {"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
        {"i1", DType::I8},  {"i2", DType::I16}, {"i4", DType::I32},
        {"i8", DType::I64}, {"u1", DType::U8},  {"b1", DType::Bool},
    };
    std::optional<DType> dtype;
    for (const auto& [name, d] : kTable) {
        if (kind == name) {
            dtype = d;
        }
    }
    if (!dtype || (order != '<' && order != '>' && order != '|' && order != '=')) {
        return bad(label, "unsupported dtype descr '" + descr +
                              "', expected one of <f2 <f4 <f8 <i2 <i4 <i8 |i1 |u1 |b1");
    }
    const bool big = order == '>' || (order == '=' && std::endian::native == std::endian::big);
    return DescrInfo{*dtype, big && dtypeSize(*dtype) > 1};
}

const PyValue* findKey(const std::vector<std::pair<std::string, PyValue>>& dict,
                       std::string_view key) {
    for (const auto& [k, v] : dict) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

Status writeNpyBytes(const std::string& path, const std::vector<int64_t>& shape, const char* descr,
                     const void* data, size_t itemSize) {
    uint64_t numel = 0;
    uint64_t bytes = 0;
    if (!detail::checkedNumel(shape, numel) || !detail::checkedMul(numel, itemSize, bytes)) {
        return makeError(ErrorCode::Usage, path + ": cannot write shape " + shapeToString(shape) +
                                               ": negative or overflowing dimensions");
    }
    if (numel > 0 && data == nullptr) {
        return makeError(ErrorCode::Usage, path + ": no data for shape " + shapeToString(shape));
    }
    std::string shapeText = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        shapeText += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    }
    shapeText += shape.size() == 1 ? ",)" : ")";  // Python's 1-tuple
    std::string header = std::string("{'descr': '") + descr +
                         "', 'fortran_order': False, 'shape': " + shapeText + ", }";
    // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    if (header.size() > 65535) {
        return makeError(ErrorCode::Usage, path + ": shape too long for an .npy 1.0 header");
    }

    std::string prefix(kMagic, kMagicSize);
    prefix += '\x01';
    prefix += '\x00';
    prefix += static_cast<char>(header.size() & 0xff);
    prefix += static_cast<char>(header.size() >> 8);

    return writeAtomically(path, [&](std::FILE* f) {
        bool okWrite = std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size() &&
                       std::fwrite(header.data(), 1, header.size(), f) == header.size();
        if constexpr (std::endian::native == std::endian::little) {
            return okWrite && (bytes == 0 || std::fwrite(data, 1, bytes, f) == bytes);
        }
        const auto* src = static_cast<const unsigned char*>(data);
        for (uint64_t i = 0; okWrite && i < numel; ++i) {
            unsigned char item[8];
            for (size_t b = 0; b < itemSize; ++b) {
                item[b] = src[i * itemSize + itemSize - 1 - b];
            }
            okWrite = std::fwrite(item, 1, itemSize, f) == itemSize;
        }
        return okWrite;
    });
}

}  // namespace

namespace {

/// The magic, the version and the header text of an .npy file; `dataStart` is where the array
/// bytes begin.
struct NpyPreamble {
    std::string_view header;
    size_t dataStart = 0;
};

Result<NpyPreamble> readPreamble(std::span<const std::byte> bytes, std::string_view label) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
        return bad(label, "bad magic: not an .npy file (expected \\x93NUMPY)");
    }
    const int major = std::to_integer<int>(bytes[6]);
    const int minor = std::to_integer<int>(bytes[7]);
    size_t prefix = 0;
    uint64_t headerLen = 0;
    if (major == 1 && minor == 0) {
        prefix = 10;
        headerLen = detail::loadLe16(bytes.data() + 8);
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (bytes.size() < 12) {
            return bad(label, "file ends inside the header length");
        }
        prefix = 12;
        headerLen = detail::loadLe32(bytes.data() + 8);
    } else {
        return bad(label, "unsupported .npy version " + std::to_string(major) + "." +
                              std::to_string(minor) + ", expected 1.0, 2.0 or 3.0");
    }
    if (headerLen > bytes.size() - prefix) {
        return bad(label, "header length " + std::to_string(headerLen) +
                              " runs past the end of the file (" + std::to_string(bytes.size()) +
                              " bytes)");
    }
    // Version 3.0 is UTF-8, 1.0/2.0 latin-1; the keys and values used here are ASCII either way.
    return NpyPreamble{std::string_view(reinterpret_cast<const char*>(bytes.data() + prefix),
                                        static_cast<size_t>(headerLen)),
                       prefix + static_cast<size_t>(headerLen)};
}

/// descr, shape and fortran_order from the header dict, checked.
Result<NpyArray> readHeaderDict(std::string_view text, std::string_view label) {
    std::vector<std::pair<std::string, PyValue>> dict;
    std::string error;
    if (!HeaderParser(text).parseDict(dict, error)) {
        return bad(label, error);
    }
    const PyValue* descr = findKey(dict, "descr");
    const PyValue* fortran = findKey(dict, "fortran_order");
    const PyValue* shapeValue = findKey(dict, "shape");
    if (!descr || !fortran || !shapeValue) {
        return bad(label, "header dict lacks 'descr', 'fortran_order' or 'shape'");
    }
    if (descr->kind != PyValue::Kind::String) {
        return bad(label, "structured dtypes are not supported ('descr' is not a string)");
    }
    if (fortran->kind != PyValue::Kind::Bool) {
        return bad(label, "'fortran_order' must be True or False");
    }
    if (shapeValue->kind != PyValue::Kind::Tuple) {
        return bad(label, "'shape' must be a tuple of integers");
    }
    NpyArray array;
    array.descr = descr->text;
    for (const PyValue& d : shapeValue->items) {
        if (d.kind != PyValue::Kind::Int) {
            return bad(label, "'shape' must be a tuple of integers");
        }
        if (d.negative) {
            return bad(label, "shape has a negative dimension " + std::to_string(d.number));
        }
        if (d.tooLarge) {
            return bad(label, "shape dimension overflows int64");
        }
        array.shape.push_back(d.number);
    }
    int nonTrivialAxes = 0;
    for (int64_t s : array.shape) {
        nonTrivialAxes += s > 1 ? 1 : 0;
    }
    if (fortran->flag && nonTrivialAxes >= 2) {
        return bad(label, "fortran_order True is not supported for shape " +
                              shapeToString(array.shape) + ", expected C order");
    }
    return array;
}

}  // namespace

Result<NpyArray> parseNpy(std::span<const std::byte> bytes, std::string_view label) {
    auto preamble = readPreamble(bytes, label);
    if (!preamble) {
        return preamble.error();
    }
    auto parsed = readHeaderDict(preamble->header, label);
    if (!parsed) {
        return parsed.error();
    }
    NpyArray array = std::move(parsed.value());
    auto info = parseDescr(array.descr, label);
    if (!info) {
        return info.error();
    }
    if (info->bigEndian) {
        return bad(label, "big-endian dtype '" + array.descr +
                              "' is not supported, expected little-endian ('<')");
    }
    array.dtype = info->dtype;
    uint64_t numel = 0;
    uint64_t need = 0;
    if (!detail::checkedNumel(array.shape, numel) ||
        !detail::checkedMul(numel, dtypeSize(array.dtype), need)) {
        return bad(label, "shape " + shapeToString(array.shape) +
                              " overflows: its byte count does not fit in 64 bits");
    }
    const uint64_t have = bytes.size() - preamble->dataStart;
    if (have != need) {
        return bad(label, "data holds " + std::to_string(have) + " bytes, shape " +
                              shapeToString(array.shape) + " of " + array.descr + " needs " +
                              std::to_string(need));
    }
    array.data = bytes.subspan(preamble->dataStart);
    return array;
}

std::vector<float> toFloat32(const NpyArray& array) {
    const size_t n = array.data.size() / dtypeSize(array.dtype);
    const std::byte* p = array.data.data();
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) {
        switch (array.dtype) {
            case DType::F32:
                out[i] = std::bit_cast<float>(detail::loadLe32(p + 4 * i));
                break;
            case DType::F16:
                out[i] = detail::halfToFloat(detail::loadLe16(p + 2 * i));
                break;
            case DType::BF16:
                out[i] = detail::bfloat16ToFloat(detail::loadLe16(p + 2 * i));
                break;
            case DType::F64:
                out[i] = detail::doubleToFloat(std::bit_cast<double>(detail::loadLe64(p + 8 * i)));
                break;
            case DType::I64:
                out[i] = static_cast<float>(static_cast<int64_t>(detail::loadLe64(p + 8 * i)));
                break;
            case DType::I32:
                out[i] = static_cast<float>(static_cast<int32_t>(detail::loadLe32(p + 4 * i)));
                break;
            case DType::I16:
                out[i] = static_cast<float>(static_cast<int16_t>(detail::loadLe16(p + 2 * i)));
                break;
            case DType::I8:
                out[i] = static_cast<float>(std::to_integer<int8_t>(p[i]));
                break;
            case DType::U8:
                out[i] = static_cast<float>(std::to_integer<uint8_t>(p[i]));
                break;
            case DType::Bool:
                out[i] = p[i] != std::byte{0} ? 1.0f : 0.0f;
                break;
        }
    }
    return out;
}

Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
    return writeNpyBytes(path, shape, "<f4", data, sizeof(float));
}

Status writeNpy(const std::string& path, const std::vector<int64_t>& shape, const int64_t* data) {
    return writeNpyBytes(path, shape, "<i8", data, sizeof(int64_t));
}

}  // namespace vitscope::core
