// DynamicBatcher scheduling end to end on the real digits plan (three profiles): batching,
// splitting, priorities, queue caps, timeouts, draining and ordering. Assertions are on
// counts, orders and values, never on speed: a test that needs requests to wait occupies the
// single instance with a request whose response callback blocks until the test releases it.
#include "server/dynamic_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/server/batcher_test_util.h"

namespace trt::server {
namespace {

using namespace testing;  // NOLINT(build/namespaces): the fixtures of batcher_test_util.h

TEST(DynamicBatcherTest, BatchedOutputsEqualEachRequestRunAlone) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {32};
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"input", Images(1)}});
  Collector c;
  // 10 single images, then 3 and 2 rows (15 rows: one dynamic batch), then 100 rows (offline).
  const std::vector<std::pair<int64_t, int64_t>> requests = {
      {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4},  {1, 5},  {1, 6},
      {1, 7}, {1, 8}, {1, 9}, {3, 4}, {2, 11}, {100, 5}};
  for (size_t i = 0; i < requests.size(); ++i) {
    auto [rows, first] = requests[i];
    ASSERT_TRUE(
        m.batcher
            ->Enqueue(Request(std::to_string(i), {{"input", Images(rows, first)}}, c.Callback()))
            .ok());
  }
  EXPECT_EQ(m.batcher->queue_depth(), static_cast<int64_t>(requests.size()));
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(requests.size()));
  for (size_t i = 0; i < requests.size(); ++i) {
    InferResponse& r = c.at(std::to_string(i));
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.model_name, "digits");
    EXPECT_EQ(r.model_version, 1);
    ASSERT_EQ(r.outputs.size(), 2u);
    EXPECT_EQ(r.outputs[0].first, "logits");
    EXPECT_EQ(r.outputs[1].first, "probabilities");
    EXPECT_EQ(r.outputs[1].second.shape(), (Shape{requests[i].first, 10}));
    ExpectRowsEqualAlone(r.outputs[0].second, requests[i].second);
  }
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);  // blocker, 15 rows on dynamic, 100 rows on offline
  EXPECT_EQ(s.batch_stats.count(15), 1u);
  EXPECT_EQ(s.batch_stats.count(100), 1u);
  EXPECT_EQ(s.profiles[1].items, 15u);
  EXPECT_EQ(s.profiles[2].items, 100u);
  EXPECT_EQ(s.inference_count, 116u);
  EXPECT_EQ(s.queue_depth, 0);
}

TEST(DynamicBatcherTest, ConcurrentSubmittersAreBatched) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {16};
  config->dynamic_batching.max_queue_delay_us = 1'000'000;  // waits only if 16 never arrive
  Made m = Make(config, plan);
  constexpr int kSubmitters = 16, kEach = 6;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kSubmitters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Collector c;
        Status s = m.batcher->Enqueue(Request("x", {{"input", Images(1, t)}}, c.Callback()));
        if (!s.ok() || !c.WaitFor(1) || !c.at("x").status.ok() ||
            c.at("x").outputs[0].second.data<float>()[3] != AloneLogits()[t % 16][3]) {
          wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.inference_count, static_cast<uint64_t>(kSubmitters * kEach));
  ASSERT_GT(s.execution_count, 0u);
  const double mean = static_cast<double>(s.inference_count) / s.execution_count;
  EXPECT_GT(mean, 4.0) << s.execution_count << " executions";
}

TEST(DynamicBatcherTest, OversizedRequestIsSplitAndReassembledInOrder) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  Collector c;
  ASSERT_TRUE(m.batcher->Enqueue(Request("big", {{"input", Images(300, 3)}}, c.Callback())).ok());
  ASSERT_TRUE(c.WaitFor(1));
  InferResponse& r = c.at("big");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.outputs[0].second.shape(), (Shape{300, 10}));
  ExpectRowsEqualAlone(r.outputs[0].second, 3);
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);  // 128 + 108 + 64
  EXPECT_EQ(s.batch_stats.count(128), 1u);
  EXPECT_EQ(s.batch_stats.count(108), 1u);
  EXPECT_EQ(s.batch_stats.count(64), 1u);
  EXPECT_EQ(s.inference_count, 300u);
  EXPECT_EQ(s.success.count, 1u);
  EXPECT_EQ(c.calls().at("big"), 1);
}

