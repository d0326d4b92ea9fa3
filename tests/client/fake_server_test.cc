// The client library against an in-process fake KServe server (tests/client/
// fake_kserve_server.h): typed RPCs, an infer round trip, perf in closed and open loop, the
// server breakdown against the fake's own statistics, error counting, and round-robin
// endpoints. Windows are short and stability is loose so each run takes well under a second;
// assertions are on counts and exact arithmetic, never on speed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "client/infer_io.h"
#include "client/kserve_client.h"
#include "client/perf/load_generator.h"
#include "client/perf/perf_runner.h"
#include "client/perf/request_source.h"
#include "tests/client/client_cli_util.h"
#include "tests/client/fake_kserve_server.h"

namespace trt::client {
namespace {

using testing::FakeKServeServer;

PerfOptions ShortRun(const std::string& address) {
  PerfOptions o;
  o.model = "double";
  o.endpoints = {address};
  o.warmup_ms = 50;
  o.measurement_interval_ms = 150;
  o.max_trials = 3;
  o.stability_percentage = 1000;  // any three windows with traffic count as stable
  return o;
}

// What FetchModelInfo reports for the fake's model, for tests that skip the RPCs.
ModelInfo DoubleModel() {
  ModelInfo m;
  m.name = "double";
  m.max_batch_size = 8;
  m.config_known = true;
  m.inputs = {{"x", "FP32", {-1, 4}}};
  m.outputs = {{"y", "FP32", {-1, 4}}};
  return m;
}

HostTensor Input(std::vector<float> values, int64_t batch) {
  HostTensor t{"x", "FP32", {batch, 4}, std::string(values.size() * 4, '\0')};
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

TEST(FakeServer, TypedRpcs) {
  FakeKServeServer server;
  ASSERT_TRUE(server.ok());
  KServeClient client(server.address());
  EXPECT_TRUE(client.CheckReachable(std::chrono::seconds(5)).ok());
  EXPECT_TRUE(*client.ServerLive());
  EXPECT_TRUE(*client.ServerReady());
  EXPECT_EQ(client.ServerMetadata()->name(), "fake");
  EXPECT_TRUE(*client.ModelReady("double", ""));
  EXPECT_EQ(client.RepositoryIndex(false)->models_size(), 2);
  auto info = FetchModelInfo(client, "double", "");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->max_batch_size, 8);
  EXPECT_EQ(info->inputs[0].shape, (std::vector<int64_t>{-1, 4}));
  auto missing = client.ModelMetadata("nope", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().error_code(), StatusCode::NOT_FOUND);
  EXPECT_NE(missing.status().error_message().find("ModelMetadata 'nope' at " + server.address() +
                                                  ": NOT_FOUND: unknown model"),
            std::string::npos);
}

TEST(FakeServer, InferRoundTrip) {
  FakeKServeServer server;
  KServeClient client(server.address());
  const auto request = BuildInferRequest("double", "", {Input({1, 2, 3, 4, -1, 0.5f, 8, 9}, 2)});
  auto response = client.Infer(request);
  ASSERT_TRUE(response.ok()) << StatusToString(response.status());
  auto outputs = ParseInferResponse(*response);
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 1u);
  const HostTensor& y = (*outputs)[0];
  EXPECT_EQ(y.name, "y");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 4}));
  const float expected[] = {2, 4, 6, 8, -2, 1, 16, 18};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y.GetAsDouble(i), expected[i]);
  auto bad = client.Infer(BuildInferRequest("double", "", {Input({1, 2, 3}, 1)}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST(FakeServer, StreamInferAnswersEveryRequestInOrder) {
  FakeKServeServer server;
  KServeClient client(server.address());
  std::vector<inference::ModelInferRequest> requests;
  for (int i = 0; i < 50; ++i) {
    const float v = static_cast<float>(i);
    requests.push_back(BuildInferRequest("double", "", {Input({v, v, v, v}, 1)}));
  }
  requests[7] = BuildInferRequest("double", "", {Input({1, 2}, 1)});  // wrong size
  auto responses = client.StreamInfer(requests);
  ASSERT_TRUE(responses.ok()) << StatusToString(responses.status());
  ASSERT_EQ(responses->size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const auto& r = (*responses)[i];
    if (i == 7) {
      EXPECT_NE(r.error_message().find("must be FP32"), std::string::npos);
      continue;
    }
    auto outputs = ParseInferResponse(r.infer_response());
    ASSERT_TRUE(outputs.ok());
    EXPECT_EQ((*outputs)[0].GetAsDouble(3), 2.0 * i);
  }
}

TEST(FakeServer, TypedContentsResponsesAreRead) {
  inference::ModelInferResponse r;
  r.set_model_name("m");
  auto* o = r.add_outputs();
  o->set_name("ids");
  o->set_datatype("INT64");
  o->add_shape(3);
  for (int64_t v : {5, -6, 7}) o->mutable_contents()->add_int64_contents(v);
  auto outputs = ParseInferResponse(r);
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ((*outputs)[0].GetAsDouble(1), -6);
  o->add_shape(2);  // shape now needs 6 values
  auto bad = ParseInferResponse(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().error_message().find("expected 48 bytes, got 24"), std::string::npos);
}

// Expected breakdown: the fake's statistics answers are [initial check, level 1 before,
// after window 1..T, level 2 before, ...]; each level merges its last min(3, T) windows.
void ExpectBreakdownMatchesFake(const PerfReport& report, const FakeKServeServer& server) {
  const auto answers = server.stats_answers();
  size_t next = 1;  // answer 0 is RunPerf's availability check
  for (const LevelReport& level : report.levels) {
    const size_t before = next;
    const size_t last = before + level.trials;
    ASSERT_LT(last, answers.size() + 0);
    const size_t first = last - std::min(3, level.trials);
    const ServerBreakdown want = ComputeServerBreakdown(answers[first], answers[last]);
    EXPECT_EQ(level.server.success_count, want.success_count);
    EXPECT_EQ(level.server.inference_count, want.inference_count);
    EXPECT_DOUBLE_EQ(level.server.queue_us, want.queue_us);
    EXPECT_DOUBLE_EQ(level.server.compute_input_us, 2.0);
    EXPECT_DOUBLE_EQ(level.server.compute_infer_us, want.compute_infer_us);
    EXPECT_DOUBLE_EQ(level.server.compute_output_us, 4.0);
    EXPECT_EQ(level.server.batch_executions, want.batch_executions);
    // The server saw (about) what the client measured: both span the same windows.
    EXPECT_GT(level.server.success_count, 0u);
    next = last + 1;
  }
  EXPECT_EQ(next, answers.size());
}

TEST(FakeServerPerf, ClosedLoopMeasuresAndMatchesServerStatistics) {
  FakeKServeServer server;
  PerfOptions o = ShortRun(server.address());
  o.range = {1, 4, 3};  // concurrency 1 and 4
  o.batch_size = 2;
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  ASSERT_EQ(report->levels.size(), 2u);
  EXPECT_TRUE(report->server_stats_available);
  for (const LevelReport& level : report->levels) {
    EXPECT_EQ(level.trials, 3);
    EXPECT_TRUE(level.stable);
    EXPECT_GT(level.client.requests, 0u);
    EXPECT_EQ(level.client.inferences, 2 * level.client.requests);
    EXPECT_GT(level.client.throughput, 0);
    EXPECT_GT(level.client.latency.p50_us, 0);
    EXPECT_LE(level.client.latency.p50_us, level.client.latency.p99_us);
    EXPECT_EQ(level.client.failed, 0u);
    EXPECT_DOUBLE_EQ(level.server.compute_infer_us, 6.0);  // 3000 ns x batch 2
    EXPECT_EQ(level.server.batch_executions.size(), 1u);
    EXPECT_DOUBLE_EQ(level.server.mean_batch_size, 2.0);
  }
  ExpectBreakdownMatchesFake(*report, server);
}

TEST(FakeServerPerf, CountWindowsHoldExactlyTheRequestCount) {
  FakeKServeServer server;
  server.set_delay_ms(3);
  PerfOptions o = ShortRun(server.address());
  o.range = {2, 2, 1};
  o.measurement_mode = MeasurementMode::kCountWindows;
  o.measurement_request_count = 7;
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  ASSERT_EQ(report->levels.size(), 1u);
  const LevelReport& level = report->levels[0];
  ASSERT_EQ(level.windows.size(), 3u);
  double total_s = 0;
  for (const WindowReport& w : level.windows) {
    EXPECT_EQ(w.client.requests + w.client.failed, 7u);
    // Throughput is the count over the span up to its last completion: 7 requests at
    // concurrency 2 with 3 ms each take at least 3 round trips (9 ms).
    EXPECT_GT(w.client.duration_s, 0.009);
    EXPECT_NEAR(w.client.throughput, 7 / w.client.duration_s, 1e-6);
    total_s += w.client.duration_s;
  }
  EXPECT_EQ(level.client.requests, 21u);
  EXPECT_NEAR(level.client.duration_s, total_s, 1e-9);
}

TEST(FakeServerPerf, OpenLoopPoissonReachesTheRate) {
  FakeKServeServer server;
  PerfOptions o = ShortRun(server.address());
  o.mode = LoadMode::kRequestRate;
  o.range = {200, 200, 1};
  o.distribution = Distribution::kPoisson;
  o.measurement_interval_ms = 300;
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  ASSERT_EQ(report->levels.size(), 1u);
  const LevelReport& level = report->levels[0];
  EXPECT_GT(level.client.requests, 50u);  // ~180 expected over 0.9 s
  EXPECT_NEAR(level.client.request_rate, 200, 100);
  EXPECT_EQ(level.client.failed, 0u);
  ExpectBreakdownMatchesFake(*report, server);
}

TEST(FakeServerPerf, OpenLoopLatencyIncludesLagBehindSchedule) {
  FakeKServeServer server;
  server.set_delay_ms(20);  // ~50 req/s with one request in flight, far below 200/s
  PerfOptions o = ShortRun(server.address());
  o.mode = LoadMode::kRequestRate;
  o.range = {200, 200, 1};
  o.max_outstanding = 1;
  o.measurement_interval_ms = 200;
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  const ClientStats& c = report->levels[0].client;
  ASSERT_GT(c.requests, 3u);
  EXPECT_GT(c.behind_schedule, c.requests / 2);
  EXPECT_GT(c.avg_schedule_lag_us, 20'000);
  EXPECT_GE(c.wait_us, 19'000);
  // latency = lag + send + wait + recv for every request, so the averages add up too.
  EXPECT_NEAR(c.latency.avg_us, c.avg_schedule_lag_us + c.send_us + c.wait_us + c.recv_us, 1.0);
  EXPECT_GT(c.latency.avg_us, c.wait_us + 10'000);
}

TEST(FakeServerPerf, ErrorsAreCountedByCode) {
  FakeKServeServer server;
  server.set_fail_every(4, grpc::StatusCode::RESOURCE_EXHAUSTED);
  PerfOptions o = ShortRun(server.address());
  o.range = {2, 2, 1};
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  const LevelReport& level = report->levels[0];
  ASSERT_EQ(level.client.errors.size(), 1u);
  const uint64_t failed = level.client.errors.at("RESOURCE_EXHAUSTED");
  EXPECT_EQ(failed, level.client.failed);
  const double total = static_cast<double>(failed + level.client.requests);
  EXPECT_NEAR(failed / total, 0.25, 0.05);
  EXPECT_NE(level.error_examples.at("RESOURCE_EXHAUSTED").find("fake failure"), std::string::npos);
  EXPECT_GT(level.server.fail_count, 0u);
}

TEST(FakeServerPerf, AllRequestsFailingStopsTheLevel) {
  FakeKServeServer server;
  server.set_fail_every(1, grpc::StatusCode::UNAVAILABLE);
  PerfOptions o = ShortRun(server.address());
  o.max_trials = 10;
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok());
  const LevelReport& level = report->levels[0];
  EXPECT_EQ(level.trials, 1);
  EXPECT_FALSE(level.stable);
  EXPECT_EQ(level.client.requests, 0u);
  EXPECT_GT(level.client.errors.at("UNAVAILABLE"), 0u);
  EXPECT_NE(level.stopped_early.find("failed"), std::string::npos);
}

TEST(FakeServerPerf, RoundRobinOverEndpoints) {
  FakeKServeServer a, b;
  PerfOptions o = ShortRun(a.address());
  o.endpoints = {a.address(), b.address()};
  o.range = {4, 4, 1};
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  const int64_t na = a.infer_calls(), nb = b.infer_calls();
  EXPECT_GT(na, 10);
  EXPECT_GT(nb, 10);
  EXPECT_NEAR(static_cast<double>(na) / (na + nb), 0.5, 0.1);
  // Server statistics are summed over both endpoints.
  EXPECT_GT(report->levels[0].server.success_count, 0u);
}

TEST(FakeServerPerf, ShapeRangeDrawsBatchPerRequest) {
  FakeKServeServer server;
  PerfOptions o = ShortRun(server.address());
  o.range = {2, 2, 1};
  o.shape_ranges = {{"x", 0, 1, 4}};
  auto report = RunPerf(o, nullptr);
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  const LevelReport& level = report->levels[0];
  EXPECT_EQ(level.server.batch_executions.size(), 4u);  // batches 1, 2, 3 and 4 all ran
  EXPECT_GT(level.client.inferences, level.client.requests);
  EXPECT_EQ(level.client.failed, 0u);
}

TEST(FakeServerPerf, CancelEndsTheRunWithWhatWasMeasured) {
  FakeKServeServer server;
  PerfOptions o = ShortRun(server.address());
  o.range = {1, 3, 1};
  o.max_trials = 50;
  o.stability_percentage = 0.0001;  // never stable: only the cancel can end the level
  std::atomic<bool> cancel{false};
  std::thread stopper([&] {
    while (server.stats_answers().size() < 4) {  // level 1 measured two windows
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    cancel = true;
  });
  auto report = RunPerf(o, nullptr, &cancel);
  stopper.join();
  ASSERT_TRUE(report.ok()) << StatusToString(report.status());
  ASSERT_EQ(report->levels.size(), 1u);  // levels 2 and 3 never started
  const LevelReport& level = report->levels[0];
  EXPECT_EQ(level.stopped_early, "interrupted");
  EXPECT_GE(level.trials, 2);
  EXPECT_LT(level.trials, 50);
  EXPECT_GT(level.client.requests, 0u);
}

TEST(FakeServerPerf, SetupErrorsAreReturnedBeforeLoad) {
  FakeKServeServer server;
  PerfOptions o = ShortRun(server.address());
  o.model = "nope";
  auto unknown = RunPerf(o, nullptr);
  ASSERT_FALSE(unknown.ok());
  o.model = "double";
  o.shape_ranges = {{"x", 1, 2, 5}};  // dim 1 is fixed at 4
  auto fixed = RunPerf(o, nullptr);
  ASSERT_FALSE(fixed.ok());
  EXPECT_NE(fixed.status().error_message().find("is fixed at 4"), std::string::npos);
  o.shape_ranges = {{"x", 0, 1, 9}};  // beyond max_batch_size 8
  auto big = RunPerf(o, nullptr);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().error_message().find("max_batch_size 8"), std::string::npos);
  EXPECT_EQ(server.infer_calls(), 0);
}

TEST(RequestSource, JsonAndDirectoryData) {
  const ModelInfo m = DoubleModel();
  const std::string dir = ::testing::TempDir() + "/trtserve_client_rs_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream json(dir + "/data.json");
    json
        << R"({"data": [{"x": [1, 2, 3, 4]}, {"x": {"content": [1,2,3,4,5,6,7,8], "shape": [2, 4]}}]})";
  }
  PerfOptions o;
  o.model = "double";
  o.input_data = dir + "/data.json";
  auto source = RequestSource::Create(m, o);
  ASSERT_TRUE(source.ok()) << StatusToString(source.status());
  EXPECT_EQ((*source)->variants(), 2u);
  std::vector<int32_t> batches;
  for (int i = 0; i < 4; ++i) batches.push_back((*source)->Next()->batch);
  EXPECT_EQ(batches, (std::vector<int32_t>{1, 2, 1, 2}));  // entries in turn

  {
    std::ofstream bad(dir + "/bad.json");
    bad << R"({"data": [{"x": [1, 2, 3]}]})";
  }
  o.input_data = dir + "/bad.json";
  auto wrong = RequestSource::Create(m, o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().error_message().find("3 values, but shape [1, 4] needs 4"),
            std::string::npos);

  o.input_data = dir;  // a directory without x.npy
  auto missing = RequestSource::Create(m, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().error_message().find("x.npy"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(LoadGenerator, UnreachableEndpointFailsEveryRequestWithoutCrashing) {
  // Closed loop re-issues from the completion callback; calls that fail at once must neither
  // recurse without bound nor stop the loop.
  EndpointPool pool({"127.0.0.1:" + std::to_string(testing::FreePort())}, ClientOptions{2000});
  const ModelInfo m = DoubleModel();
  PerfOptions o;
  o.model = "double";
  auto source = RequestSource::Create(m, o);
  ASSERT_TRUE(source.ok());
  LoadGenerator generator(&pool, source->get(), LoadConfig{LoadMode::kConcurrency, 4});
  generator.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const LoadGenerator::Window w = generator.TakeWindow();
  generator.Stop();
  EXPECT_EQ(generator.outstanding(), 0);
  ASSERT_GT(w.samples.size(), 4u);
  for (const RequestSample& s : w.samples) EXPECT_EQ(s.code, StatusCode::UNAVAILABLE);
  EXPECT_EQ(w.error_examples.count("UNAVAILABLE"), 1u);
}

TEST(LoadGenerator, CountWindowsAreBackToBackAndEndOnACompletion) {
  testing::FakeKServeServer server;
  server.set_delay_ms(2);
  EndpointPool pool({server.address()}, ClientOptions{5000});
  const ModelInfo m = DoubleModel();
  PerfOptions o;
  o.model = "double";
  auto source = RequestSource::Create(m, o);
  ASSERT_TRUE(source.ok());
  LoadGenerator generator(&pool, source->get(), LoadConfig{LoadMode::kConcurrency, 3});
  generator.Start();
  (void)generator.TakeWindow();
  generator.SetWindowCount(5);
  std::vector<LoadGenerator::Window> windows;
  while (windows.size() < 3) {
    auto w = generator.WaitClosedWindow(std::chrono::seconds(10));
    ASSERT_TRUE(w.has_value()) << "no window closed within 10 s";
    windows.push_back(std::move(*w));
  }
  generator.Stop();
  for (size_t i = 0; i < windows.size(); ++i) {
    const LoadGenerator::Window& w = windows[i];
    ASSERT_EQ(w.samples.size(), 5u);
    int64_t last_done = 0;
    for (const RequestSample& s : w.samples) last_done = std::max(last_done, s.done_ns);
    EXPECT_GE(w.end_ns, last_done);
    if (i > 0) {
      EXPECT_EQ(w.start_ns, windows[i - 1].end_ns);
    }
  }
}

TEST(LoadGenerator, StopCancelsRequestsThatOutliveTheGrace) {
  testing::FakeKServeServer server;
  server.set_delay_ms(20000);                               // far longer than the test may take
  EndpointPool pool({server.address()}, ClientOptions{0});  // no RPC deadline
  const ModelInfo m = DoubleModel();
  PerfOptions o;
  o.model = "double";
  auto source = RequestSource::Create(m, o);
  ASSERT_TRUE(source.ok());
  LoadGenerator generator(&pool, source->get(), LoadConfig{LoadMode::kConcurrency, 3});
  generator.Start();
  while (server.infer_calls() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  generator.Stop(/*grace_ms=*/50);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_EQ(generator.outstanding(), 0);
  const LoadGenerator::Window w = generator.TakeWindow();
  ASSERT_EQ(w.samples.size(), 3u);  // exactly the three in flight, all cancelled
  for (const RequestSample& s : w.samples) EXPECT_EQ(s.code, StatusCode::CANCELLED);
}

}  // namespace
}  // namespace trt::client
