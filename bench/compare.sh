#!/usr/bin/env bash
# One table of forward-pass medians and ratios from one run: vitscope, ONNX Runtime (npm
# onnxruntime-node, CPU runtime inside the package) and PyTorch eager, on the same random
# ViT-Ti/S/B weights at 224x224 with every attention matrix kept (bench/compare.py says how
# blocks alternate and how other load is kept out).
#   bench/compare.sh [BUILD_DIR] [compare.py options: --rounds N --runs N --threads N --no-torch]
# Needs a built vitscope-cli, node/npm and python3-torch (tools/setup.sh installs the first two's
# Debian packages; this script installs onnxruntime-node into BUILD_DIR/bench-peers once).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/release}"
[[ $# -gt 0 ]] && shift
cli="$build/app/vitscope-cli"
[[ -x "$cli" ]] || { echo "compare.sh: no $cli (build first: ./tools/test.sh or cmake --build)" >&2; exit 1; }
peers="$build/bench-peers"
mkdir -p "$peers"
if [[ ! -d "$peers/node_modules/onnxruntime-node" ]]; then
    # The post-install step downloads GPU runtimes and fails offline; the CPU one is in the package.
    (cd "$peers" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund onnxruntime-node)
fi
if [[ ! -f "$peers/models/vit-b/model.onnx" ]]; then
    /usr/bin/python3 "$root/bench/peers.py" export "$peers/models"
fi
NODE_PATH="$peers/node_modules" exec /usr/bin/python3 "$root/bench/compare.py" --cli "$cli" \
    --models "$peers/models" "$@"
