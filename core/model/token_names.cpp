#include "core/model/token_names.h"

#include <charconv>

namespace vitscope::core {

namespace {

bool isRegister(const TokenLayout& t, int token) {
    return t.numRegisters > 0 && token >= t.firstRegister &&
           token < t.firstRegister + t.numRegisters;
}

bool parseNumber(std::string_view text, int& value) {
    if (text.empty()) {
        return false;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string tokenId(const TokenLayout& t, int token) {
    if (token == t.clsIndex) {
        return "cls";
    }
    if (token == t.distIndex) {
        return "dist";
    }
    if (isRegister(t, token)) {
        return "reg" + std::to_string(token - t.firstRegister + 1);
    }
    if (t.isPatch(token)) {
        const int p = token - t.numPrefix;
        return "r" + std::to_string(p / t.gridW + 1) + "c" + std::to_string(p % t.gridW + 1);
    }
    return "token" + std::to_string(token);
}

std::string tokenLabel(const TokenLayout& t, int token) {
    if (token == t.clsIndex) {
        return "the class token";
    }
    if (token == t.distIndex) {
        return "the distillation token";
    }
    if (isRegister(t, token)) {
        return "register " + std::to_string(token - t.firstRegister + 1);
    }
    if (t.isPatch(token)) {
        const int p = token - t.numPrefix;
        return "patch (row " + std::to_string(p / t.gridW + 1) + ", column " +
               std::to_string(p % t.gridW + 1) + ")";
    }
    return "token " + std::to_string(token);
}

Result<int> parseTokenSpec(const TokenLayout& t, std::string_view spec) {
    const std::string s(spec);
    auto usage = [&](const std::string& why) {
        return makeError(ErrorCode::Usage, "token '" + s + "': " + why);
    };
    const std::string forms =
        "expected cls, dist, regN, rRcC, ROW,COL or a patch number (1-based: rows 1.." +
        std::to_string(t.gridH) + ", columns 1.." + std::to_string(t.gridW) + ", patches 1.." +
        std::to_string(t.numPatches()) + ")";
    if (s == "cls") {
        if (t.clsIndex < 0) {
            return usage("the model has no class token");
        }
        return t.clsIndex;
    }
    if (s == "dist") {
        if (t.distIndex < 0) {
            return usage("the model has no distillation token");
        }
        return t.distIndex;
    }
    int a = 0;
    int b = 0;
    if (s.rfind("reg", 0) == 0 && parseNumber(std::string_view(s).substr(3), a)) {
        if (a < 1 || a > t.numRegisters) {
            return usage("the model has " + std::to_string(t.numRegisters) +
                         " register tokens (1-based)");
        }
        return t.firstRegister + a - 1;
    }
    std::string_view rowText;
    std::string_view colText;
    if (const size_t comma = s.find(','); comma != std::string::npos) {
        rowText = std::string_view(s).substr(0, comma);
        colText = std::string_view(s).substr(comma + 1);
    } else if (const size_t c = s.find('c');
               s.size() > 1 && s[0] == 'r' && c != std::string::npos) {
        rowText = std::string_view(s).substr(1, c - 1);
        colText = std::string_view(s).substr(c + 1);
    }
    if (!rowText.empty() || !colText.empty()) {
        if (!parseNumber(rowText, a) || !parseNumber(colText, b)) {
            return usage(forms);
        }
        if (a < 1 || a > t.gridH || b < 1 || b > t.gridW) {
            return usage("outside the " + std::to_string(t.gridH) + "x" + std::to_string(t.gridW) +
                         " grid; " + forms);
        }
        return t.patchToken(a - 1, b - 1);
    }
    if (parseNumber(s, a)) {
        if (a < 1 || a > t.numPatches()) {
            return usage(forms);
        }
        return t.numPrefix + a - 1;
    }
    return usage(forms);
}

int defaultQueryToken(const TokenLayout& t) {
    return t.clsIndex >= 0 ? t.clsIndex : t.patchToken(t.gridH / 2, t.gridW / 2);
}

}  // namespace vitscope::core
