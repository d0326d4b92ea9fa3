#!/usr/bin/env bash
# Server vs engine side by side (resnet50 throughput at concurrency 1/8/32; digits added latency).
# Writes the `server` section of benchmarks/RESULTS.md. Build first (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 benchmarks/run_server_benchmark.py "$@"
