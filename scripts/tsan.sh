#!/usr/bin/env bash
# ThreadSanitizer run of the concurrent parts of the server: the dynamic batcher (queues,
# timer, workers, drain, response ordering), model statistics, and repository reloads while
# requests look models up; and the engine's intra-op thread pool (spin-then-sleep hand-off).
# Builds only `server_test` and `engine_base_test` into build-tsan (TRTSERVE_SANITIZE=thread)
# and fails on the first data race. Part of scripts/test.sh (skip with TRTSERVE_SKIP_TSAN=1).
# gRPC and cpp-httplib come from Debian uninstrumented, so their tests are not run here
# (TSan would report races inside them it cannot see the synchronization of).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${TSAN_BUILD_DIR:-build-tsan}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRTSERVE_SANITIZE=thread \
  >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target server_test engine_base_test
FILTER='DynamicBatcherTest.*:BatchPolicyTest.*:ModelStatsTest.*:ModelInstanceTest.*:RepositoryChangeTest.*'
# Repeated, because races show up only in some interleavings.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
  "$BUILD_DIR/tests/server_test" --gtest_filter="$FILTER" --gtest_repeat="${TSAN_REPEAT:-3}" \
  --gtest_brief=1
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
  "$BUILD_DIR/tests/engine_base_test" --gtest_filter='ThreadPoolTest.*' \
  --gtest_repeat="${TSAN_REPEAT:-3}" --gtest_brief=1
echo "tsan: no data race in ${TSAN_REPEAT:-3} runs of $FILTER:ThreadPoolTest.*"
