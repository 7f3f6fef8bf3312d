#!/usr/bin/env bash
# The libFuzzer harnesses in tests/fuzz (one per parser), built with the 'fuzz' preset (clang-14,
# ASan + UBSan, fatal).
#   tools/fuzz.sh --smoke          CI: build, then run every harness over its committed corpus
#                                  plus a fixed number of new inputs (fixed seed); fails on any
#                                  crash, sanitizer report, leak, timeout or out-of-memory
#   tools/fuzz.sh NAME [SECONDS]   fuzz one harness (safetensors, shard_index, npy, npz, config,
#                                  idx, image) for SECONDS (default 300) in one process (one
#                                  core), niced; new inputs go to build/fuzz/corpus/NAME,
#                                  crashes to build/fuzz/artifacts/. Merge the useful ones into
#                                  tests/fuzz/corpus/NAME by hand (-merge=1), keeping it small.
# FUZZ_RUNS (default 2000) and FUZZ_SEED (default 1) tune the smoke run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

harnesses=(safetensors shard_index npy npz config idx image)
usage() { echo "usage: tools/fuzz.sh --smoke | NAME [SECONDS]  (NAME: ${harnesses[*]})" >&2; exit 2; }
[ $# -ge 1 ] || usage

tools/setup.sh  # packages (clang-14, libclang-rt-14-dev) and the release build
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

bin=build/fuzz/tests/fuzz
artifacts=build/fuzz/artifacts
mkdir -p "$artifacts"
# A leak or any sanitizer report is a failure; UBSan is fatal at compile time already.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
common=(-timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1)

if [ "$1" = "--smoke" ]; then
    runs="${FUZZ_RUNS:-2000}"
    seed="${FUZZ_SEED:-1}"
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    failed=()
    for h in "${harnesses[@]}"; do
        echo "== fuzz_$h: corpus tests/fuzz/corpus/$h + $runs runs (seed $seed)"
        mkdir -p "$scratch/$h"  # new inputs land here, not in the committed corpus
        if ! "$bin/fuzz_$h" "${common[@]}" -runs="$runs" -seed="$seed" \
            -artifact_prefix="$artifacts/$h-" "$scratch/$h" "tests/fuzz/corpus/$h" \
            >"$scratch/$h.log" 2>&1; then
            tail -n 60 "$scratch/$h.log" >&2
            failed+=("$h")
        else
            grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$scratch/$h.log" || true
        fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzz smoke FAILED: ${failed[*]} (reproducers in $artifacts/)" >&2
        exit 1
    fi
    echo "fuzz smoke: all ${#harnesses[@]} harnesses ran clean"
    exit 0
fi

name="$1"
seconds="${2:-300}"
[[ " ${harnesses[*]} " == *" $name "* ]] || usage
corpus="build/fuzz/corpus/$name"
mkdir -p "$corpus"
exec nice -n 10 "$bin/fuzz_$name" "${common[@]}" -max_total_time="$seconds" \
    -artifact_prefix="$artifacts/$name-" "$corpus" "tests/fuzz/corpus/$name"
