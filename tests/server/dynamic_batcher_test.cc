// DynamicBatcher end to end on real plans (digits with three profiles, and tiny models built
// in code). Assertions are on counts, orders and values, never on speed: a test that needs
// requests to wait occupies the single instance with a request whose response callback blocks
// until the test opens a gate.
#include "server/dynamic_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/server/batcher_test_util.h"

namespace trt::server {
namespace {

using namespace testing;  // NOLINT(build/namespaces): the fixtures of batcher_test_util.h

struct Made {
  std::unique_ptr<DynamicBatcher> batcher;
  std::shared_ptr<ModelStats> stats;
};

Made Make(std::shared_ptr<ModelConfig> config, std::shared_ptr<const runtime::Plan> plan,
          const Clock* clock = SteadyClock::Get()) {
  std::vector<std::string> names;
  for (const auto& p : plan->profiles()) names.push_back(p.name);
  Made m;
  m.stats = std::make_shared<ModelStats>(config->name, 1, names);
  auto b = DynamicBatcher::Create(config, plan, 1, m.stats, clock);
  EXPECT_TRUE(b.ok()) << b.status();
  if (b.ok()) m.batcher = std::move(b).value();
  return m;
}

// Occupies an instance: its response callback blocks until Release().
class Blocker {
 public:
  // Enqueues the blocking request and returns once an instance is stuck in its callback.
  void Occupy(DynamicBatcher& batcher, runtime::NamedTensors inputs) {
    ASSERT_TRUE(batcher.Enqueue(Request(std::move(inputs))).ok());
    WaitUntilBlocking();
  }
  std::unique_ptr<InferRequest> Request(runtime::NamedTensors inputs) {
    return testing::Request("blocker", std::move(inputs), [this](InferResponse&& r) {
      status_ = r.status;
      entered_.Open();
      release_.Wait();
    });
  }
  void WaitUntilBlocking() { entered_.Wait(); }
  void Release() { release_.Open(); }
  const Status& status() const { return status_; }

 private:
  Gate entered_, release_;
  Status status_;
};

void ExpectRowsEqualAlone(const Tensor& logits, int64_t first_image) {
  ASSERT_EQ(logits.rank(), 2);
  ASSERT_EQ(logits.shape()[1], 10);
  for (int64_t r = 0; r < logits.shape()[0]; ++r) {
    const std::vector<float>& want = AloneLogits()[(first_image + r) % 16];
    for (int k = 0; k < 10; ++k) {
      // Bitwise: every kernel computes a row with the same operations whatever the batch.
      ASSERT_EQ(logits.data<float>()[r * 10 + k], want[k]) << "row " << r << " class " << k;
    }
  }
}

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
    ASSERT_TRUE(m.batcher
                    ->Enqueue(Request(std::to_string(i), {{"input", Images(rows, first)}},
                                      c.Callback()))
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
  EXPECT_NE(level_full.message().find("the queue of priority level 1 is full (1 requests queued, "
                                      "max_queue_size 1)"),
            std::string::npos)
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

TEST(DynamicBatcherTest, PadToBatchTrimsOutputsToEachRequest) {
  auto plan = DoublePlan();
  ASSERT_NE(plan, nullptr);
  auto config = DoubleConfig(*plan, /*pad=*/true);
  config->dynamic_batching.preferred_batch_sizes = {4};
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"x", Tensor(DType::kFloat32, Shape{1, 2})}});
  Collector c;
  const std::vector<Shape> shapes = {{1, 3}, {2, 5}, {1, 8}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    Tensor x(DType::kFloat32, shapes[i]);
    for (int64_t e = 0; e < x.NumElements(); ++e) x.data<float>()[e] = 100.f * i + e;
    ASSERT_TRUE(m.batcher->Enqueue(Request(std::to_string(i), {{"x", x}}, c.Callback())).ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(3));
  for (size_t i = 0; i < shapes.size(); ++i) {
    InferResponse& r = c.at(std::to_string(i));
    ASSERT_TRUE(r.status.ok()) << r.status;
    const Tensor& y = r.outputs[0].second;
    ASSERT_EQ(y.shape(), shapes[i]);
    for (int64_t e = 0; e < y.NumElements(); ++e) {
      EXPECT_EQ(y.data<float>()[e], 2.f * (100.f * i + e)) << i << " element " << e;
    }
  }
  Status outside = m.batcher->Enqueue(
      Request("wide", {{"x", Tensor(DType::kFloat32, Shape{1, 20})}}, c.Callback()));
  EXPECT_EQ(outside.message(),
            "model 'double': input 'x' dim 1 is 20, outside every profile: dyn [1, 16]");
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 2u);  // the blocker, then all three padded to [4, 8]
  EXPECT_EQ(s.profiles[0].total_elements, 2u + 32u);
  EXPECT_EQ(s.profiles[0].padding_elements, 32u - (3 + 10 + 8));
}

