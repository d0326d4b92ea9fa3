#include "server/model_stats.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace trt::server {
namespace {

TEST(HistogramTest, CumulativeBucketsAndInfBucket) {
  Histogram h({1.0, 10.0, 100.0});
  for (double v : {0.5, 1.0, 5.0, 50.0, 500.0, 1000.0}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  ASSERT_EQ(s.cumulative_counts.size(), 3u);
  EXPECT_EQ(s.cumulative_counts[0], 2u);  // 0.5 and 1.0 (upper bound inclusive)
  EXPECT_EQ(s.cumulative_counts[1], 3u);
  EXPECT_EQ(s.cumulative_counts[2], 4u);
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.sum, 1556.5);
}

TEST(ModelStatsTest, RequestAndBatchCountersFollowTritonSemantics) {
  ModelStats stats("digits", 1, {"latency", "dynamic"});
  // One batch of 3 items from two requests (2 + 1), on profile 1.
  stats.RecordExecution(1, 3, 192, 0, 100, 1000, 10);
  stats.RecordSuccess(2, 5000, 3000, 100, 1000, 10);
  stats.RecordSuccess(1, 4000, 2000, 100, 1000, 10);
  stats.RecordFailure("timeout", 9000, 9000);
  stats.RecordRejected("queue_full");
  stats.SetQueueDepth(7);
  ModelStatsSnapshot s = stats.Snapshot();
  EXPECT_EQ(s.model, "digits");
  EXPECT_EQ(s.inference_count, 3u);
  EXPECT_EQ(s.execution_count, 1u);
  EXPECT_EQ(s.success.count, 2u);
  EXPECT_EQ(s.success.ns, 9000u);
  EXPECT_EQ(s.queue.count, 2u);
  EXPECT_EQ(s.queue.ns, 5000u);
  EXPECT_EQ(s.compute_infer.count, 2u);
  EXPECT_EQ(s.compute_infer.ns, 2000u);
  EXPECT_EQ(s.fail.count, 1u);
  EXPECT_EQ(s.requests, 4u);
  EXPECT_EQ(s.failures.at("timeout"), 1u);
  EXPECT_EQ(s.failures.at("queue_full"), 1u);
  ASSERT_EQ(s.batch_stats.count(3), 1u);
  EXPECT_EQ(s.batch_stats.at(3).count, 1u);
  EXPECT_EQ(s.batch_stats.at(3).infer_ns, 1000u);
  EXPECT_EQ(s.profiles[1].executions, 1u);
  EXPECT_EQ(s.profiles[1].items, 3u);
  EXPECT_EQ(s.profiles[0].executions, 0u);
  EXPECT_EQ(s.queue_depth, 7);
  EXPECT_EQ(s.batch_size.count, 1u);
  EXPECT_GT(s.last_inference_ms, 0u);
}

TEST(ModelStatsTest, ConcurrentRecordingLosesNothing) {
  ModelStats stats("m", 1, {"p"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        stats.RecordExecution(0, 1, 1, 0, 1, 1, 1);
        stats.RecordSuccess(1, 1, 1, 1, 1, 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  ModelStatsSnapshot s = stats.Snapshot();
  EXPECT_EQ(s.inference_count, 4000u);
  EXPECT_EQ(s.execution_count, 4000u);
  EXPECT_EQ(s.queue_us.count, 4000u);
  EXPECT_EQ(s.profiles[0].items, 4000u);
}

TEST(FailureReasonTest, Labels) {
  EXPECT_EQ(FailureReason(Status(StatusCode::kDeadlineExceeded, "x")), "timeout");
  EXPECT_EQ(FailureReason(Status(StatusCode::kInvalidArgument, "x")), "invalid_argument");
  EXPECT_EQ(FailureReason(Status(StatusCode::kUnavailable, "x"), true), "queue_full");
}

}  // namespace
}  // namespace trt::server
