// trtserve-client against the real `trtserve serve` (started by the test on an ephemeral
// port, serving a copy of configs/model_repository/digits): `infer` equals `trtserve run` on
// the same input, and short `perf` sweeps in both modes give sane numbers whose server
// breakdown agrees with ModelStatistics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/kserve_client.h"
#include "client/npy.h"
#include "tests/client/client_cli_util.h"
#include "tests/e2e/server_test_util.h"

namespace trt::client {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RealServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(testing::MakeTempDir("real_repo"));
    fs::copy(e2e::kSrc + "/configs/model_repository/digits", *root_ + "/digits",
             fs::copy_options::recursive);
    serve_ = new e2e::ServeProcess({"serve", "--model-repository", *root_, "--grpc-address",
                                    "127.0.0.1:0", "--metrics-address", "off"});
    if (serve_->started() && serve_->WaitForLine("ready:", 300)) {
      address_ = new std::string(serve_->Field("gRPC on "));
    }
  }
  static void TearDownTestSuite() {
    delete serve_;
    fs::remove_all(*root_);
    delete root_;
    delete address_;
  }
  void SetUp() override {
    ASSERT_NE(address_, nullptr) << "trtserve serve did not become ready:\n" << serve_->output();
  }
  static const std::string& address() { return *address_; }

  static std::string* root_;
  static std::string* address_;
  static e2e::ServeProcess* serve_;
};
std::string* RealServerTest::root_ = nullptr;
std::string* RealServerTest::address_ = nullptr;
e2e::ServeProcess* RealServerTest::serve_ = nullptr;

// The plan the server built and cached for digits (its only .plan file).
std::string ServedPlan(const std::string& root) {
  for (const auto& e : fs::recursive_directory_iterator(root + "/digits/1")) {
    if (e.path().extension() == ".plan") return e.path().string();
  }
  return "";
}

TEST_F(RealServerTest, InferEqualsTrtserveRun) {
  const std::string images = e2e::kSrc + "/tests/data/digits/images.npy";
  const std::string dir = testing::MakeTempDir("real_infer");
  const auto client =
      testing::RunClient("infer -u " + address() + " -m digits --input input=" + images +
                         " --output-dir " + dir + "/client");
  ASSERT_EQ(client.exit_code, 0) << client.output;
  EXPECT_NE(client.output.find("logits: FP32 [16, 10]"), std::string::npos) << client.output;
  EXPECT_NE(client.output.find("argmax per row: ["), std::string::npos);

  // The same plan, profile and thread count the server runs: identical bytes.
  const std::string plan = ServedPlan(*root_);
  ASSERT_FALSE(plan.empty());
  const auto run_plan = e2e::RunCommand("run " + plan +
                                        " --profile dynamic --threads 2 --input "
                                        "input=" +
                                        images + " --output-dir " + dir + "/plan");
  ASSERT_EQ(run_plan.exit_code, 0) << run_plan.output;
  // The ONNX model on the reference executor: equal within float tolerance.
  const auto run_onnx =
      e2e::RunCommand("run " + *root_ + "/digits/1/model.onnx --input input=" + images +
                      " --output-dir " + dir + "/onnx");
  ASSERT_EQ(run_onnx.exit_code, 0) << run_onnx.output;
  for (const char* name : {"logits", "probabilities"}) {
    auto got = ReadNpy(dir + "/client/" + name + ".npy");
    auto plan_out = ReadNpy(dir + "/plan/" + name + ".npy");
    auto onnx_out = ReadNpy(dir + "/onnx/" + name + ".npy");
    ASSERT_TRUE(got.ok() && plan_out.ok() && onnx_out.ok()) << name;
    EXPECT_EQ(got->shape, plan_out->shape) << name;
    EXPECT_EQ(got->data, plan_out->data) << name << ": client infer differs from trtserve run";
    ASSERT_EQ(got->shape, onnx_out->shape) << name;
    for (int64_t i = 0; i < got->NumElements(); ++i) {
      EXPECT_NEAR(got->GetAsDouble(i), onnx_out->GetAsDouble(i), 1e-4) << name << "[" << i << "]";
    }
  }
  fs::remove_all(dir);
}

// Reads perf's CSV rows as numbers (header checked by the caller).
std::vector<std::vector<double>> CsvRows(const std::string& path, std::string* header) {
  std::istringstream csv(Slurp(path));
  std::getline(csv, *header);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(csv, line)) {
    std::vector<double> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(std::stod(cell));
    rows.push_back(cells);
  }
  return rows;
}

