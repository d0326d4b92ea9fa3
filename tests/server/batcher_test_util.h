// Shared fixtures of the batcher tests: the digits plan with three profiles, tiny models built
// in code (graph IR; server_test does not link the ONNX protobuf library), configs built as
// structs, and small thread helpers (a gate that blocks an instance from a response callback,
// a collector of responses).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/npy.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/model_loader.h"
#include "server/dynamic_batcher.h"
#include "server/infer_request.h"
#include "server/model_config.h"
#include "tests/testing/graph_test_util.h"

namespace trt::server::testing {

inline const std::string kSrc = TRTSERVE_SOURCE_DIR;

inline runtime::OptimizationProfile Profile(const std::string& spec) {
  auto p = runtime::ParseProfileSpec(spec);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

inline std::shared_ptr<const runtime::Plan> Build(std::shared_ptr<graph::Model> model,
                                                  std::vector<runtime::OptimizationProfile> ps) {
  runtime::BuildConfig cfg;
  cfg.profiles = std::move(ps);
  auto plan = runtime::BuildPlan(std::move(model), cfg);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? std::shared_ptr<const runtime::Plan>(*plan) : nullptr;
}

// digits with latency = 1, dynamic = 1..32 opt 4, offline = 64..128 opt 128 (built once).
inline std::shared_ptr<const runtime::Plan> DigitsPlan() {
  static std::shared_ptr<const runtime::Plan> plan = [] {
    auto m = runtime::LoadModel(kSrc + "/configs/model_repository/digits/1/model.onnx");
    EXPECT_TRUE(m.ok()) << m.status();
    return Build(
        *m, {Profile("latency:input=1x1x8x8"), Profile("dynamic:input=1x1x8x8..4x1x8x8..32x1x8x8"),
             Profile("offline:input=64x1x8x8..128x1x8x8..128x1x8x8")});
  }();
  return plan;
}

inline std::shared_ptr<ModelConfig> DigitsConfig(const runtime::Plan& plan) {
  auto c = std::make_shared<ModelConfig>();
  c->name = "digits";
  c->max_batch_size = 512;
  c->inputs = {TensorConfig{.name = "input", .dtype = DType::kFloat32, .dims = {1, 8, 8}}};
  c->outputs = {TensorConfig{.name = "logits", .dtype = DType::kFloat32, .dims = {10}},
                TensorConfig{.name = "probabilities", .dtype = DType::kFloat32, .dims = {10}}};
  c->profiles = plan.profiles();
  c->dynamic_batching.max_queue_delay_us = 0;
  c->warmup.iterations = 0;
  return c;
}

// `n` digits images (the 16 held-out ones, repeated), rows starting at image `first`.
inline Tensor Images(int64_t n, int64_t first = 0) {
  static Tensor all = [] {
    auto t = ReadNpy(kSrc + "/tests/data/digits/images.npy");
    EXPECT_TRUE(t.ok()) << t.status();
    return *t;
  }();
  Tensor t(DType::kFloat32, Shape{n, 1, 8, 8});
  for (int64_t r = 0; r < n; ++r) {
    std::memcpy(t.data<float>() + r * 64, all.data<float>() + ((first + r) % 16) * 64,
                64 * sizeof(float));
  }
  return t;
}

// Logits of each of the 16 images run alone (batch 1, latency profile): the reference that
// batched results must equal.
inline const std::vector<std::vector<float>>& AloneLogits() {
  static std::vector<std::vector<float>> ref = [] {
    std::vector<std::vector<float>> r;
    auto ctx = runtime::ExecutionContext::Create(DigitsPlan(), 0);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    for (int64_t i = 0; i < 16; ++i) {
      auto out = (*ctx)->Run({{"input", Images(1, i)}});
      EXPECT_TRUE(out.ok()) << out.status();
      const float* p = (*out)[0].second.data<float>();
      r.emplace_back(p, p + 10);
    }
    return r;
  }();
  return ref;
}

// An empty model named `name` (default opset 13) to add graph inputs and nodes to.
inline std::shared_ptr<graph::Model> NewModel(const std::string& name) {
  auto m = std::make_shared<graph::Model>();
  m->name = name;
  m->opsets[""] = 13;
  m->graph = std::make_shared<graph::Graph>();
  return m;
}

// Marks `outputs` as the graph outputs, sorts and prepares (verify + shape inference).
inline std::shared_ptr<graph::Model> Finish(std::shared_ptr<graph::Model> m,
                                            std::vector<graph::Value*> outputs) {
  for (graph::Value* v : outputs) {
    v->is_graph_output = true;
    m->graph->outputs().push_back(v);
  }
  EXPECT_TRUE(m->graph->Toposort().ok());
  Status s = runtime::PrepareModel(*m);
  EXPECT_TRUE(s.ok()) << s;
  return m;
}

inline std::shared_ptr<ModelConfig> TinyConfig(const std::string& name, const runtime::Plan& plan,
                                               TensorConfig input, TensorConfig output,
                                               int64_t max_batch_size) {
  auto c = std::make_shared<ModelConfig>();
  c->name = name;
  c->max_batch_size = max_batch_size;
  c->inputs = {std::move(input)};
  c->outputs = {std::move(output)};
  c->profiles = plan.profiles();
  c->dynamic_batching.max_queue_delay_us = 0;
  c->warmup.iterations = 0;
  return c;
}

// "double": y = x * 2 over [batch, seq] with seq dynamic (the pad_to_batch model), one
// profile "dyn": batch 1..32 (opt 4), seq 1..16 (opt 8).
inline std::shared_ptr<const runtime::Plan> DoublePlan() {
  auto m = NewModel("double");
  graph::Graph& g = *m->graph;
  graph::Value* x = trt::testing::Input(g, "x", DType::kFloat32,
                                        {graph::Dim::Symbol("batch"), graph::Dim::Symbol("seq")});
  graph::Value* two = trt::testing::Const(g, "two", Tensor::Scalar<float>(2.f));
  return Build(Finish(m, {trt::testing::Op(g, "Mul", {x, two}, "y")}),
               {Profile("dyn:x=1x1..4x8..32x16")});
}

inline std::shared_ptr<ModelConfig> DoubleConfig(const runtime::Plan& plan, bool pad) {
  return TinyConfig("double", plan,
                    TensorConfig{.name = "x",
                                 .dtype = DType::kFloat32,
                                 .dims = {-1},
                                 .pad_to_batch = pad,
                                 .pad_value = -1.0},
                    TensorConfig{.name = "y", .dtype = DType::kFloat32, .dims = {-1}}, 32);
}

// "gather": y = Gather(table[5, 2], idx[batch, 1]) -> [batch, 1, 2]; an index >= 5 is an
// engine error. One profile "p": batch 1..8 (opt 4).
inline std::shared_ptr<const runtime::Plan> GatherPlan() {
  auto m = NewModel("gather");
  graph::Graph& g = *m->graph;
  graph::Value* idx =
      trt::testing::Input(g, "idx", DType::kInt64, {graph::Dim::Symbol("batch"), 1});
  std::vector<float> table = {0, 1, 10, 11, 20, 21, 30, 31, 40, 41};
  graph::Value* t = trt::testing::Const(g, "table", Tensor::FromVector(table, Shape{5, 2}));
  return Build(Finish(m, {trt::testing::Op(g, "Gather", {t, idx}, "y")}),
               {Profile("p:idx=1x1..4x1..8x1")});
}

inline std::shared_ptr<ModelConfig> GatherConfig(const runtime::Plan& plan) {
  return TinyConfig("gather", plan,
                    TensorConfig{.name = "idx", .dtype = DType::kInt64, .dims = {1}},
                    TensorConfig{.name = "y", .dtype = DType::kFloat32, .dims = {1, 2}}, 8);
}

inline Tensor Index(int64_t i) { return Tensor::FromVector<int64_t>({i}, Shape{1, 1}); }

// Blocks whoever calls Wait() until Open().
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Collects responses (by request id, and in completion order).
class Collector {
 public:
  std::function<void(InferResponse&&)> Callback() {
    return [this](InferResponse&& r) {
      std::lock_guard<std::mutex> lock(mu_);
      order_.push_back(r.id);
      calls_[r.id] += 1;
      responses_[r.id] = std::move(r);
      cv_.notify_all();
    };
  }
  // Waits (generously) until `n` responses arrived; false on timeout.
  bool WaitFor(size_t n, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return order_.size() >= n; });
  }
  std::vector<std::string> order() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_;
  }
  InferResponse& at(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return responses_.at(id);
  }
  std::map<std::string, int> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> order_;
  std::map<std::string, int> calls_;
  std::map<std::string, InferResponse> responses_;
};