TEST(DynamicBatcherTest, HigherPriorityRequestsRunFirst) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {1};  // one request per batch
  config->dynamic_batching.priority_levels = 2;
  config->dynamic_batching.default_priority_level = 2;
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"input", Images(1)}});
  Collector c;
  for (auto [id, priority] : std::vector<std::pair<std::string, uint64_t>>{
           {"low1", 2}, {"low2", 2}, {"high1", 1}, {"default", 0}, {"high2", 1}}) {
    ASSERT_TRUE(
        m.batcher->Enqueue(Request(id, {{"input", Images(1)}}, c.Callback(), priority)).ok());
  }
  Status bad = m.batcher->Enqueue(Request("p3", {{"input", Images(1)}}, c.Callback(), 3));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "model 'digits': priority 3 is out of range; use 1 (highest) to 2, or 0 for the "
            "default (2)");
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(5));
  EXPECT_EQ(c.order(), (std::vector<std::string>{"high1", "high2", "low1", "low2", "default"}));
}

TEST(DynamicBatcherTest, FullQueueAnswersUnavailable) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->dynamic_batching.max_queue_size = 2;
  config->dynamic_batching.priority_levels = 2;
  config->dynamic_batching.priority_queue_policy[1].max_queue_size = 1;
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"input", Images(1)}});
  Collector c;
  ASSERT_TRUE(m.batcher->Enqueue(Request("a", {{"input", Images(1)}}, c.Callback(), 1)).ok());
  Status level_full = m.batcher->Enqueue(Request("b", {{"input", Images(1)}}, c.Callback(), 1));
  EXPECT_EQ(level_full.code(), StatusCode::kUnavailable);
  EXPECT_EQ(level_full.message(),
            "model 'digits': the queue of priority level 1 is full (1 requests queued, "
            "max_queue_size 1); retry later or raise max_queue_size in "
            "dynamic_batching.priority_queue_policy.1 (or default_queue_policy)")
      << level_full;
  ASSERT_TRUE(m.batcher->Enqueue(Request("c", {{"input", Images(1)}}, c.Callback(), 2)).ok());
  Status full = m.batcher->Enqueue(Request("d", {{"input", Images(1)}}, c.Callback(), 2));
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_EQ(full.message(),
            "model 'digits': queue is full (2 requests queued, max_queue_size 2); retry later or "
            "raise dynamic_batching.max_queue_size");
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(2));
  m.batcher->Drain();
  EXPECT_EQ(c.order().size(), 2u);  // a and c; the refused ones never get a callback
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.failures["queue_full"], 2u);
  EXPECT_EQ(s.requests, 5u);
}