TEST(DynamicBatcherTest, DifferentShapesWithoutPaddingAreNotBatchedTogether) {
  auto plan = DoublePlan();
  ASSERT_NE(plan, nullptr);
  auto config = DoubleConfig(*plan, /*pad=*/false);
  config->dynamic_batching.preferred_batch_sizes = {4};
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"x", Tensor(DType::kFloat32, Shape{1, 2})}});
  Collector c;
  int n = 0;
  for (int64_t seq : {3, 5, 3, 5}) {
    ASSERT_TRUE(
        m.batcher
            ->Enqueue(Request(std::to_string(n++) + "_" + std::to_string(seq),
                              {{"x", Tensor(DType::kFloat32, Shape{1, seq})}}, c.Callback()))
            .ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(4));
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);  // blocker, the two seq=3, the two seq=5
  EXPECT_EQ(s.batch_stats[2].count, 2u);
  EXPECT_EQ(s.profiles[0].padding_elements, 0u);
}

TEST(DynamicBatcherTest, EngineErrorFailsEveryRequestOfTheBatchCleanly) {
  auto plan = GatherPlan();
  ASSERT_NE(plan, nullptr);
  auto config = GatherConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {3};
  config->warmup.iterations = 1;
  config->warmup.data = WarmupConfig::Data::kRandom;
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"idx", Index(0)}});
  Collector c;
  for (auto [id, index] :
       std::vector<std::pair<std::string, int64_t>>{{"good1", 1}, {"bad", 7}, {"good2", 2}}) {
    ASSERT_TRUE(m.batcher->Enqueue(Request(id, {{"idx", Index(index)}}, c.Callback())).ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(3));
  for (const char* id : {"good1", "bad", "good2"}) {
    const Status& s = c.at(id).status;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(s.message().rfind("model 'gather', profile 'p', batch of 3: ", 0), 0u) << s;
    EXPECT_NE(s.message().find("index 7 out of range"), std::string::npos) << s;
    EXPECT_TRUE(c.at(id).outputs.empty());
  }
  // The instance is healthy afterwards.
  ASSERT_TRUE(m.batcher->Enqueue(Request("after", {{"idx", Index(2)}}, c.Callback())).ok());
  ASSERT_TRUE(c.WaitFor(4));
  ASSERT_TRUE(c.at("after").status.ok()) << c.at("after").status;
  const Tensor& y = c.at("after").outputs[0].second;
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(y.data<float>()[0], 20.f);
  EXPECT_EQ(y.data<float>()[1], 21.f);
  m.batcher->Drain();
  EXPECT_EQ(m.stats->Snapshot().failures["invalid_argument"], 3u);
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

TEST(DynamicBatcherTest, UnbatchedModelRunsEachRequestAloneOnItsBestProfile) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->max_batch_size = 0;
  config->inputs[0].dims = {-1, 1, 8, 8};
  config->outputs[0].dims = {-1, 10};
  config->outputs[1].dims = {-1, 10};
  Made m = Make(config, plan);
  Collector c;
  for (int64_t rows : {1, 3, 100}) {
    ASSERT_TRUE(
        m.batcher
            ->Enqueue(Request(std::to_string(rows), {{"input", Images(rows, 2)}}, c.Callback()))
            .ok());
  }
  ASSERT_TRUE(c.WaitFor(3));
  for (int64_t rows : {1, 3, 100}) {
    InferResponse& r = c.at(std::to_string(rows));
    ASSERT_TRUE(r.status.ok()) << r.status;
    ExpectRowsEqualAlone(r.outputs[0].second, 2);
  }
  Status gap = m.batcher->Enqueue(Request("gap", {{"input", Images(40)}}, c.Callback()));
  EXPECT_EQ(gap.message(),
            "model 'digits': input 'input' dim 0 is 40, outside every profile: latency [1, 1], "
            "dynamic [1, 32], offline [64, 128]");
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);
  EXPECT_EQ(s.profiles[0].executions, 1u);
  EXPECT_EQ(s.profiles[1].executions, 1u);
  EXPECT_EQ(s.profiles[2].executions, 1u);
}

