#!/usr/bin/env bash
# The one test command: installs dependencies, builds, and runs every test with CTest
# (unit, kernel, runtime, CLI end-to-end and the ONNX conformance suites).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)"
