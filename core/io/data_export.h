#pragma once
/// Exporting analysis results as CSV and JSON files. (Arrays go to .npy: see npy.h.)

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

/// Writes a (rows, cols) row-major float matrix as CSV, each value with '%.9g' (enough digits to
/// round-trip a float). `header`, when not empty, must have `cols` names; names containing
/// ',', '"' or newlines are quoted. The file is written to a temporary name and renamed, so a
/// failed export never leaves a half-written file. Errors: ErrorCode::Usage for bad sizes,
/// ErrorCode::Io (path and strerror) for file errors.
Status writeCsv(const std::string& path, int rows, int cols, const float* data,
                const std::vector<std::string>& header = {});

/// Writes `text` to `path` atomically-ish: a temporary file in the same folder, flushed, then
/// renamed over `path`.
Status writeJson(const std::string& path, const std::string& text);

/// Writes `size` bytes to `path` the same way (`path` is bytes, used as given). On any failure
/// nothing is left behind and the error (ErrorCode::Io) names the path and gives strerror
/// ("No space left on device", "Is a directory", ...).
Status writeBytes(const std::string& path, const void* data, size_t size);

/// "<folder of path>/.<name>.tmp.<pid>": where writeBytes and the CLI's dump stage a file
/// before renaming it into place (hidden, in the target folder so the rename is atomic).
std::string stagingPath(const std::string& path);

/// The one atomic writer under all of the above and writeNpy: `body` writes into a staging file
/// (stagingPath) and returns false on a failed write (errno set); the file is flushed, synced
/// and renamed over `path`, or removed on any failure (ErrorCode::Io naming `path`, strerror).
Status writeAtomically(const std::string& path, const std::function<bool(std::FILE*)>& body);
/// Renames `from` over `to`; on failure removes `from` and returns an Io error with strerror.
Status renameIntoPlace(const std::string& from, const std::string& to);

}  // namespace vitscope::core