void ExpectSaneRows(const std::vector<std::vector<double>>& rows, size_t levels) {
  ASSERT_EQ(rows.size(), levels);
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), 13u);
    EXPECT_GT(r[1], 0);       // Inferences/Second
    EXPECT_GT(r[6], 0);       // Server Compute Infer (us)
    EXPECT_GT(r[9], 0);       // p50 latency
    EXPECT_LE(r[9], r[10]);   // p50 <= p90
    EXPECT_LE(r[10], r[12]);  // p90 <= p99
    // The mean compute time is at most the slowest request's latency; p99 is the robust
    // stand-in (p50 can sit below a mean that a few slow batches on a noisy machine inflate).
    EXPECT_GE(r[12], r[6]);
  }
}

TEST_F(RealServerTest, PerfClosedLoopSweep) {
  const std::string dir = testing::MakeTempDir("real_perf_closed");
  KServeClient stats_client(address());
  const auto before = stats_client.ModelStatistics("digits", "");
  ASSERT_TRUE(before.ok());
  const auto r = testing::RunClient("perf -u " + address() +
                                    " -m digits --concurrency-range 1:3:2 -b 2 --warmup-ms 200 "
                                    "-p 300 -r 4 -s 50 -q -f " +
                                    dir + "/c.csv --json " + dir + "/c.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string header;
  const auto rows = CsvRows(dir + "/c.csv", &header);
  EXPECT_EQ(header.rfind("Concurrency,Inferences/Second,", 0), 0u);
  ExpectSaneRows(rows, 2);
  EXPECT_EQ(rows[0][0], 1);
  EXPECT_EQ(rows[1][0], 3);

  const auto j = nlohmann::json::parse(Slurp(dir + "/c.json"));
  uint64_t reported = 0;
  for (const auto& level : j["levels"]) {
    EXPECT_EQ(level["client"]["failed"], 0) << level.dump();
    const auto& server = level["server"];
    EXPECT_TRUE(server["available"].get<bool>());
    EXPECT_GT(server["success_count"].get<uint64_t>(), 0u);
    // The server and the client counted (nearly) the same requests in the same windows.
    const double client_requests = level["client"]["requests"].get<double>();
    EXPECT_NEAR(server["success_count"].get<double>(), client_requests,
                0.05 * client_requests + 10);
    EXPECT_GE(server["mean_batch_size"].get<double>(), 2.0);  // requests carry 2 rows
    reported += server["success_count"].get<uint64_t>();
  }
  const auto after = stats_client.ModelStatistics("digits", "");
  ASSERT_TRUE(after.ok());
  const uint64_t total = after->model_stats(0).inference_stats().success().count() -
                         before->model_stats(0).inference_stats().success().count();
  EXPECT_GE(total, reported);  // warmup and unreported windows come on top
  fs::remove_all(dir);
}

TEST_F(RealServerTest, PerfOpenLoopAndShapeRange) {
  const std::string dir = testing::MakeTempDir("real_perf_open");
  const auto r =
      testing::RunClient("perf -u " + address() +
                         " -m digits --request-rate-range 50:100:50 --request-distribution poisson "
                         "--shape-range input:0=1:40 --warmup-ms 200 -p 400 -r 4 -s 50 -q -f " +
                         dir + "/o.csv --json " + dir + "/o.json --svg " + dir + "/o.svg");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string header;
  const auto rows = CsvRows(dir + "/o.csv", &header);
  EXPECT_EQ(header.rfind("Request Rate,Inferences/Second,", 0), 0u);
  ExpectSaneRows(rows, 2);
  const auto j = nlohmann::json::parse(Slurp(dir + "/o.json"));
  for (const auto& level : j["levels"]) {
    // Batches 1..40 straddle the dynamic (1..32) and offline (33..128) profiles.
    EXPECT_GT(level["server"]["batch_executions"].size(), 1u) << level["server"].dump();
    EXPECT_NEAR(level["client"]["request_rate_per_s"].get<double>(), level["value"].get<double>(),
                0.5 * level["value"].get<double>());
  }
  EXPECT_NE(Slurp(dir + "/o.svg").find("<polyline"), std::string::npos);
  fs::remove_all(dir);
}

TEST_F(RealServerTest, StatusListsDigits) {
  const auto r = testing::RunClient("status -u " + address());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("live, ready"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("model digits: versions [1]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("max_batch_size 128"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace trt::client
