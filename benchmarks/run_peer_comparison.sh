#!/usr/bin/env bash
# trtserve vs ONNX Runtime (CPU) side by side; writes benchmarks/RESULTS.md.
# Builds nothing (expects build/server/trtserve). Runs with Debian's /usr/bin/python3
# (stdlib only here; export_models.py needs python3-torch, python3-torchvision, python3-onnx).
# Options: see `benchmarks/run_peer_comparison.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 benchmarks/run_peer_comparison.py "$@"
