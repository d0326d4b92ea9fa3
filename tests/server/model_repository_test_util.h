// Test support for the model repository tests: a temp repository with tiny ONNX models
// built in code, and a small scheduler (FakeBatcher) so the tests do not depend on the real
// dynamic batcher's timing.
//
// The test model: y = x + c, x and y float32 [batch, 4], c = 4 copies of a chosen value, so
// an output tells which model file (and version) answered.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/runtime/execution_context.h"
#include "engine/runtime/profile.h"
#include "server/model_repository.h"
#include "tests/server/batcher_test_util.h"
#include "tests/testing/onnx_builder.h"

namespace trt::server::repository_testing {

namespace fs = std::filesystem;
// Blocks the fake batcher's worker before each request until opened (batcher tests' Gate).
using Gate = testing::Gate;

inline void WriteFile(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << file;
}

// The bytes of the y = x + c model.
inline std::string AddModelBytes(float c) {
  trt::testing::OnnxBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {"batch", 4});
  b.FloatInitializer("c", {4}, {c, c, c, c});
  b.Node("Add", {"x", "c"}, {"y"}, "add");
  b.Output("y", onnx::TensorProto::FLOAT, {"batch", 4});
  return b.Serialize();
}

inline std::string BasicConfig(const std::string& version_policy = "{latest: 1}") {
  return "max_batch_size: 8\nversion_policy: " + version_policy + "\n";
}

// Runs queued requests one at a time on a worker thread, on the execution context of the
// profile runtime::SelectProfile picks; Drain answers everything queued, then joins.
class FakeBatcher final : public DynamicBatcher {
 public:
  static StatusOr<std::unique_ptr<DynamicBatcher>> Create(std::shared_ptr<const runtime::Plan> plan,
                                                          std::shared_ptr<Gate> gate) {
    auto b = std::unique_ptr<FakeBatcher>(new FakeBatcher());
    b->plan_ = plan;
    b->gate_ = std::move(gate);
    for (size_t i = 0; i < plan->profiles().size(); ++i) {
      TRT_ASSIGN_OR_RETURN(auto ctx, runtime::ExecutionContext::Create(plan, static_cast<int>(i)));
      b->contexts_.push_back(std::move(ctx));
    }
    b->worker_ = std::thread([p = b.get()] { p->Loop(); });
    return std::unique_ptr<DynamicBatcher>(std::move(b));
  }
  ~FakeBatcher() override { Drain(); }

  Status Enqueue(std::unique_ptr<InferRequest> request) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (draining_) return Unavailable("fake batcher is draining");
    queue_.push_back(std::move(request));
    cv_.notify_all();
    return Status::Ok();
  }
  void Drain() override {
    std::lock_guard<std::mutex> serial(drain_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      draining_ = true;
      cv_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
  }
  int64_t queue_depth() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(queue_.size());
  }

 private:
  FakeBatcher() = default;

  void Loop() {
    for (;;) {
      std::unique_ptr<InferRequest> request;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return draining_ || !queue_.empty(); });
        if (queue_.empty()) return;
        request = std::move(queue_.front());
        queue_.pop_front();
      }
      gate_->Wait();
      Execute(std::move(request));
    }
  }

  void Execute(std::unique_ptr<InferRequest> request) {
    InferResponse response;
    response.model_name = request->model_name;
    response.model_version = request->model_version;
    response.id = request->id;
    std::vector<std::pair<std::string, Shape>> shapes;
    for (const auto& [name, t] : request->inputs) shapes.emplace_back(name, t.shape());
    auto profile = runtime::SelectProfile(plan_->profiles(), shapes);
    runtime::NamedTensors outputs;
    response.status =
        profile.ok() ? contexts_[*profile]->Run(request->inputs, &outputs) : profile.status();
    for (const auto& [name, t] : outputs) response.outputs.emplace_back(name, t.Clone());
    request->on_complete(std::move(response));
  }

  std::shared_ptr<const runtime::Plan> plan_;
  std::shared_ptr<Gate> gate_;
  std::vector<std::unique_ptr<runtime::ExecutionContext>> contexts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<InferRequest>> queue_;
  bool draining_ = false;
  std::mutex drain_mu_;
  std::thread worker_;
};

// What one inference returned.
struct InferResult {
  Status status;
  int64_t version = 0;
  float y0 = 0;  // first output element (= c for x = 0)
};