TEST(DynamicBatcherTest, QueueTimeoutsRejectOrDelay) {
  FakeClock clock;  // time moves only when the test says so
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {1};
  config->dynamic_batching.priority_levels = 2;
  QueuePolicy reject;
  reject.allow_timeout_override = true;  // no default timeout; requests may set one
  QueuePolicy delay;
  delay.timeout_us = 1000;
  delay.timeout_action = QueuePolicy::TimeoutAction::kDelay;
  config->dynamic_batching.priority_queue_policy = {{1, reject}, {2, delay}};
  Made m = Make(config, plan, &clock);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"input", Images(1)}});
  Collector c;
  auto with_timeout = Request("expires", {{"input", Images(1)}}, c.Callback(), 1);
  with_timeout->timeout_us = 1000;
  ASSERT_TRUE(m.batcher->Enqueue(std::move(with_timeout)).ok());
  ASSERT_TRUE(
      m.batcher->Enqueue(Request("no_timeout", {{"input", Images(1)}}, c.Callback(), 1)).ok());
  ASSERT_TRUE(m.batcher->Enqueue(Request("late", {{"input", Images(1)}}, c.Callback(), 2)).ok());
  clock.Advance(std::chrono::microseconds(2000));
  ASSERT_TRUE(c.WaitFor(1));  // the timer thread expires "expires"
  EXPECT_EQ(c.order()[0], "expires");
  EXPECT_EQ(c.at("expires").status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(c.at("expires").status.message().find("timed out after 2000 us in the queue"),
            std::string::npos)
      << c.at("expires").status;
  ASSERT_TRUE(m.batcher->Enqueue(Request("fresh", {{"input", Images(1)}}, c.Callback(), 2)).ok());
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(4));
  // "late" timed out with kDelay: it still runs, after the level's requests that did not.
  EXPECT_EQ(c.order(), (std::vector<std::string>{"expires", "no_timeout", "fresh", "late"}));
  for (const char* id : {"no_timeout", "fresh", "late"}) {
    EXPECT_TRUE(c.at(id).status.ok()) << id << ": " << c.at(id).status;
  }
  m.batcher->Drain();
  EXPECT_EQ(m.stats->Snapshot().failures["timeout"], 1u);
}

TEST(DynamicBatcherTest, DrainUnderLoadAnswersEveryAcceptedRequestExactlyOnce) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->instance_count = 2;
  config->dynamic_batching.preferred_batch_sizes = {8};
  config->dynamic_batching.max_queue_delay_us = 500;
  Made m = Make(config, plan);
  Collector c;
  std::atomic<int> accepted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string id = std::to_string(t) + "/" + std::to_string(i);
        Status s = m.batcher->Enqueue(Request(id, {{"input", Images(1 + i % 3, i)}}, c.Callback()));
        if (s.ok()) {
          accepted.fetch_add(1);
        } else if (s.code() == StatusCode::kUnavailable &&
                   s.message().find("is shutting down") != std::string::npos) {
          refused.fetch_add(1);
        } else {
          other.fetch_add(1);
        }
      }
    });
  }
  while (accepted.load() < 40) std::this_thread::yield();
  m.batcher->Drain();
  const int answered_at_drain = static_cast<int>(c.size());
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted.load() + refused.load(), 400);
  EXPECT_EQ(answered_at_drain, accepted.load());  // Drain returned after answering all
  EXPECT_EQ(static_cast<int>(c.size()), accepted.load());
  for (const auto& [id, calls] : c.calls()) EXPECT_EQ(calls, 1) << id;
  EXPECT_EQ(m.batcher->queue_depth(), 0);
  m.batcher->Drain();  // idempotent
}

TEST(DynamicBatcherTest, EnqueueAfterDrainIsUnavailable) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  m.batcher->Drain();
  Collector c;
  Status s = m.batcher->Enqueue(Request("late", {{"input", Images(1)}}, c.Callback()));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message().rfind("model 'digits' is shutting down", 0), 0u) << s;
  EXPECT_EQ(m.stats->Snapshot().failures["unavailable"], 1u);
  EXPECT_EQ(c.size(), 0u);
}

TEST(DynamicBatcherTest, PreserveOrderingDeliversInArrivalOrder) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->instance_count = 2;
  config->dynamic_batching.preserve_ordering = true;
  config->dynamic_batching.preferred_batch_sizes = {1};
  Made m = Make(config, plan);
  Collector c;
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(std::to_string(i));
    const int64_t rows = i % 4 == 0 ? 100 : 1;  // big ones finish later than small ones
    ASSERT_TRUE(
        m.batcher->Enqueue(Request(ids.back(), {{"input", Images(rows, i)}}, c.Callback())).ok());
  }
  ASSERT_TRUE(c.WaitFor(ids.size()));
  EXPECT_EQ(c.order(), ids);
  for (const auto& id : ids) EXPECT_TRUE(c.at(id).status.ok()) << id;
}

}  // namespace
}  // namespace trt::server
