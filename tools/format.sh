#!/usr/bin/env bash
# Formats every C++ source (*.h, *.cpp) in app/ core/ ui/ tests/ bench/ in place with Debian's
# clang-format 14 and the repository's .clang-format (STYLE.md §9).
#   tools/format.sh           reformat the files in place
#   tools/format.sh --check   change nothing: list the misformatted files and exit 1 if any
#                             (clang-format --dry-run -Werror; the format_check test runs this)
# CLANG_FORMAT=... picks another binary; other versions may format differently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    *) echo "usage: tools/format.sh [--check]" >&2; exit 2 ;;
esac

clang_format="${CLANG_FORMAT:-}"
if [ -z "$clang_format" ]; then
    clang_format=clang-format
    command -v clang-format-14 >/dev/null && clang_format=clang-format-14
fi
command -v "$clang_format" >/dev/null ||
    { echo "format.sh: $clang_format not found: apt-get install clang-format-14 (tools/setup.sh does)" >&2; exit 2; }
version="$("$clang_format" --version)"
[[ "$version" == *"version 14."* ]] ||
    echo "format.sh: warning: expected clang-format 14, found: $version" >&2

# Build folders are skipped wherever they are (build/, build-*/ and any inside these trees).
mapfile -d '' files < <(find app core ui tests bench -type d -name 'build*' -prune -o \
                             -type f \( -name '*.h' -o -name '*.cpp' \) -print0 | sort -z)

if [ "$check" -eq 0 ]; then
    "$clang_format" --style=file -i "${files[@]}"
    echo "format.sh: formatted ${#files[@]} files"
    exit 0
fi

bad=()
for f in "${files[@]}"; do
    if ! out="$("$clang_format" --style=file --dry-run -Werror "$f" 2>&1)"; then
        if [[ "$out" != *"clang-format-violations"* ]]; then
            printf 'format.sh: %s failed on %s:\n%s\n' "$clang_format" "$f" "$out" >&2
            exit 2
        fi
        bad+=("$f")
    fi
done
if [ ${#bad[@]} -gt 0 ]; then
    printf '%s\n' "${bad[@]}"
    echo "format.sh: ${#bad[@]} of ${#files[@]} files are not clang-formatted (run tools/format.sh)" >&2
    exit 1
fi
echo "format.sh: all ${#files[@]} files are clang-formatted"