TEST(DynamicBatcherTest, InvalidRequestsAreRefusedWithClearErrors) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  Collector c;
  auto error = [&](runtime::NamedTensors in, std::vector<std::string> outputs = {}) {
    auto r = Request("bad", std::move(in), c.Callback());
    r->requested_outputs = std::move(outputs);
    Status s = m.batcher->Enqueue(std::move(r));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    return s.message();
  };
  EXPECT_EQ(error({}), "model 'digits': missing input 'input' (expected float32 [-1, 1, 8, 8])");
  EXPECT_EQ(error({{"input", Images(1)}, {"extra", Images(1)}}),
            "model 'digits': unexpected input 'extra'; the model's inputs are: input");
  EXPECT_EQ(error({{"input", Images(1)}, {"input", Images(1)}}),
            "model 'digits': input 'input' given twice");
  EXPECT_EQ(error({{"input", Tensor(DType::kInt32, Shape{1, 1, 8, 8})}}),
            "model 'digits': input 'input' has dtype int32, expected float32");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{1, 8, 8})}}),
            "model 'digits': input 'input' has shape [1, 8, 8] (rank 3), expected rank 4 "
            "[-1, 1, 8, 8] (batch dim first)");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{1, 1, 8, 9})}}),
            "model 'digits': input 'input' has shape [1, 1, 8, 9], expected [-1, 1, 8, 8] (dim 3 "
            "must be 8)");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{600, 1, 8, 8})}}),
            "model 'digits': batch 600 (input 'input' shape [600, 1, 8, 8]) is larger than "
            "max_batch_size 512; send smaller requests or raise max_batch_size");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{0, 1, 8, 8})}}),
            "model 'digits': input 'input' has shape [0, 1, 8, 8], an empty batch; send at least "
            "one row");
  EXPECT_EQ(error({{"input", Tensor()}}),
            "model 'digits': input 'input' has no data (expected float32 [-1, 1, 8, 8])");
  EXPECT_EQ(error({{"input", Images(1)}}, {"logits", "nope"}),
            "model 'digits': unknown output 'nope' requested; the model's outputs are: logits, "
            "probabilities");
  EXPECT_EQ(error({{"input", Images(1)}}, {"logits", "logits"}),
            "model 'digits': output 'logits' requested twice");
  auto no_callback = Request("x", {{"input", Images(1)}}, nullptr);
  EXPECT_EQ(m.batcher->Enqueue(std::move(no_callback)).code(), StatusCode::kInvalidArgument);
  // A valid request asking for one output gets exactly that output.
  auto one = Request("one", {{"input", Images(2)}}, c.Callback());
  one->requested_outputs = {"probabilities"};
  ASSERT_TRUE(m.batcher->Enqueue(std::move(one)).ok());
  ASSERT_TRUE(c.WaitFor(1));
  ASSERT_EQ(c.at("one").outputs.size(), 1u);
  EXPECT_EQ(c.at("one").outputs[0].first, "probabilities");
  m.batcher->Drain();
  EXPECT_EQ(c.size(), 1u);  // refused requests get no callback
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.failures["invalid_argument"], 12u);
  EXPECT_EQ(s.requests, 13u);
}

