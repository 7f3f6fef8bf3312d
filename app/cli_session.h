#pragma once
/// What every model-using command of vitscope-cli does the same way: read the model options,
/// load the model, turn --size/--pos-interp into core::RunOptions and run --image or
/// --input-npy through the one pipeline (core/pipeline/run.h).

#include <optional>
#include <string>

#include "app/cli_args.h"
#include "core/pipeline/run.h"

namespace vitscope::app {

struct Session {
    std::string command;  ///< for messages: "predict"
    core::ModelPtr model;
    core::RunOptions run;
};

/// --pos-interp values, the names core::toString(PosInterp) gives: "bicubic", "bicubic-aa",
/// "bilinear".
core::Result<core::PosInterp> parsePosInterp(const std::string& text);

/// Parses --threads (and applies it), --pos-interp, --size and --memory-budget into
/// `session.run`. On failure returns the exit code (the message is printed).
std::optional<int> readRunOptions(const CliArgs& args, const char* command, Session& session);
/// readRunOptions, then parses --heads, --mean, --std, --recipe and loads --model (default: the
/// bundled model). On failure returns the exit code (the message is printed).
std::optional<int> openSession(const CliArgs& args, const char* command, const char* argv0,
                               Session& session);
/// Runs --image or --input-npy (whichever is given; `required` says whether one must be).
/// On failure returns the exit code; on success `run` holds the result (null when neither was
/// given and none was required).
std::optional<int> runInput(const CliArgs& args, const Session& session, bool required,
                            core::RunPtr& run);

}  // namespace vitscope::app
