#pragma once
/// Text the CLI prints whose bytes come from the user: file names are bytes, not UTF-8.
///
/// JSON output (predict/info/eval --json, dump's meta.json) is lossless: each byte that is not
/// part of valid UTF-8 is written as the lone surrogate U+DC80+byte, escaped "\udcXX" (Python's
/// `surrogateescape`), so `os.fsencode(json.loads(text)["image"])` gives back the exact bytes.
/// Valid UTF-8 passes through unchanged; control characters are escaped as JSON requires.
/// Messages on stderr print such bytes as "\xNN".

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vitscope::app {

/// `j` as JSON text indented by `indent` spaces, strings escaped as described above.
std::string toJsonText(const nlohmann::json& j, int indent = 2);

/// `bytes` as a JSON string literal (with the quotes), surrogate-escaping invalid bytes.
std::string jsonStringLiteral(std::string_view bytes);

/// `bytes` for a terminal: valid UTF-8 unchanged, every other byte as "\xNN".
std::string printable(std::string_view bytes);

/// Length of the valid UTF-8 sequence starting at `s[at]`, or 0 when the byte there does not
/// start one (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8SequenceLength(std::string_view s, size_t at);

}  // namespace vitscope::app
