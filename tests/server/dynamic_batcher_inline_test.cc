// Inline execution: a request that allows it runs on the enqueuing thread when an instance is
// idle and its profile's recent batches were short; otherwise (unknown or long batches, or
// not allowed) on the instance's worker thread. The limit is set far above or below the
// digits model's run time, so the tests do not depend on the machine's (or TSan's) speed. Results
// equal the requests run alone either way, and a callback that destroys the batcher from an inline
// run does not deadlock.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/server/batcher_test_util.h"

namespace trt::server {
namespace {

using namespace testing;  // NOLINT(build/namespaces): the fixtures of batcher_test_util.h

struct Outcome {
  std::thread::id thread;
  bool done_before_return = false;
  InferResponse response;
};

// Enqueues `rows` images (first image `first`) and waits for the response; records the
// thread on_complete ran on and whether it ran before Enqueue returned.
// The digits batcher with inline execution for batches up to `limit_us`.
Made MakeDigits(uint64_t limit_us, int instances = 1) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->inline_execution_max_us = limit_us;
  config->instance_count = instances;
  return Make(config, plan);
}

constexpr uint64_t kGenerous = 10'000'000;  // 10 s: every digits batch qualifies

Outcome RunOne(DynamicBatcher& batcher, int64_t rows, int64_t first, bool allow_inline) {
  Outcome out;
  Gate done;
  std::atomic<bool> returned{false};
  auto request = Request("r", {{"input", Images(rows, first)}}, [&](InferResponse&& r) {
    out.thread = std::this_thread::get_id();
    out.done_before_return = !returned.load();
    out.response = std::move(r);
    done.Open();
  });
  request->allow_inline_execution = allow_inline;
  Status s = batcher.Enqueue(std::move(request));
  returned.store(true);
  EXPECT_TRUE(s.ok()) << s;
  if (s.ok()) done.Wait();
  return out;
}

// Sends single-image requests until one runs inline. The first inline run is not
// deterministic (right after a worker run, the worker, which answers before it marks itself
// idle, may still be busy when the next request arrives, and then it takes that request
// itself: hence the pause), but from then on it is: an inline run gives the instance back
// before Enqueue returns.
void WarmUntilInline(DynamicBatcher& batcher) {
  for (int i = 0; i < 200; ++i) {
    Outcome o = RunOne(batcher, 1, i, true);
    ASSERT_TRUE(o.response.status.ok()) << o.response.status;
    if (o.thread == std::this_thread::get_id()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  FAIL() << "no request ran inline in 200 tries";
}

TEST(DynamicBatcherTest, InlineRunsCheapBatchesOnTheEnqueuingThread) {
  Made m = MakeDigits(kGenerous);
  const std::thread::id me = std::this_thread::get_id();
  // No batch of the latency profile ran yet: its cost is unknown, so the worker runs it.
  Outcome first = RunOne(*m.batcher, 1, 0, true);
  ASSERT_TRUE(first.response.status.ok()) << first.response.status;
  EXPECT_NE(first.thread, me);
  ExpectRowsEqualAlone(first.response.outputs[0].second, 0);
  // Now known to be under the limit: requests run inline, before Enqueue returns.
  WarmUntilInline(*m.batcher);
  for (int64_t i = 1; i < 12; ++i) {
    Outcome o = RunOne(*m.batcher, 1, i, true);
    ASSERT_TRUE(o.response.status.ok()) << o.response.status;
    EXPECT_EQ(o.thread, me) << "request " << i;
    EXPECT_TRUE(o.done_before_return) << "request " << i;
    ExpectRowsEqualAlone(o.response.outputs[0].second, i);
  }
  // Without the flag the worker runs it, as before.
  Outcome plain = RunOne(*m.batcher, 1, 3, false);
  ASSERT_TRUE(plain.response.status.ok());
  EXPECT_NE(plain.thread, me);
  ExpectRowsEqualAlone(plain.response.outputs[0].second, 3);
  // Statistics count inline runs like any other.
  EXPECT_EQ(m.stats->Snapshot().success.count, m.stats->Snapshot().inference_count);
  EXPECT_GE(m.stats->Snapshot().success.count, 13u);
}

TEST(DynamicBatcherTest, BatchesOverTheLimitNeverRunInline) {
  // 1 us: no digits batch is that fast, so even once the cost is known nothing runs inline;
  // 0 turns inline execution off.
  for (uint64_t limit : {uint64_t{1}, uint64_t{0}}) {
    Made m = MakeDigits(limit);
    const std::thread::id me = std::this_thread::get_id();
    for (int i = 0; i < 5; ++i) {
      Outcome o = RunOne(*m.batcher, i % 2 ? 8 : 1, i, true);
      ASSERT_TRUE(o.response.status.ok()) << o.response.status;
      EXPECT_NE(o.thread, me) << "limit " << limit << " run " << i;
      ExpectRowsEqualAlone(o.response.outputs[0].second, i);
    }
  }
}

TEST(DynamicBatcherTest, DestroyingTheBatcherFromAnInlineCallbackIsSafe) {
  Made m = MakeDigits(kGenerous);
  WarmUntilInline(*m.batcher);
  std::unique_ptr<DynamicBatcher> holder = std::move(m.batcher);
  DynamicBatcher* raw = holder.get();
  Status status = Internal("not called");
  std::thread::id ran_on;
  Gate done;
  auto request = Request("last", {{"input", Images(1)}}, [&](InferResponse&& r) {
    status = r.status;
    ran_on = std::this_thread::get_id();
    holder.reset();  // drains from inside the inline run: must not wait for itself
    done.Open();
  });
  request->allow_inline_execution = true;
  ASSERT_TRUE(raw->Enqueue(std::move(request)).ok());
  done.Wait();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(holder, nullptr);
}

TEST(DynamicBatcherTest, InlineAndWorkerRunsTogetherAnswerEveryRequestOnce) {
  // Several threads enqueue inline-allowed requests at once on two instances: some run
  // inline, some on workers (an instance is busy), and each gets exactly one response.
  Made m = MakeDigits(kGenerous, /*instances=*/2);
  WarmUntilInline(*m.batcher);
  const uint64_t before = m.stats->Snapshot().success.count;
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Outcome o = RunOne(*m.batcher, 1, t * kPerThread + i, true);
        if (o.response.status.ok()) {
          ExpectRowsEqualAlone(o.response.outputs[0].second, t * kPerThread + i);
        } else {
          failed.fetch_add(1);
        }
        answered.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  m.batcher->Drain();
  EXPECT_EQ(m.stats->Snapshot().success.count - before, uint64_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace trt::server
