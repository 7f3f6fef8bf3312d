#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (the 'asan' preset,
# GCC). Any sanitizer report fails the test that triggered it: UBSan is built with
# -fno-sanitize-recover, ASan stops at the first error, and LeakSanitizer runs with the narrow
# suppressions in tests/sanitizer/lsan.supp (third-party internals only, one comment per entry).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/setup.sh  # packages and the release build
cmake --preset asan >/dev/null
cmake --build --preset asan

supp="$PWD/tests/sanitizer"
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
ctest --preset asan -j2
