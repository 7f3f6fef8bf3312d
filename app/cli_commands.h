#pragma once
/// The headless commands of vitscope-cli (the contract scripts rely on). Each takes the parsed
/// arguments and argv[0] and returns the process exit code (app/cli_args.h: 0 ok, 1 usage or
/// output error, 2 bad image or data file, 3 bad model).

#include "app/cli_args.h"

namespace vitscope::app {

int runInfo(const CliArgs& args, const char* argv0);
int runPredict(const CliArgs& args, const char* argv0);
int runDump(const CliArgs& args, const char* argv0);
int runEval(const CliArgs& args, const char* argv0);
/// `bench`: forward-pass timing (app/cli_bench.cpp).
int runBench(const CliArgs& args, const char* argv0);
/// `export`: any figure of the window on Qt's offscreen platform (app/cli_export.cpp).
int runExport(const CliArgs& args, const char* argv0);

}  // namespace vitscope::app
