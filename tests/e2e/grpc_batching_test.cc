// End-to-end scheduling behaviour over real gRPC: dynamic batching (batched outputs equal
// unbatched ones, concurrent clients form large batches), splitting of requests larger than
// every profile, priorities, the queue cap and queue timeouts.
//
// Priority, cap and timeout tests occupy the single instance with a large "blocker" request
// (priority 1, sent first on a stream, so it always runs first) and queue small requests
// behind it. Whether the small requests arrived while the blocker was still running is
// checked from the server's own observations (queue depth, or the order in which answers were
// written), never assumed from timing; when the blocker was too fast the attempt is repeated
// with a bigger blocker.
#include <gmock/gmock.h>

#include <atomic>
#include <map>
#include <thread>

#include "tests/e2e/server_test_util.h"

namespace trt::e2e {
namespace {

using ::testing::HasSubstr;

class GrpcBatchingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TempDir("grpc_batching_" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }
  void Serve() {
    server::RepositoryOptions repo;
    repo.root = root_;
    auto s = InProcessServer::Start(repo);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
  }
  inference::GRPCInferenceService::Stub& stub() { return server_->stub(); }

  std::string root_;
  std::unique_ptr<InProcessServer> server_;
};

// Runs `per_client` sequential single-row requests from each of `clients` threads and returns
// each request's logits by image index (row i of request r of client c uses image c + r).
std::map<std::pair<int, int>, Tensor> RunClients(inference::GRPCInferenceService::Stub& stub,
                                                 const std::string& model, int clients,
                                                 int per_client) {
  std::mutex mu;
  std::map<std::pair<int, int>, Tensor> out;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int r = 0; r < per_client; ++r) {
        inference::ModelInferResponse resp;
        grpc::Status s = Infer(stub, DigitsRequest(model, c + r, 1), &resp);
        EXPECT_TRUE(s.ok()) << s.error_message();
        if (!s.ok()) continue;
        Tensor logits = OutputNamed(resp, "logits");
        std::lock_guard<std::mutex> lock(mu);
        out[{c, r}] = logits;
      }
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

TEST_F(GrpcBatchingTest, BatchedOutputsEqualTheSameRequestsSentAlone) {
  WriteDigitsModel(root_, "batched",
                   DigitsYaml("{preferred_batch_sizes: [16], max_queue_delay_us: 200000}"));
  WriteDigitsModel(root_, "alone", DigitsYaml("{max_queue_delay_us: 0}"));
  Serve();
  auto batched = RunClients(stub(), "batched", 16, 1);
  ASSERT_EQ(batched.size(), 16u);
  server::ModelStatsSnapshot st = server_->Stats("batched");
  EXPECT_LT(st.execution_count, 16u) << "some requests must have shared a batch";
  for (const auto& [key, logits] : batched) {
    inference::ModelInferResponse resp;
    ASSERT_TRUE(Infer(stub(), DigitsRequest("alone", key.first, 1), &resp).ok());
    EXPECT_EQ(testing::CompareTensors(logits, OutputNamed(resp, "logits"), {1e-5, 1e-6}), "")
        << "image " << key.first;
    EXPECT_EQ(testing::CompareTensors(logits, Logits(key.first, 1), {1e-4, 1e-4}), "");
  }
  EXPECT_EQ(server_->Stats("alone").execution_count, 16u);
}

TEST_F(GrpcBatchingTest, SixteenConcurrentClientsFormLargeBatches) {
  WriteDigitsModel(root_, "digits",
                   DigitsYaml("{preferred_batch_sizes: [16], max_queue_delay_us: 20000}"));
  Serve();
  auto outs = RunClients(stub(), "digits", 16, 12);
  ASSERT_EQ(outs.size(), 16u * 12u);
  grpc::ClientContext ctx;
  inference::ModelStatisticsRequest req;
  req.set_name("digits");
  inference::ModelStatisticsResponse stats;
  ASSERT_TRUE(stub().ModelStatistics(&ctx, req, &stats).ok());
  ASSERT_EQ(stats.model_stats_size(), 1);
  const auto& s = stats.model_stats(0);
  EXPECT_EQ(s.inference_count(), 16u * 12u);
  ASSERT_GT(s.execution_count(), 0u);
  const double mean_batch =
      static_cast<double>(s.inference_count()) / static_cast<double>(s.execution_count());
  EXPECT_GT(mean_batch, 4.0) << s.execution_count() << " executions";
  uint64_t executions = 0;
  for (const auto& b : s.batch_stats()) executions += b.compute_infer().count();
  EXPECT_EQ(executions, s.execution_count());
}

TEST_F(GrpcBatchingTest, RequestLargerThanEveryProfileIsSplitAndAnsweredInOrder) {
  WriteDigitsModel(
      root_, "digits",
      "max_batch_size: 64\n"
      "profiles:\n"
      "  - name: small\n"
      "    shapes: {input: {min: [1, 1, 8, 8], opt: [4, 1, 8, 8], max: [8, 1, 8, 8]}}\n"
      "dynamic_batching: {max_queue_delay_us: 0}\n"
      "warmup: {iterations: 0}\n");
  Serve();
  inference::ModelInferResponse resp;
  grpc::Status s = Infer(stub(), DigitsRequest("digits", 3, 20, "big"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.id(), "big");
  EXPECT_EQ(testing::CompareTensors(OutputNamed(resp, "logits"), Logits(3, 20), {1e-4, 1e-4}), "");
  server::ModelStatsSnapshot st = server_->Stats("digits");
  EXPECT_GE(st.execution_count, 3u);  // 20 rows need at least 8 + 8 + 4
  EXPECT_EQ(st.inference_count, 20u);
  EXPECT_EQ(st.success.count, 1u);  // one request, one answer
}

// One instance, every batch = one request (preferred size 1), two priority levels.
std::string BlockerYaml(const std::string& extra_batching) {
  return "max_batch_size: 4096\n"
         "profiles:\n"
         "  - name: all\n"
         "    shapes: {input: {min: [1, 1, 8, 8], opt: [1, 1, 8, 8], max: [4096, 1, 8, 8]}}\n"
         "dynamic_batching: {preferred_batch_sizes: [1], max_queue_delay_us: 0, "
         "priority_levels: 2, default_priority_level: 2" +
         extra_batching +
         "}\n"
         "instance_count: 1\n"
         "warmup: {iterations: 0}\n";
}

constexpr int kBlockerRows[] = {1024, 4096, 4096, 4096};

// The stream: blocker "B" (priority 1) first, then `smalls`.
std::vector<inference::ModelInferRequest> WithBlocker(
    int rows, std::vector<inference::ModelInferRequest> smalls) {
  std::vector<inference::ModelInferRequest> all{DigitsRequest("digits", 0, rows, "B", 1)};
  for (auto& r : smalls) all.push_back(std::move(r));
  return all;
}

std::vector<std::string> Ids(const StreamResult& r) {
  std::vector<std::string> ids;
  for (const auto& resp : r.responses) ids.push_back(resp.infer_response().id());
  return ids;
}

TEST_F(GrpcBatchingTest, HigherPriorityRequestsOvertakeQueuedLowerPriorityOnes) {
  WriteDigitsModel(root_, "digits", BlockerYaml(""));
  Serve();
  for (int rows : kBlockerRows) {
    std::vector<inference::ModelInferRequest> smalls;
    for (int i = 1; i <= 4; ++i)
      smalls.push_back(DigitsRequest("digits", i, 1, "L" + std::to_string(i), 2));
    for (int i = 1; i <= 4; ++i)
      smalls.push_back(DigitsRequest("digits", i, 1, "H" + std::to_string(i), 1));
    smalls.push_back(DigitsRequest("digits", 5, 1, "Z", 2));
    const uint64_t executions_before = server_->Stats("digits").execution_count;
    bool proven = false;
    StreamResult r = RunStream(stub(), WithBlocker(rows, smalls), [&] {
      // 9 of the 10 requests queued at once: the missing one is either Z (not read yet) or B
      // (running). Either way every L and H was queued before any small request was picked,
      // because B (priority 1, first to arrive) is always picked first.
      for (int i = 0; i < 30000; ++i) {
        server::ModelStatsSnapshot st = server_->Stats("digits");
        if (st.queue_depth == 9) {
          proven = true;
          return;
        }
        if (st.execution_count > executions_before + 1) return;  // some small one already ran
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    ASSERT_EQ(r.responses.size(), 10u);
    for (const auto& resp : r.responses) ASSERT_EQ(resp.error_message(), "");
    if (!proven) continue;  // the blocker was too fast: try a bigger one
    EXPECT_EQ(Ids(r),
              (std::vector<std::string>{"B", "H1", "H2", "H3", "H4", "L1", "L2", "L3", "L4", "Z"}));
    return;
  }
  FAIL() << "the blocker never outlasted the small requests' arrival";
}

TEST_F(GrpcBatchingTest, FullQueueAnswersUnavailableAndAcceptedRequestsStillComplete) {
  WriteDigitsModel(root_, "digits", BlockerYaml(", max_queue_size: 4"));
  Serve();
  for (int rows : kBlockerRows) {
    std::vector<inference::ModelInferRequest> smalls;
    for (int i = 1; i <= 8; ++i)
      smalls.push_back(DigitsRequest("digits", i, 1, "S" + std::to_string(i), 2));
    StreamResult r = RunStream(stub(), WithBlocker(rows, smalls));
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    ASSERT_EQ(r.responses.size(), 9u);
    std::vector<std::string> ids = Ids(r);
    const int before_blocker = std::find(ids.begin(), ids.end(), "B") - ids.begin();
    // Refusals are written at once, answers only after the blocker: 4 (or 5, when the blocker
    // itself still held a queue slot) refusals before B mean the queue was full while it ran.
    if (before_blocker < 4) continue;
    ASSERT_LE(before_blocker, 5);
    const int accepted = 8 - before_blocker;
    for (int k = 0; k < 9; ++k) {
      const auto& resp = r.responses[k];
      if (k < before_blocker) {
        EXPECT_EQ(resp.infer_response().id(), "S" + std::to_string(accepted + 1 + k));
        EXPECT_THAT(resp.error_message(), HasSubstr("UNAVAILABLE"));
        EXPECT_THAT(resp.error_message(), HasSubstr("digits"));
      } else {
        EXPECT_EQ(resp.error_message(), "") << resp.infer_response().id();
      }
    }
    EXPECT_EQ(ids.back(), "S" + std::to_string(accepted));
    return;
  }
  FAIL() << "the blocker never outlasted the queue filling up";
}

TEST_F(GrpcBatchingTest, QueueTimeoutsAnswerDeadlineExceeded) {
  // Level 2 times out after 1 ms; requests may override it with their own `timeout`.
  WriteDigitsModel(root_, "digits",
                   BlockerYaml(", priority_queue_policy: {2: {timeout_us: 1000, "
                               "allow_timeout_override: true}}"));
  Serve();
  for (int rows : kBlockerRows) {
    std::vector<inference::ModelInferRequest> smalls;
    for (int i = 1; i <= 3; ++i)
      smalls.push_back(DigitsRequest("digits", i, 1, "T" + std::to_string(i), 2));
    inference::ModelInferRequest own = DigitsRequest("digits", 4, 1, "own-timeout", 2);
    (*own.mutable_parameters())["timeout"].set_uint64_param(2000);
    smalls.push_back(own);
    const uint64_t timeouts_before = server_->Stats("digits").failures["timeout"];
    StreamResult r = RunStream(stub(), WithBlocker(rows, smalls));
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    ASSERT_EQ(r.responses.size(), 5u);
    // Answered before the blocker finished: they can only have expired in the queue.
    if (Ids(r).back() != "B") continue;
    for (int k = 0; k < 4; ++k) {
      EXPECT_THAT(r.responses[k].error_message(), HasSubstr("DEADLINE_EXCEEDED"))
          << r.responses[k].infer_response().id();
    }
    EXPECT_EQ(r.responses[4].error_message(), "");
    EXPECT_EQ(server_->Stats("digits").failures["timeout"] - timeouts_before, 4u);
    return;
  }
  FAIL() << "the blocker never outlasted the queue timeouts";
}

}  // namespace
}  // namespace trt::e2e