inline std::unique_ptr<InferRequest> Request(const std::string& id, runtime::NamedTensors inputs,
                                             std::function<void(InferResponse&&)> done,
                                             uint64_t priority = 0) {
  auto r = std::make_unique<InferRequest>();
  r->model_name = "test";
  r->id = id;
  r->inputs = std::move(inputs);
  r->priority = priority;
  r->on_complete = std::move(done);
  return r;
}

// A batcher for `config` and `plan` with fresh ModelStats (fails the test if Create fails).
struct Made {
  std::unique_ptr<DynamicBatcher> batcher;
  std::shared_ptr<ModelStats> stats;
};

inline Made Make(std::shared_ptr<ModelConfig> config, std::shared_ptr<const runtime::Plan> plan,
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

// Occupies an instance: the response callback of its request blocks until Release().
class Blocker {
 public:
  // Enqueues the blocking request and returns once an instance is stuck in its callback.
  void Occupy(DynamicBatcher& batcher, runtime::NamedTensors inputs) {
    auto request = Request("blocker", std::move(inputs), [this](InferResponse&&) {
      entered_.Open();
      release_.Wait();
    });
    ASSERT_TRUE(batcher.Enqueue(std::move(request)).ok());
    entered_.Wait();
  }
  void Release() { release_.Open(); }

 private:
  Gate entered_, release_;
};

// Rows [from_row, from_row + rows) of `logits` ([n, 10]; rows = -1: to the end) equal the
// logits of images first_image, first_image + 1, ... run alone. Bitwise: every kernel
// computes a row with the same operations whatever the batch size.
inline void ExpectRowsEqualAlone(const Tensor& logits, int64_t first_image, int64_t from_row = 0,
                                 int64_t rows = -1) {
  ASSERT_EQ(logits.rank(), 2);
  ASSERT_EQ(logits.shape()[1], 10);
  if (rows < 0) rows = logits.shape()[0] - from_row;
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<float>& want = AloneLogits()[(first_image + r) % 16];
    for (int k = 0; k < 10; ++k) {
      ASSERT_EQ(logits.data<float>()[(from_row + r) * 10 + k], want[k])
          << "row " << from_row + r << " class " << k;
    }
  }
}

}  // namespace trt::server::testing
