#!/usr/bin/env bash
# Renders the window under Xvfb and saves the README's pictures into docs/:
#   docs/screenshot.png               the window on a 1600x1000 screen (the README's first picture)
#   docs/window-<view>.png            every view on a 1600x1000 screen: attention, layers-heads,
#                                     position-embeddings, attention-distance, embedding-filters,
#                                     experiments (run first), data-hunger
#   docs/window-compact.png           the first view on a 1366x768 screen at QT_SCALE_FACTOR=2
#                                     (683x384 logical pixels: every panel a tab of one column)
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

docs="$root/docs"
mkdir -p "$docs"
# A private settings folder per run, so the pictures show the first launch's layout and do not
# depend on this user's saved layout or last session.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# run SCREEN SCALE ARGS...: the window alone on an Xvfb screen of SCREEN (WxH).
run() {
    local screen="$1" scale="$2"
    shift 2
    local config
    config="$(mktemp -d "$work/config.XXXX")"
    XDG_CONFIG_HOME="$config" QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR="$scale" \
        xvfb-run -a -s "-screen 0 ${screen}x24" "$exe" "$@"
}

run 1600x1000 1 --screenshot "$docs/screenshot.png" "$@"
run 1600x1000 1 --screenshots "$docs" "$@"
mkdir -p "$work/compact"
run 1366x768 2 --screenshots "$work/compact" "$@"
cp "$work/compact/window-attention.png" "$docs/window-compact.png"
echo "wrote $docs/screenshot.png, $docs/window-*.png and $docs/window-compact.png"
