// vitscope-cli: the headless tool over vitscope_core (and, for `export`, the ui figures on Qt's
// offscreen platform). One parser and one help text for every command (app/cli_args.h).
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "app/cli_args.h"
#include "app/cli_commands.h"

namespace {

int dispatch(int argc, char** argv) {
    using namespace vitscope::app;
    if (argc < 2) {
        std::fputs(helpText().c_str(), stderr);
        return kExitUsage;
    }
    const std::string word = argv[1];
    if (word == "--help" || word == "-h" || word == "help") {
        std::fputs(helpText().c_str(), stdout);
        return kExitOk;
    }
    const CommandSpec* command = findCommand(word);
    if (command == nullptr) {
        std::fprintf(stderr, "vitscope-cli: unknown command '%s'\n\n%s", word.c_str(),
                     helpText().c_str());
        return kExitUsage;
    }
    CliArgs args;
    if (auto error = args.parse(*command, argc, argv, 2)) {
        std::fprintf(stderr, "vitscope-cli %s: %s\n(run 'vitscope-cli %s --help')\n", command->name,
                     error->c_str(), command->name);
        return kExitUsage;
    }
    if (args.has("help")) {
        std::fputs(helpText(command).c_str(), stdout);
        return kExitOk;
    }
    using Runner = int (*)(const CliArgs&, const char*);
    static const std::pair<const char*, Runner> kRunners[] = {
        {"info", runInfo}, {"predict", runPredict}, {"dump", runDump},
        {"eval", runEval}, {"bench", runBench},     {"export", runExport}};
    for (const auto& [name, run] : kRunners) {
        if (word == name)
            return run(args, argv[0]);
    }
    return kExitUsage;
}

}  // namespace

/// No exception escapes a command: running out of memory (or anything a library throws) is a
/// message and exit code 1, never SIGABRT.
int main(int argc, char** argv) {
    const char* command = argc >= 2 ? argv[1] : "";
    try {
        return dispatch(argc, argv);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr,
                     "vitscope-cli %s: out of memory (try a smaller --size or --memory-budget)\n",
                     command);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vitscope-cli %s: unexpected error: %s\n", command, e.what());
    }
    return vitscope::app::kExitUsage;
}
