#pragma once
/// Exporting analysis results as CSV and JSON files. (Arrays go to .npy: see npy.h.)

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

}  // namespace vitscope::core
