// The `trtserve-client` executable against the in-process fake server: help texts, the
// unreachable-server message and exit code, status, infer (printing and .npy files), and perf
// writing CSV / JSON / SVG.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/npy.h"
#include "tests/client/client_cli_util.h"
#include "tests/client/fake_kserve_server.h"

namespace trt::client {
namespace {

using testing::FakeKServeServer;
using testing::MakeTempDir;
using testing::RunClient;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ClientCli, HelpForEveryCommandHasExamples) {
  const auto top = RunClient("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_TRUE(Has(top.output, "status")) << top.output;
  for (const char* cmd : {"status", "infer", "perf", "ping"}) {
    const auto r = RunClient(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_TRUE(Has(r.output, "Examples:")) << cmd << r.output;
    EXPECT_TRUE(Has(r.output, "127.0.0.1:8001")) << cmd;  // the default endpoint
  }
}

TEST(ClientCli, UnreachableServerMessageAndExitCode) {
  const int port = testing::FreePort();
  ASSERT_GT(port, 0);
  const std::string address = "127.0.0.1:" + std::to_string(port);
  for (const std::string cmd :
       {"status", "infer -m m --input x=random", "perf -m m --concurrency-range 1", "ping"}) {
    const auto r = RunClient(cmd + " -u " + address + " --timeout-ms 5000");
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.output;
    EXPECT_TRUE(Has(r.output, "error: cannot reach KServe server at " + address +
                                  " (connection refused): start it with `trtserve serve "
                                  "--model-repository DIR` or pass -u HOST:PORT"))
        << cmd << ": " << r.output;
  }
}

TEST(ClientCli, BadFlagsGiveActionableErrors) {
  FakeKServeServer server;
  const std::string u = " -u " + server.address();
  auto r = RunClient("perf -m double --concurrency-range 0:4" + u);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "--concurrency-range '0:4'")) << r.output;
  r = RunClient("perf -m double --concurrency-range 1 --request-rate-range 10" + u);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "not both")) << r.output;
  r = RunClient("infer -m double --input y=random" + u);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "model 'double' has no input 'y' (inputs: x)")) << r.output;
  r = RunClient("infer -m nope --input random" + u);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "NOT_FOUND: unknown model 'nope'")) << r.output;
  r = RunClient("perf -m broken" + u);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "model 'broken' is not ready on " + server.address() +
                                "; check `trtserve-client status"))
      << r.output;
  r = RunClient("status -u localhost");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.output, "is not HOST:PORT")) << r.output;
}

TEST(ClientCli, StatusShowsServerIndexAndModels) {
  FakeKServeServer server;
  const auto r = RunClient("status -u " + server.address());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Has(r.output, "Server " + server.address() + ": live, ready")) << r.output;
  EXPECT_TRUE(Has(r.output, "name: fake, version: 0.0.1"));
  EXPECT_TRUE(Has(r.output, "broken"));
  EXPECT_TRUE(Has(r.output, "failed to load: fake reason"));
  EXPECT_TRUE(Has(r.output, "model double: versions [1], platform fake, max_batch_size 8"));
  EXPECT_TRUE(Has(r.output, "FP32   [-1, 4]")) << r.output;
}

TEST(ClientCli, PingTimesTheRequestedRoundTrips) {
  FakeKServeServer server;
  const std::string dir = MakeTempDir("ping");
  const int64_t before = server.live_calls();
  const auto r =
      RunClient("ping -u " + server.address() + " -n 37 --warmup 3 --json " + dir + "/p.json");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Has(r.output, "ServerLive round trips to " + server.address() + ": 37 ok, 0 failed"))
      << r.output;
  EXPECT_TRUE(Has(r.output, "rtt min/p50/p90/p99/max = ")) << r.output;
  // Connect() probes each endpoint once, then warmup + count round trips.
  EXPECT_EQ(server.live_calls() - before, 1 + 3 + 37);
  const auto json = nlohmann::json::parse(ReadFile(dir + "/p.json"));
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["ok"], 37);
  const auto& rtt = json[0]["rtt_us"];
  EXPECT_GT(rtt["min"].get<double>(), 0);
  EXPECT_LE(rtt["min"].get<double>(), rtt["p50"].get<double>());
  EXPECT_LE(rtt["p50"].get<double>(), rtt["p99"].get<double>());
  EXPECT_LE(rtt["p99"].get<double>(), rtt["max"].get<double>());
  const auto bad = RunClient("ping -u " + server.address() + " -n 0");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Has(bad.output, "-n/--count must be at least 1")) << bad.output;
}

