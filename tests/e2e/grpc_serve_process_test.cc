// End-to-end tests of the real `trtserve serve` process: startup output, /metrics, graceful
// SIGTERM under load (nothing accepted is lost), and the errors of bad flags and taken ports.
#include <gmock/gmock.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "tests/e2e/server_test_util.h"

namespace trt::e2e {
namespace {

using ::testing::HasSubstr;

const char* kDigitsYaml =
    "max_batch_size: 8\n"
    "profiles:\n"
    "  - name: dynamic\n"
    "    shapes: {input: {min: [1, 1, 8, 8], opt: [4, 1, 8, 8], max: [8, 1, 8, 8]}}\n"
    "dynamic_batching: {max_queue_delay_us: 2000}\n"
    "warmup: {iterations: 1}\n";

TEST(ServeProcessTest, SigtermUnderLoadDrainsWithoutLosingAcceptedRequests) {
  const std::string root = TempDir("serve_sigterm");
  WriteDigitsModel(root, "digits", kDigitsYaml);
  ServeProcess serve({"serve", "--model-repository", root, "--grpc-address", "127.0.0.1:0",
                      "--metrics-address", "127.0.0.1:0"});
  ASSERT_TRUE(serve.started());
  ASSERT_TRUE(serve.WaitForLine("ready:", 180)) << serve.output();
  // Startup names what it serves.
  EXPECT_THAT(serve.output(), HasSubstr("model 'digits' version 1"));
  EXPECT_THAT(serve.output(), HasSubstr("dynamic: input=1x1x8x8..4x1x8x8..8x1x8x8"));
  const std::string grpc_address = serve.Field("gRPC on ");
  const std::string metrics_url = serve.Field("metrics on http://");  // HOST:PORT/metrics
  ASSERT_FALSE(grpc_address.empty()) << serve.output();
  ASSERT_FALSE(metrics_url.empty()) << serve.output();

  auto channel = grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials());
  auto stub = inference::GRPCInferenceService::NewStub(channel);
  std::atomic<int> ok_count{0};
  std::atomic<bool> signalled{false};
  std::mutex mu;
  std::map<grpc::StatusCode, int> codes;
  std::vector<std::string> unexpected;
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      // Keep sending until the server is gone (its refusals end each client).
      for (int i = 0; i < 100000; ++i) {
        const int rows = 1 + (c + i) % 3;
        inference::ModelInferResponse resp;
        grpc::Status s = Infer(*stub, DigitsRequest("digits", c + i, rows), &resp);
        std::lock_guard<std::mutex> lock(mu);
        ++codes[s.error_code()];
        if (s.ok()) {
          ++ok_count;
          const std::string diff = testing::CompareTensors(OutputNamed(resp, "logits"),
                                                           Logits(c + i, rows), {1e-4, 1e-4});
          if (!diff.empty()) unexpected.push_back("wrong output: " + diff);
        } else if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
                   s.error_code() != grpc::StatusCode::CANCELLED) {
          unexpected.push_back(std::to_string(s.error_code()) + ": " + s.error_message());
        }
        if (!s.ok() && signalled.load()) return;
      }
    });
  }
  // Let traffic flow, scrape /metrics mid-load, then stop the server under load.
  for (int i = 0; i < 6000 && ok_count.load() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(ok_count.load(), 200) << serve.output();
  const std::string metrics_host_port = metrics_url.substr(0, metrics_url.find('/'));
  const size_t colon = metrics_host_port.rfind(':');
  httplib::Client http(metrics_host_port.substr(0, colon),
                       std::stoi(metrics_host_port.substr(colon + 1)));
  http.set_read_timeout(30);
  auto scrape = http.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->status, 200);
  EXPECT_THAT(scrape->body, HasSubstr("trtserve_requests_total{model=\"digits\",version=\"1\"}"));

  signalled = true;
  serve.Signal(SIGTERM);
  const int exit_code = serve.Wait(120);
  for (auto& t : clients) t.join();
  EXPECT_EQ(exit_code, 0) << serve.output();
  EXPECT_THAT(serve.output(), HasSubstr("SIGTERM received: draining"));
  // The server's own count of successful answers equals the clients': no accepted request
  // was dropped on the way out.
  EXPECT_THAT(serve.output(), HasSubstr("stopped: answered " + std::to_string(ok_count.load()) +
                                        " inference requests OK and 0 with an error"));
  EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);
  int total = 0;
  for (const auto& [code, n] : codes) total += n;
  EXPECT_EQ(total, codes[grpc::StatusCode::OK] + codes[grpc::StatusCode::UNAVAILABLE] +
                       codes[grpc::StatusCode::CANCELLED]);
  EXPECT_EQ(codes[grpc::StatusCode::OK], ok_count.load());
  std::printf("client calls: %d OK, %d UNAVAILABLE, %d CANCELLED\n", codes[grpc::StatusCode::OK],
              codes[grpc::StatusCode::UNAVAILABLE], codes[grpc::StatusCode::CANCELLED]);
  fs::remove_all(root);
}

TEST(ServeProcessTest, TakenPortsAreReportedWithTheFlagToChange) {
  const std::string root = TempDir("serve_ports");
  WriteDigitsModel(root, "digits", kDigitsYaml);
  // Hold a port with an HTTP listener.
  httplib::Server holder;
  const int port = holder.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  const std::string taken = "127.0.0.1:" + std::to_string(port);
  // Explicit mode without models starts fast: no plans to build.
  auto r = RunCommand("serve --model-repository " + root +
                      " --model-control explicit --metrics-address off --grpc-address " + taken);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot listen for gRPC on " + taken));
  EXPECT_THAT(r.output, HasSubstr("--grpc-address"));
  r = RunCommand("serve --model-repository " + root +
                 " --model-control explicit --grpc-address 127.0.0.1:0 --metrics-address " + taken);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot listen for metrics on " + taken));
  EXPECT_THAT(r.output, HasSubstr("--metrics-address"));
  fs::remove_all(root);
}

TEST(ServeProcessTest, HelpAndFlagErrorsSayWhatToDo) {
  auto r = RunCommand("serve --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* flag :
       {"--model-repository", "--grpc-address", "--metrics-address", "--max-message-bytes",
        "--model-control", "--load-model", "--poll-interval-s", "Examples:", "127.0.0.1:8001"}) {
    EXPECT_THAT(r.output, HasSubstr(flag));
  }
  const std::string root = TempDir("serve_flags");
  r = RunCommand("serve --model-repository " + root + " --load-model digits");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--load-model needs --model-control explicit"));
  r = RunCommand("serve --model-repository " + root + " --grpc-address localhost");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--grpc-address 'localhost' must be HOST:PORT"));
  r = RunCommand("serve --model-repository " + root + "/missing");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("missing"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace trt::e2e
