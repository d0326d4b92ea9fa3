#!/usr/bin/env bash
# Sets up, builds, and runs the bundled example model (configs/model_repository/digits: a CNN
# trained on scikit-learn's handwritten digits) on 16 held-out test images.
# (Once the server lands, this starts `trtserve serve` on configs/model_repository.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
"$BUILD_DIR"/server/trtserve run configs/model_repository/digits/1/model.onnx \
  --input input=tests/data/digits/images.npy --output-dir "$BUILD_DIR"/example_outputs
# labels.npy: a 128-byte .npy header followed by 16 little-endian int64 labels.
echo "true labels:     [$(od -An -t d8 -j 128 -v tests/data/digits/labels.npy | xargs | sed 's/ /, /g')]"