// Enqueues one request whose on_complete is `done`; an Enqueue error is passed to `done`
// at once as the response status.
inline void Submit(ServedModel& model, runtime::NamedTensors inputs,
                   std::function<void(InferResponse&&)> done) {
  auto request = std::make_unique<InferRequest>();
  request->model_name = model.name();
  request->inputs = std::move(inputs);
  request->on_complete = done;
  Status s = model.Enqueue(std::move(request));
  if (!s.ok()) {
    InferResponse failed;
    failed.status = s;
    done(std::move(failed));
  }
}

inline std::future<InferResponse> Submit(ServedModel& model, runtime::NamedTensors inputs) {
  auto promise = std::make_shared<std::promise<InferResponse>>();
  auto future = promise->get_future();
  Submit(model, std::move(inputs),
         [promise](InferResponse&& r) { promise->set_value(std::move(r)); });
  return future;
}

// Runs x = zeros[1, 4] through the y = x + c model.
inline std::future<InferResult> InferAsync(ServedModel& model) {
  auto promise = std::make_shared<std::promise<InferResult>>();
  auto future = promise->get_future();
  runtime::NamedTensors inputs;
  inputs.emplace_back("x", Tensor::FromVector<float>({0, 0, 0, 0}, Shape{1, 4}));
  Submit(model, std::move(inputs), [promise](InferResponse&& r) {
    InferResult out{r.status, r.model_version};
    if (r.status.ok() && !r.outputs.empty()) out.y0 = r.outputs[0].second.data<float>()[0];
    promise->set_value(out);
  });
  return future;
}

inline InferResult Infer(ServedModel& model) { return InferAsync(model).get(); }

// Polls `done` every 20 ms until it holds or `seconds` pass (generous: the machine is noisy).
inline bool WaitUntil(const std::function<bool()>& done, int seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A fresh temp folder per test, removed afterwards.
class TempRepository {
 public:
  explicit TempRepository(const std::string& tag) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ =
        fs::temp_directory_path() / ("trtserve_repo_" + std::to_string(::getpid()) + "_" + tag +
                                     "_" + (info ? std::string(info->name()) : std::string("x")));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~TempRepository() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& root() const { return root_; }

  void AddVersion(const std::string& model, int64_t version, float c) const {
    WriteFile(root_ / model / std::to_string(version) / "model.onnx", AddModelBytes(c));
  }
  void SetConfig(const std::string& model, const std::string& yaml) const {
    WriteFile(root_ / model / "config.yaml", yaml);
  }
  // A model with config + one version per value (versions 1..n).
  void AddModel(const std::string& model, const std::vector<float>& values,
                const std::string& policy = "{latest: 1}") const {
    SetConfig(model, BasicConfig(policy));
    for (size_t i = 0; i < values.size(); ++i) AddVersion(model, i + 1, values[i]);
  }

 private:
  fs::path root_;
};

// Base fixture: a temp repository, a gate shared by every FakeBatcher it creates, and
// options wired to the fake batcher.
class RepositoryTest : public ::testing::Test {
 protected:
  RepositoryOptions Options(int poll_interval_s = 0) {
    RepositoryOptions o;
    o.root = repo_.root();
    o.poll_interval_s = poll_interval_s;
    o.batcher_factory = [gate = gate_](std::shared_ptr<const ModelConfig>,
                                       std::shared_ptr<const runtime::Plan> plan, int64_t,
                                       std::shared_ptr<ModelStats>) {
      return FakeBatcher::Create(std::move(plan), gate);
    };
    return o;
  }
  std::unique_ptr<ModelRepository> Open(RepositoryOptions o) {
    auto repo = ModelRepository::Open(std::move(o));
    EXPECT_TRUE(repo.ok()) << repo.status();
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  std::unique_ptr<ModelRepository> Open() { return Open(Options()); }

  // y0 of one inference on `version` ("" = latest): -1 when the model cannot be found, -2
  // when the inference fails.
  static float Output(const ModelRepository& repo, const std::string& model,
                      const std::string& version = "") {
    auto found = repo.Find(model, version);
    if (!found.ok()) return -1.0f;
    InferResult r = Infer(**found);
    EXPECT_TRUE(r.status.ok()) << r.status;
    return r.status.ok() ? r.y0 : -2.0f;
  }

  // Opens `gate` after a short delay, from another thread (so a blocking call can drain).
  static std::thread OpenLater(std::shared_ptr<Gate> gate) {
    return std::thread([gate] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      gate->Open();
    });
  }
  static std::shared_ptr<Gate> OpenGate() {
    auto gate = std::make_shared<Gate>();
    gate->Open();
    return gate;
  }

  TempRepository repo_{"repo"};
  // Open by default; a test that needs queued requests replaces it with a closed Gate before
  // calling Options()/Open().
  std::shared_ptr<Gate> gate_ = OpenGate();
};

}  // namespace trt::server::repository_testing
