#pragma once
/// A small, strict argument parser for vitscope-cli: `--name value` and `--flag` options after a
/// command word. Unknown options are usage errors (exit code 1), never silently ignored.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vitscope::app {

class CliArgs {
public:
    /// `valued`: options that take a value; `flags`: options that do not.
    CliArgs(std::set<std::string> valued, std::set<std::string> flags);
    /// Parses argv[first..argc); returns an error message or nothing.
    std::optional<std::string> parse(int argc, char** argv, int first);

    bool has(const std::string& name) const { return mValues.count(name) > 0 || mFlags.count(name) > 0; }
    std::string get(const std::string& name, const std::string& fallback = {}) const;
    /// Integer option in [lo, hi]; returns an error message through `error` when malformed.
    int getInt(const std::string& name, int fallback, int lo, int hi, std::string& error) const;

private:
    std::set<std::string> mValued, mFlagNames;
    std::map<std::string, std::string> mValues;
    std::set<std::string> mFlags;
};

/// "HxW" -> (h, w); false when malformed.
bool parseSize(const std::string& text, int& h, int& w);

/// The resources folder and the bundled default model, from core/io/resource_locator.h. Empty,
/// after printing the locator's message to stderr, when no resources folder is found.
std::string defaultModelPath(const char* argv0);
std::string resourcesDir(const char* argv0);

}  // namespace vitscope::app
