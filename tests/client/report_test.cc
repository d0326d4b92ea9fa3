// Server breakdown arithmetic (ModelStatistics deltas) and the CSV / JSON / SVG writers.
#include <gtest/gtest.h>

#include <sstream>

#include "client/perf/report_writers.h"
#include "client/perf/server_breakdown.h"

namespace trt::client {
namespace {

void SetDuration(inference::StatisticDuration* d, uint64_t count, uint64_t ns) {
  d->set_count(count);
  d->set_ns(ns);
}

inference::ModelStatistics Stats(uint64_t scale) {
  inference::ModelStatistics s;
  s.set_name("m");
  s.set_inference_count(10 * scale);
  s.set_execution_count(4 * scale);
  auto* i = s.mutable_inference_stats();
  SetDuration(i->mutable_success(), 5 * scale, 50'000 * scale);
  SetDuration(i->mutable_fail(), scale, 0);
  SetDuration(i->mutable_queue(), 5 * scale, 5'000 * scale);
  SetDuration(i->mutable_compute_input(), 5 * scale, 10'000 * scale);
  SetDuration(i->mutable_compute_infer(), 5 * scale, 20'000 * scale);
  SetDuration(i->mutable_compute_output(), 5 * scale, 2'500 * scale);
  auto* b1 = s.add_batch_stats();
  b1->set_batch_size(1);
  SetDuration(b1->mutable_compute_infer(), 2 * scale, 1);
  auto* b4 = s.add_batch_stats();
  b4->set_batch_size(4);
  SetDuration(b4->mutable_compute_infer(), 2 * scale, 1);
  return s;
}

TEST(ServerBreakdown, PerRequestAveragesFromDeltas) {
  const ServerBreakdown b = ComputeServerBreakdown(Stats(1), Stats(3));
  EXPECT_TRUE(b.available);
  EXPECT_EQ(b.success_count, 10u);
  EXPECT_EQ(b.fail_count, 2u);
  EXPECT_EQ(b.inference_count, 20u);
  EXPECT_EQ(b.execution_count, 8u);
  EXPECT_DOUBLE_EQ(b.request_us, 10);  // 100'000 ns / 10
  EXPECT_DOUBLE_EQ(b.queue_us, 1);     // 10'000 ns / 10
  EXPECT_DOUBLE_EQ(b.compute_input_us, 2);
  EXPECT_DOUBLE_EQ(b.compute_infer_us, 4);
  EXPECT_DOUBLE_EQ(b.compute_output_us, 0.5);
  EXPECT_EQ(b.batch_executions, (std::map<uint64_t, uint64_t>{{1, 4}, {4, 4}}));
  EXPECT_DOUBLE_EQ(b.mean_batch_size, 2.5);
}

TEST(ServerBreakdown, NewBatchSizeAndCounterReset) {
  inference::ModelStatistics after = Stats(1);
  auto* b8 = after.add_batch_stats();
  b8->set_batch_size(8);
  SetDuration(b8->mutable_compute_infer(), 3, 1);
  const ServerBreakdown b = ComputeServerBreakdown(Stats(1), after);
  EXPECT_EQ(b.batch_executions, (std::map<uint64_t, uint64_t>{{8, 3}}));
  const ServerBreakdown reset = ComputeServerBreakdown(Stats(3), Stats(1));  // reload
  EXPECT_EQ(reset.success_count, 0u);
  EXPECT_DOUBLE_EQ(reset.queue_us, 0);
}

TEST(ServerBreakdown, SumsEndpointsAndVersions) {
  const inference::ModelStatistics sum = SumModelStatistics({Stats(1), Stats(2)});
  EXPECT_EQ(sum.inference_count(), 30u);
  EXPECT_EQ(sum.inference_stats().queue().ns(), 15'000u);
  ASSERT_EQ(sum.batch_stats_size(), 2);
  EXPECT_EQ(sum.batch_stats(1).batch_size(), 4u);
  EXPECT_EQ(sum.batch_stats(1).compute_infer().count(), 6u);
}

PerfReport SampleReport(LoadMode mode) {
  PerfReport r;
  r.options.model = "digits";
  r.options.mode = mode;
  r.options.percentile = 95;
  r.model.name = "digits";
  for (int level = 1; level <= 2; ++level) {
    LevelReport l;
    l.mode = mode;
    l.value = mode == LoadMode::kConcurrency ? level : level * 100.5;
    l.trials = 3;
    l.stable = true;
    l.merged_windows = 3;
    l.client.requests = 100;
    l.client.throughput = 1000.0 * level;
    l.client.send_us = 10.4;
    l.client.wait_us = 500;
    l.client.recv_us = 20.6;
    l.client.latency = {100, 530, 5, 400, 900, 520, 600, 700, 800, 95, 700};
    l.server.available = true;
    l.server.queue_us = 100;
    l.server.compute_input_us = 10;
    l.server.compute_infer_us = 300;
    l.server.compute_output_us = 5;
    l.client.errors["UNAVAILABLE"] = 2;
    l.client.failed = 2;
    l.error_examples["UNAVAILABLE"] = "queue full";
    r.levels.push_back(l);
  }
  return r;
}

TEST(Csv, PerfAnalyzerColumnsAndValues) {
  const std::string csv = FormatCsv(SampleReport(LoadMode::kConcurrency));
  std::istringstream in(csv);
  std::string header, row1, row2, extra;
  std::getline(in, header);
  std::getline(in, row1);
  std::getline(in, row2);
  EXPECT_FALSE(std::getline(in, extra));
  EXPECT_EQ(header,
            "Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
            "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
            "p50 latency,p90 latency,p95 latency,p99 latency");
  // Network+Server = wait 500 - (queue 100 + compute 315) = 85.
  EXPECT_EQ(row1, "1,1000.00,10,85,100,10,300,5,21,520,600,700,800");
  EXPECT_EQ(row2.substr(0, 10), "2,2000.00,");
  const std::string rate = FormatCsv(SampleReport(LoadMode::kRequestRate));
  EXPECT_EQ(rate.rfind("Request Rate,Inferences/Second,", 0), 0u);
  EXPECT_NE(rate.find("\n100.5,1000.00,"), std::string::npos);
}

TEST(Json, CarriesEverything) {
  const nlohmann::json j = ToJson(SampleReport(LoadMode::kConcurrency));
  EXPECT_EQ(j["options"]["model"], "digits");
  EXPECT_EQ(j["options"]["mode"], "concurrency");
  ASSERT_EQ(j["levels"].size(), 2u);
  const auto& l = j["levels"][0];
  EXPECT_EQ(l["value"], 1.0);
  EXPECT_EQ(l["client"]["latency"]["p99_us"], 800.0);
  EXPECT_EQ(l["client"]["latency"]["percentile"], 95.0);
  EXPECT_EQ(l["client"]["errors"]["UNAVAILABLE"], 2);
  EXPECT_EQ(l["error_examples"]["UNAVAILABLE"], "queue full");
  EXPECT_EQ(l["server"]["compute_infer_us"], 300.0);
  EXPECT_EQ(l["network_server_send_recv_us"], 85.0);
  EXPECT_TRUE(l["stable"]);
}

TEST(Svg, HasAxesTicksPointsAndPolyline) {
  const std::string svg = RenderSvg(SampleReport(LoadMode::kConcurrency));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  size_t circles = 0;
  for (size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 2u);
  EXPECT_NE(svg.find("throughput (infer/s)"), std::string::npos);
  EXPECT_NE(svg.find("p95 latency (ms)"), std::string::npos);
  EXPECT_NE(svg.find(">2000</text>"), std::string::npos);  // x tick at the max throughput
  EXPECT_NE(svg.find(">c=2</text>"), std::string::npos);
}

TEST(Console, LevelTextShowsBreakdownAndErrors) {
  const PerfReport r = SampleReport(LoadMode::kRequestRate);
  std::ostringstream os;
  WriteConsoleLevel(os, r.levels[0], r.options);
  const std::string text = os.str();
  EXPECT_NE(text.find("Request rate: 100.5 req/s"), std::string::npos);
  EXPECT_NE(text.find("Throughput: 1000.0 infer/sec"), std::string::npos);
  EXPECT_NE(text.find("UNAVAILABLE: 2 (e.g. \"queue full\")"), std::string::npos);
  EXPECT_NE(text.find("compute infer 300 usec"), std::string::npos);
  EXPECT_NE(text.find("Sends behind schedule"), std::string::npos);
  EXPECT_NE(text.find("Stable after 3 trials"), std::string::npos);
}

}  // namespace
}  // namespace trt::client
