#pragma once
/// vitscope-cli's one argument parser and one option table. Every command draws its options from
/// the same table, so an option has one name, one meaning, one set of values and one line of help
/// wherever it is accepted. `--name value`, `--name=value` and `--flag`; unknown options and
/// options a command does not take are usage errors (exit code 1), never silently ignored.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace vitscope::app {

/// The documented exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;  ///< bad arguments, or an output that cannot be written
inline constexpr int kExitInput = 2;  ///< bad image or data file
inline constexpr int kExitModel = 3;  ///< bad model

/// Which step an error came from, so that a file that cannot be read counts as what it was.
enum class Stage { Model, Input, Output };
/// The one mapping from core errors to exit codes: BadModel 3; BadImage and BadData 2; Io 3, 2
/// or 1 by stage; Usage and Cancelled 1.
int exitCodeFor(const core::Error& error, Stage stage);
/// Prints "vitscope-cli COMMAND: message" to stderr and returns `code`.
int fail(const std::string& command, int code, const std::string& message);
int fail(const std::string& command, const core::Error& error, Stage stage);

struct OptionSpec {
    const char* name;   ///< without the dashes
    const char* value;  ///< value placeholder ("HxW"); nullptr for a flag
    const char* help;
};
/// Every option of every command, in help order.
const std::vector<OptionSpec>& optionTable();

struct CommandSpec {
    const char* name;
    const char* synopsis;  ///< one line after the command name
    const char* summary;
    std::vector<std::string> options;  ///< names from optionTable()
};
const std::vector<CommandSpec>& commandTable();
const CommandSpec* findCommand(const std::string& name);
/// The whole help (no command) or one command's, generated from the two tables.
std::string helpText(const CommandSpec* command = nullptr);

class CliArgs {
public:
    /// Parses argv[first..argc) against `command`'s options; returns an error message or nothing.
    std::optional<std::string> parse(const CommandSpec& command, int argc, char** argv, int first);

    bool has(const std::string& name) const {
        return mValues.count(name) > 0 || mFlags.count(name) > 0;
    }
    std::string get(const std::string& name, const std::string& fallback = {}) const;
    /// Integer option in [lo, hi]; fallback when absent; error message when malformed.
    core::Result<int> getInt(const std::string& name, int fallback, int lo, int hi) const;
    /// Real option in [lo, hi].
    core::Result<double> getReal(const std::string& name, double fallback, double lo,
                                 double hi) const;
    /// "HxW" (also "H,W" when `sep` is ','), each in [lo, hi]; {0, 0} when absent.
    core::Result<std::pair<int, int>> getPair(const std::string& name, char sep, int lo,
                                              int hi) const;

    /// "HxW" with each side in [1, maxSide] and at most `maxPixels` pixels; {0, 0} when absent.
    core::Result<std::pair<int, int>> getSize(const std::string& name, int maxSide,
                                              long long maxPixels) const;

private:
    std::map<std::string, std::string> mValues;
    std::set<std::string> mFlags;
};

}  // namespace vitscope::app
