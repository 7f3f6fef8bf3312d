#include "app/cli_args.h"

#include <cstdio>

#include "core/io/resource_locator.h"

namespace vitscope::app {

CliArgs::CliArgs(std::set<std::string> valued, std::set<std::string> flags)
    : mValued(std::move(valued)), mFlagNames(std::move(flags)) {}

std::optional<std::string> CliArgs::parse(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--", 0) != 0) return "unexpected argument '" + a + "'";
        std::string name = a.substr(2);
        std::string value;
        const size_t eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (mFlagNames.count(name)) {
            if (inlineValue) return "option --" + name + " takes no value";
            mFlags.insert(name);
        } else if (mValued.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= argc) return "option --" + name + " needs a value";
                value = argv[++i];
            }
            mValues[name] = value;
        } else {
            return "unknown option --" + name;
        }
    }
    return std::nullopt;
}

std::string CliArgs::get(const std::string& name, const std::string& fallback) const {
    auto it = mValues.find(name);
    return it == mValues.end() ? fallback : it->second;
}

int CliArgs::getInt(const std::string& name, int fallback, int lo, int hi, std::string& error) const {
    auto it = mValues.find(name);
    if (it == mValues.end()) return fallback;
    try {
        size_t used = 0;
        const long v = std::stol(it->second, &used);
        if (used == it->second.size() && v >= lo && v <= hi) return static_cast<int>(v);
    } catch (...) {
    }
    error = "--" + name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" +
            it->second + "'";
    return fallback;
}

bool parseSize(const std::string& text, int& h, int& w) {
    const size_t x = text.find_first_of("xX");
    if (x == std::string::npos) return false;
    try {
        size_t u1 = 0, u2 = 0;
        const std::string a = text.substr(0, x), b = text.substr(x + 1);
        h = std::stoi(a, &u1);
        w = std::stoi(b, &u2);
        return u1 == a.size() && u2 == b.size() && h > 0 && w > 0 && h <= 8192 && w <= 8192;
    } catch (...) {
        return false;
    }
}

std::string resourcesDir(const char* argv0) {
    auto dir = core::resourcesDir(argv0);
    if (!dir) {
        std::fprintf(stderr, "vitscope-cli: %s\n", dir.error().message.c_str());
        return {};
    }
    return *dir;
}

std::string defaultModelPath(const char* argv0) {
    auto path = core::defaultModelPath(argv0);
    if (!path) {
        std::fprintf(stderr, "vitscope-cli: %s\n", path.error().message.c_str());
        return {};
    }
    return *path;
}

}  // namespace vitscope::app
