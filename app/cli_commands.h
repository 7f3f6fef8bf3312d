#pragma once
/// The headless commands of vitscope-cli (the contract scripts rely on). Each returns the process
/// exit code: 0 success, 1 usage error, 2 bad image or data file, 3 bad model.

namespace vitscope::app {

int runInfo(int argc, char** argv);
int runPredict(int argc, char** argv);
int runDump(int argc, char** argv);
int runEval(int argc, char** argv);

}  // namespace vitscope::app