TEST(ClientCli, InferPrintsAndSavesOutputs) {
  FakeKServeServer server;
  const std::string dir = MakeTempDir("infer");
  HostTensor x{"x", "FP32", {2, 4}, std::string(32, '\0')};
  const float values[8] = {1, 5, 2, 3, 9, 1, 0, -4};
  std::memcpy(x.data.data(), values, 32);
  ASSERT_TRUE(WriteNpy(dir + "/x.npy", x).ok());
  const auto r = RunClient("infer -u " + server.address() + " -m double --input x=" + dir +
                           "/x.npy --output-dir " + dir + "/out");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Has(r.output, "y: FP32 [2, 4] [2, 10, 4, 6, 18, 2, ...] -> " + dir + "/out/y.npy"))
      << r.output;
  EXPECT_TRUE(Has(r.output, "argmax per row: [1, 0]")) << r.output;
  auto y = ReadNpy(dir + "/out/y.npy");
  ASSERT_TRUE(y.ok());
  ASSERT_EQ(y->shape, x.shape);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y->GetAsDouble(i), 2 * values[i]);

  // Generated input, batch from -b; without --output-dir nothing is written.
  const auto gen = RunClient("infer -u " + server.address() + " -m double --input zeros -b 3");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  EXPECT_TRUE(Has(gen.output, "y: FP32 [3, 4] [0, 0, 0, 0, 0, 0, ...]\n")) << gen.output;
  std::filesystem::remove_all(dir);
}

TEST(ClientCli, PerfWritesCsvJsonAndSvg) {
  FakeKServeServer server;
  server.set_fail_every(10, grpc::StatusCode::UNAVAILABLE);
  const std::string dir = MakeTempDir("perf");
  const auto r = RunClient("perf -u " + server.address() +
                           " -m double --concurrency-range 1:2 -b 2 --warmup-ms 50 -p 150 "
                           "-r 3 -s 1000 -f " +
                           dir + "/p.csv --json " + dir + "/p.json --svg " + dir + "/p.svg");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Has(r.output, "Request concurrency: 2")) << r.output;
  EXPECT_TRUE(Has(r.output, "UNAVAILABLE:")) << r.output;
  EXPECT_TRUE(Has(r.output, "[Concurrency: 1] window 1/3")) << r.output;  // plain progress

  std::istringstream csv(ReadFile(dir + "/p.csv"));
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header,
            "Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
            "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
            "p50 latency,p90 latency,p95 latency,p99 latency");
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    std::vector<double> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(std::stod(cell));
    ASSERT_EQ(cells.size(), 13u) << line;
    EXPECT_EQ(cells[0], rows);
    EXPECT_GT(cells[1], 0) << line;          // throughput
    EXPECT_EQ(cells[5], 2) << line;          // compute input: 2000 ns
    EXPECT_EQ(cells[6], 6) << line;          // compute infer: 3000 ns x batch 2
    EXPECT_EQ(cells[7], 4) << line;          // compute output
    EXPECT_GT(cells[9], 0) << line;          // p50
    EXPECT_LE(cells[9], cells[12]) << line;  // p50 <= p99
  }
  EXPECT_EQ(rows, 2);

  const auto j = nlohmann::json::parse(ReadFile(dir + "/p.json"));
  ASSERT_EQ(j["levels"].size(), 2u);
  EXPECT_GT(j["levels"][1]["client"]["throughput_infer_per_s"].get<double>(), 0);
  EXPECT_GT(j["levels"][1]["client"]["errors"]["UNAVAILABLE"].get<int>(), 0);
  EXPECT_EQ(j["levels"][1]["server"]["mean_batch_size"], 2.0);
  EXPECT_EQ(j["model"]["max_batch_size"], 8);
  EXPECT_EQ(j["levels"][0]["windows"].size(), 3u);

  const std::string svg = ReadFile(dir + "/p.svg");
  EXPECT_TRUE(Has(svg, "<svg") && Has(svg, "<polyline") && Has(svg, "</svg>"));
  std::filesystem::remove_all(dir);
}

TEST(ClientCli, PerfOpenLoopCsvHasRequestRateColumn) {
  FakeKServeServer server;
  const std::string dir = MakeTempDir("perf_rate");
  const auto r = RunClient("perf -u " + server.address() +
                           " -m double --request-rate-range 100:200:100 "
                           "--request-distribution poisson --warmup-ms 50 -p 200 -r 3 -s 1000 "
                           "-q -f " +
                           dir + "/r.csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(Has(r.output, "window 1/3"));  // -q
  EXPECT_TRUE(Has(r.output, "Sends behind schedule")) << r.output;
  const std::string csv = ReadFile(dir + "/r.csv");
  EXPECT_EQ(csv.rfind("Request Rate,Inferences/Second,", 0), 0u) << csv;
  EXPECT_TRUE(Has(csv, "\n100,")) << csv;
  EXPECT_TRUE(Has(csv, "\n200,")) << csv;
  std::filesystem::remove_all(dir);
}

TEST(ClientCli, PerfExitsNonZeroWhenNothingSucceeds) {
  FakeKServeServer server;
  server.set_fail_every(1, grpc::StatusCode::INVALID_ARGUMENT);
  const auto r =
      RunClient("perf -u " + server.address() + " -m double --warmup-ms 20 -p 100 -r 3 -q");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(Has(r.output, "error: Concurrency: 1: no request succeeded (INVALID_ARGUMENT x"))
      << r.output;
}

}  // namespace
}  // namespace trt::client
