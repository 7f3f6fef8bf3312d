#!/usr/bin/env bash
# Quick start, second command: set everything up, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
ctest --preset release -j2