TEST(DynamicBatcherTest, InputsMustAgreeOnTheBatchDim) {
  auto model = NewModel("add");
  graph::Graph& g = *model->graph;
  auto* a = trt::testing::Input(g, "a", DType::kFloat32, {graph::Dim::Symbol("batch"), 4});
  auto* b = trt::testing::Input(g, "b", DType::kFloat32, {graph::Dim::Symbol("batch"), 4});
  auto plan = Build(Finish(model, {trt::testing::Op(g, "Add", {a, b}, "y")}),
                    {Profile("p:a=1x4..8x4,b=1x4..8x4")});
  ASSERT_NE(plan, nullptr);
  auto config =
      TinyConfig("add", *plan, TensorConfig{.name = "a", .dtype = DType::kFloat32, .dims = {4}},
                 TensorConfig{.name = "y", .dtype = DType::kFloat32, .dims = {4}}, 8);
  config->inputs.push_back(TensorConfig{.name = "b", .dtype = DType::kFloat32, .dims = {4}});
  Made m = Make(config, plan);
  Collector c;
  Status s = m.batcher->Enqueue(Request(
      "x",
      {{"a", Tensor(DType::kFloat32, Shape{2, 4})}, {"b", Tensor(DType::kFloat32, Shape{3, 4})}},
      c.Callback()));
  EXPECT_EQ(s.message(),
            "model 'add': inputs disagree on the batch dim: 'a' has 2 rows, 'b' has 3");
  ASSERT_TRUE(
      m.batcher
          ->Enqueue(Request("ok",
                            {{"b", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{1, 4})},
                             {"a", Tensor::FromVector<float>({10, 20, 30, 40}, Shape{1, 4})}},
                            c.Callback()))
          .ok());
  ASSERT_TRUE(c.WaitFor(1));
  ASSERT_TRUE(c.at("ok").status.ok()) << c.at("ok").status;
  EXPECT_EQ(c.at("ok").outputs[0].second.data<float>()[3], 44.f);
}

TEST(DynamicBatcherTest, CreateRefusesAConfigWhoseProfilesDifferFromThePlan) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->profiles.pop_back();
  auto b = DynamicBatcher::Create(config, plan, 1, nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "model 'digits': the config's profiles differ from the plan's (latency, dynamic, "
            "offline); rebuild the plan or list the same profiles");
}

TEST(DynamicBatcherTest, WarmupRunsEveryProfileAtCreate) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->instance_count = 2;
  config->warmup.iterations = 2;
  config->warmup.data = WarmupConfig::Data::kRandom;
  Made m = Make(config, plan);
  ASSERT_NE(m.batcher, nullptr);
  EXPECT_EQ(m.stats->Snapshot().execution_count, 0u);  // warmup is not traffic
}

TEST(DynamicBatcherTest, DestroyingTheBatcherFromAResponseCallbackIsSafe) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  Gate done;
  std::unique_ptr<DynamicBatcher> holder = std::move(m.batcher);
  DynamicBatcher* raw = holder.get();
  Status status;
  ASSERT_TRUE(raw->Enqueue(Request("last", {{"input", Images(1)}},
                                   [&](InferResponse&& r) {
                                     status = r.status;
                                     holder.reset();  // drains on the batcher's own thread
                                     done.Open();
                                   }))
                  .ok());
  done.Wait();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(holder, nullptr);
}

}  // namespace
}  // namespace trt::server
