#!/usr/bin/env bash
# Quick start, first command: set everything up, build, and open the window on the bundled
# Fashion-MNIST model and a sample image. Extra arguments go to vitscope ([--model M] [IMAGE]).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
exec build/release/app/vitscope "$@"
