#pragma once
/// `vitscope-cli export`: any figure of the window, headless, as PNG/SVG/PDF, or its numbers as
/// .npy/.csv. See runExportCommand() and `vitscope-cli export --help`.

namespace vitscope::app {

/// Runs the export command. `argv` may start with the program name followed by "export" (as the
/// CLI main passes it) or directly with the program name; options follow. Creates a
/// QGuiApplication on the offscreen platform when none exists (so it needs no display).
/// Returns the process exit code: 0 ok, 1 usage (or an unwritable --out), 2 bad image, 3 bad
/// model. Messages go to stderr and name the file and the problem.
int runExportCommand(int argc, char** argv);

}  // namespace vitscope::app
