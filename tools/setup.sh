#!/usr/bin/env bash
# Installs what vitscope needs from Debian/Ubuntu's archive (with sudo when not root), then
# configures and builds the release preset. Idempotent: a second run only rebuilds what changed.
# Used by tools/run.sh and tools/test.sh (the README's Quick start) and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config
    # core: Eigen, OpenCV (two modules only), JSON, zip/zlib, the image decoders
    libeigen3-dev libopencv-core-dev libopencv-imgproc-dev
    libpng-dev libjpeg-dev libwebp-dev libtiff-dev
    nlohmann-json3-dev libzip-dev zlib1g-dev
    # libzip's CMake config checks that its command-line tools exist
    zipcmp zipmerge ziptool
    # window, figures, tests
    qt6-base-dev qt6-svg-dev qt6-qpa-plugins libgl-dev fonts-dejavu-core
    # the window-layout test on a real X server, and tools/screenshot.sh
    xvfb xauth
    # animated GIF export of the layers (ui/export/gif_writer.cpp) and its tests
    libgif-dev
    # oneDNN: the forward pass's GEMMs, kernels chosen for the CPU at run time (core/model/gemm.h)
    libdnnl-dev
    # benchmarks, the PDF and SVG checks in tests (pdftoppm, pdfimages, rsvg-convert), the
    # Fashion-MNIST test set for the accuracy check
    libbenchmark-dev poppler-utils librsvg2-bin dataset-fashion-mnist
    # the formatting check (tools/format.sh, the format_check test)
    clang-format-14
    # the libFuzzer harnesses (tools/fuzz.sh): clang with its sanitizer/fuzzer runtimes, OpenMP
    clang-14 libclang-rt-14-dev libomp-14-dev
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: not root and no sudo: install ${packages[*]} by hand" >&2; exit 1; }
    sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -q
    # Ubuntu ships some of these under the same names; skip any this archive does not know.
    available=()
    for p in "${missing[@]}"; do
        if apt-cache show "$p" >/dev/null 2>&1; then available+=("$p"); else echo "setup: $p not in this archive, skipped"; fi
    done
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${available[@]}"
fi

cmake --preset release
cmake --build --preset release
