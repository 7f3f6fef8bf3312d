#include "app/cli_json.h"

#include <cstdio>

namespace vitscope::app {

size_t utf8SequenceLength(std::string_view s, size_t at) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(at);
    if (b0 < 0x80)
        return 1;
    size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        hi = b0 == 0xED ? 0x9F : 0xBF;  // no UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        lo = b0 == 0xF0 ? 0x90 : 0x80;
        hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (at + n > s.size() || byte(at + 1) < lo || byte(at + 1) > hi)
        return 0;
    for (size_t i = 2; i < n; ++i) {
        if (byte(at + i) < 0x80 || byte(at + i) > 0xBF)
            return 0;
    }
    return n;
}

std::string jsonStringLiteral(std::string_view bytes) {
    std::string out = "\"";
    char buf[8];
    for (size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        const size_t n = utf8SequenceLength(bytes, i);
        if (n == 0) {  // surrogateescape: U+DC80 + byte
            std::snprintf(buf, sizeof buf, "\\udc%02x", c);
            out += buf;
            i += 1;
            continue;
        }
        if (n > 1) {
            out.append(bytes.substr(i, n));
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7F) {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
        i += n;
    }
    return out + "\"";
}

namespace {

void write(const nlohmann::json& j, int indent, int depth, std::string& out) {
    const std::string inner(static_cast<size_t>(indent * (depth + 1)), ' ');
    const std::string outer(static_cast<size_t>(indent * depth), ' ');
    const char* newline = indent > 0 ? "\n" : "";
    if (j.is_object() || j.is_array()) {
        const bool object = j.is_object();
        if (j.empty()) {
            out += object ? "{}" : "[]";
            return;
        }
        out += object ? "{" : "[";
        out += newline;
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!first) {
                out += ",";
                out += newline;
            }
            first = false;
            out += inner;
            if (object)
                out += jsonStringLiteral(it.key()) + (indent > 0 ? ": " : ":");
            write(it.value(), indent, depth + 1, out);
        }
        out += newline + outer + (object ? "}" : "]");
    } else if (j.is_string()) {
        out += jsonStringLiteral(j.get_ref<const std::string&>());
    } else {
        out += j.dump();  // numbers, booleans, null (NaN and infinity print as null)
    }
}

}  // namespace

std::string toJsonText(const nlohmann::json& j, int indent) {
    std::string out;
    write(j, indent, 0, out);
    return out;
}

std::string printable(std::string_view bytes) {
    std::string out;
    char buf[8];
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = utf8SequenceLength(bytes, i);
        if (n == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(bytes[i]));
            out += buf;
            i += 1;
        } else {
            out.append(bytes.substr(i, n));
            i += n;
        }
    }
    return out;
}

}  // namespace vitscope::app
