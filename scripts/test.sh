#!/usr/bin/env bash
# The one test command: installs dependencies, builds, and runs every test with CTest
# (unit, kernel, runtime, server, client, gRPC end-to-end, the ONNX conformance suites and
# the clang-format check), then the ThreadSanitizer run of the server's concurrent parts
# (scripts/tsan.sh; skip it with TRTSERVE_SKIP_TSAN=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)")
if [ "${TRTSERVE_SKIP_TSAN:-0}" != 1 ]; then
  scripts/tsan.sh
fi
