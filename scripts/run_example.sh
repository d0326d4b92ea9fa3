#!/usr/bin/env bash
# Sets up, builds, and starts the server on the bundled example model repository
# (configs/model_repository: the `digits` CNN trained on scikit-learn's handwritten digits,
# three profiles latency / dynamic / offline). Serves KServe v2 gRPC on 127.0.0.1:8001 and
# Prometheus metrics on http://127.0.0.1:8002/metrics until Ctrl-C (or SIGTERM), which
# drains the queues and answers every accepted request before exiting.
# Extra arguments go to `trtserve serve` (see `build/server/trtserve serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
cat <<HELP
From another terminal, try:
  $BUILD_DIR/client/trtserve-client status
  $BUILD_DIR/client/trtserve-client infer -m digits --input input=tests/data/digits/images.npy
  $BUILD_DIR/client/trtserve-client perf -m digits --concurrency-range 1:16:5
  curl -s http://127.0.0.1:8002/metrics | grep trtserve_
HELP
exec "$BUILD_DIR"/server/trtserve serve --model-repository configs/model_repository "$@"
