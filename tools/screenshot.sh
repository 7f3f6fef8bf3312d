#!/usr/bin/env bash
# Renders the window under Xvfb and saves docs/screenshot.png (the README's picture).
# Builds nothing: run it after building the `vitscope` target.
#   tools/screenshot.sh [BUILD_DIR] [-- extra vitscope arguments, e.g. --model M IMAGE]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/debug}"
shift || true
[[ "${1:-}" == "--" ]] && shift
exe=""
for candidate in "$build/vitscope" "$build/app/vitscope" "$build/bin/vitscope"; do
    if [[ -x "$candidate" ]]; then exe="$candidate"; break; fi
done
if [[ -z "$exe" ]]; then
    echo "screenshot.sh: no vitscope executable under $build (build the 'vitscope' target)" >&2
    exit 1
fi
command -v xvfb-run >/dev/null || { echo "screenshot.sh: xvfb-run not found (apt-get install xvfb)" >&2; exit 1; }

out="$root/docs/screenshot.png"
mkdir -p "$root/docs"
# A private settings folder, so the picture does not depend on this user's saved layout.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
XDG_CONFIG_HOME="$config" QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$exe" --screenshot "$out" "$@"
echo "wrote $out"
