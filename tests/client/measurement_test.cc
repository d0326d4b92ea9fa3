// Percentiles, stability, client statistics from samples, and the open-loop send schedule.
#include "client/perf/measurement.h"

#include <gtest/gtest.h>

#include <numeric>

#include "client/perf/schedule.h"

namespace trt::client {
namespace {

TEST(Percentile, NearestRank) {
  std::vector<int64_t> v(100);
  std::iota(v.begin(), v.end(), 1);  // 1..100
  EXPECT_EQ(PercentileOfSorted(v, 50), 50);
  EXPECT_EQ(PercentileOfSorted(v, 90), 90);
  EXPECT_EQ(PercentileOfSorted(v, 99), 99);
  EXPECT_EQ(PercentileOfSorted(v, 99.5), 100);
  EXPECT_EQ(PercentileOfSorted(v, 0.1), 1);
  EXPECT_EQ(PercentileOfSorted({7}, 99), 7);
  EXPECT_EQ(PercentileOfSorted({}, 50), 0);
  const std::vector<int64_t> four = {10, 20, 30, 40};
  EXPECT_EQ(PercentileOfSorted(four, 50), 20);  // ceil(0.5 * 4) = 2nd
  EXPECT_EQ(PercentileOfSorted(four, 51), 30);
}

TEST(Percentile, SummaryOfUnsortedLatencies) {
  std::vector<int64_t> ns;
  for (int i = 1000; i >= 1; --i) ns.push_back(i * 1000);  // 1..1000 us, reversed
  const LatencySummary s = SummarizeLatencies(ns, 99.9);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.avg_us, 500.5);
  EXPECT_DOUBLE_EQ(s.min_us, 1);
  EXPECT_DOUBLE_EQ(s.max_us, 1000);
  EXPECT_DOUBLE_EQ(s.p50_us, 500);
  EXPECT_DOUBLE_EQ(s.p90_us, 900);
  EXPECT_DOUBLE_EQ(s.p95_us, 950);
  EXPECT_DOUBLE_EQ(s.p99_us, 990);
  EXPECT_DOUBLE_EQ(s.chosen_us, 999);
  EXPECT_NEAR(s.stddev_us, 288.675, 0.01);
}

TEST(Stability, LastThreeWithinPercentageOfMean) {
  EXPECT_FALSE(IsStable({100, 100}, 10));  // fewer than three windows
  EXPECT_TRUE(IsStable({100, 100, 100}, 10));
  EXPECT_TRUE(IsStable({10, 500, 95, 100, 105}, 10));  // only the last three count
  EXPECT_TRUE(IsStable({90, 100, 110}, 10));           // exactly +-10% of the mean 100
  EXPECT_FALSE(IsStable({89, 100, 111}, 10));
  EXPECT_FALSE(IsStable({0, 0, 0}, 10));  // nothing measured is not stable
  EXPECT_TRUE(IsStable({89, 100, 111}, 12));
}

RequestSample Sample(int64_t scheduled, int64_t start, int64_t sent, int64_t received, int64_t done,
                     int32_t batch = 1, StatusCode code = StatusCode::OK) {
  RequestSample s;
  s.scheduled_ns = scheduled;
  s.send_start_ns = start;
  s.sent_ns = sent;
  s.received_ns = received;
  s.done_ns = done;
  s.batch = batch;
  s.code = code;
  return s;
}

TEST(ClientStats, SplitsTimesAndCountsErrors) {
  std::vector<RequestSample> samples = {
      Sample(0, 0, 10'000, 110'000, 120'000, 4),  // 120 us latency
      Sample(0, 0, 20'000, 220'000, 240'000, 4),  // 240 us
      Sample(0, 0, 1'000, 2'000, 3'000, 4, StatusCode::UNAVAILABLE),
      Sample(0, 0, 1'000, 2'000, 3'000, 4, StatusCode::INVALID_ARGUMENT),
      Sample(0, 0, 1'000, 2'000, 3'000, 4, StatusCode::UNAVAILABLE),
  };
  const ClientStats c = ComputeClientStats(samples, 2'000'000'000, 99, 1'000'000);
  EXPECT_EQ(c.requests, 2u);
  EXPECT_EQ(c.inferences, 8u);
  EXPECT_EQ(c.failed, 3u);
  EXPECT_EQ(c.errors.at("UNAVAILABLE"), 2u);
  EXPECT_EQ(c.errors.at("INVALID_ARGUMENT"), 1u);
  EXPECT_DOUBLE_EQ(c.throughput, 4.0);  // 8 inferences / 2 s
  EXPECT_DOUBLE_EQ(c.request_rate, 1.0);
  EXPECT_DOUBLE_EQ(c.latency.avg_us, 180);
  EXPECT_DOUBLE_EQ(c.send_us, 15);
  EXPECT_DOUBLE_EQ(c.wait_us, 150);
  EXPECT_DOUBLE_EQ(c.recv_us, 15);
  EXPECT_EQ(c.behind_schedule, 0u);
}

TEST(ClientStats, OpenLoopLatencyCountsFromScheduledTime) {
  // The second request was due at 1 ms but the client could only send it at 5 ms.
  std::vector<RequestSample> samples = {
      Sample(0, 0, 1'000, 101'000, 102'000),
      Sample(1'000'000, 5'000'000, 5'001'000, 5'101'000, 5'102'000),
  };
  const ClientStats c = ComputeClientStats(samples, 1'000'000'000, 50, 1'000'000);
  EXPECT_EQ(c.behind_schedule, 1u);
  EXPECT_DOUBLE_EQ(c.max_schedule_lag_us, 4000);
  EXPECT_DOUBLE_EQ(c.avg_schedule_lag_us, 2000);
  EXPECT_DOUBLE_EQ(c.latency.max_us, 4102);  // 5.102 ms - 1 ms scheduled, not 102 us
  EXPECT_DOUBLE_EQ(c.latency.min_us, 102);
}

TEST(Schedule, ConstantRateHasExactOffsets) {
  SendSchedule s(300, Distribution::kConstant, 1);
  EXPECT_EQ(s.Next(), 0);
  EXPECT_EQ(s.Next(), 3'333'333);
  EXPECT_EQ(s.Next(), 6'666'667);
  for (int i = 3; i < 300; ++i) s.Next();
  EXPECT_EQ(s.Next(), 1'000'000'000);  // no drift after a second's worth of sends
}

TEST(Schedule, PoissonMeanRateAndDeterminism) {
  const double rate = 500;
  SendSchedule a(rate, Distribution::kPoisson, 42), b(rate, Distribution::kPoisson, 42);
  SendSchedule c(rate, Distribution::kPoisson, 43);
  const int n = 20000;
  int64_t last = 0;
  bool differs = false, increasing = true;
  for (int i = 0; i < n; ++i) {
    const int64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
    increasing &= x >= last;
    last = x;
  }
  EXPECT_TRUE(differs);
  EXPECT_TRUE(increasing);
  const double measured = (n - 1) / (static_cast<double>(last) / 1e9);
  EXPECT_NEAR(measured, rate, rate * 0.03);
}

TEST(Schedule, PoissonGapsAreExponential) {
  // Coefficient of variation of exponential gaps is 1 (constant gaps: 0).
  SendSchedule s(1000, Distribution::kPoisson, 7);
  std::vector<double> gaps;
  int64_t prev = s.Next();
  for (int i = 0; i < 20000; ++i) {
    const int64_t x = s.Next();
    gaps.push_back(static_cast<double>(x - prev));
    prev = x;
  }
  const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / gaps.size();
  double var = 0;
  for (double g : gaps) var += (g - mean) * (g - mean);
  const double cv = std::sqrt(var / gaps.size()) / mean;
  EXPECT_NEAR(cv, 1.0, 0.05);
}

}  // namespace
}  // namespace trt::client
