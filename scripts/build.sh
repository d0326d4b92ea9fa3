#!/usr/bin/env bash
# Configures and builds trtserve (Release) into ./build. Extra args go to CMake, e.g.
#   scripts/build.sh -DTRTSERVE_SANITIZE=address     (use a separate BUILD_DIR for that)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
