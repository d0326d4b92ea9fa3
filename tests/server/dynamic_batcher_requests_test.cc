// DynamicBatcher on what requests and models can get wrong, end to end: request
// validation, padding and shape keys, engine errors (whole batch, piece of a split request),
// unbatched models, Create-time checks, warmup and misbehaving response callbacks.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "server/dynamic_batcher.h"
#include "tests/server/batcher_test_util.h"

namespace trt::server {
namespace {

using namespace testing;  // NOLINT(build/namespaces): the fixtures of batcher_test_util.h

TEST(DynamicBatcherTest, PadToBatchTrimsOutputsToEachRequest) {
  auto plan = DoublePlan();
  ASSERT_NE(plan, nullptr);
  auto config = DoubleConfig(*plan, /*pad=*/true);
  config->dynamic_batching.preferred_batch_sizes = {4};
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"x", Tensor(DType::kFloat32, Shape{1, 2})}});
  Collector c;
  const std::vector<Shape> shapes = {{1, 3}, {2, 5}, {1, 8}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    Tensor x(DType::kFloat32, shapes[i]);
    for (int64_t e = 0; e < x.NumElements(); ++e) x.data<float>()[e] = 100.f * i + e;
    ASSERT_TRUE(m.batcher->Enqueue(Request(std::to_string(i), {{"x", x}}, c.Callback())).ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(3));
  for (size_t i = 0; i < shapes.size(); ++i) {
    InferResponse& r = c.at(std::to_string(i));
    ASSERT_TRUE(r.status.ok()) << r.status;
    const Tensor& y = r.outputs[0].second;
    ASSERT_EQ(y.shape(), shapes[i]);
    for (int64_t e = 0; e < y.NumElements(); ++e) {
      EXPECT_EQ(y.data<float>()[e], 2.f * (100.f * i + e)) << i << " element " << e;
    }
  }
  Status outside = m.batcher->Enqueue(
      Request("wide", {{"x", Tensor(DType::kFloat32, Shape{1, 20})}}, c.Callback()));
  EXPECT_EQ(outside.message(),
            "model 'double': input 'x' dim 1 is 20, outside every profile: dyn [1, 16]");
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 2u);  // the blocker, then all three padded to [4, 8]
  EXPECT_EQ(s.profiles[0].total_elements, 2u + 32u);
  EXPECT_EQ(s.profiles[0].padding_elements, 32u - (3 + 10 + 8));
}

TEST(DynamicBatcherTest, DifferentShapesWithoutPaddingAreNotBatchedTogether) {
  auto plan = DoublePlan();
  ASSERT_NE(plan, nullptr);
  auto config = DoubleConfig(*plan, /*pad=*/false);
  config->dynamic_batching.preferred_batch_sizes = {4};
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"x", Tensor(DType::kFloat32, Shape{1, 2})}});
  Collector c;
  int n = 0;
  for (int64_t seq : {3, 5, 3, 5}) {
    ASSERT_TRUE(
        m.batcher
            ->Enqueue(Request(std::to_string(n++) + "_" + std::to_string(seq),
                              {{"x", Tensor(DType::kFloat32, Shape{1, seq})}}, c.Callback()))
            .ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(4));
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);  // blocker, the two seq=3, the two seq=5
  EXPECT_EQ(s.batch_stats[2].count, 2u);
  EXPECT_EQ(s.profiles[0].padding_elements, 0u);
}

TEST(DynamicBatcherTest, EngineErrorFailsEveryRequestOfTheBatchCleanly) {
  auto plan = GatherPlan();
  ASSERT_NE(plan, nullptr);
  auto config = GatherConfig(*plan);
  config->dynamic_batching.preferred_batch_sizes = {3};
  config->warmup.iterations = 1;
  config->warmup.data = WarmupConfig::Data::kRandom;
  Made m = Make(config, plan);
  Blocker blocker;
  blocker.Occupy(*m.batcher, {{"idx", Index(0)}});
  Collector c;
  for (auto [id, index] :
       std::vector<std::pair<std::string, int64_t>>{{"good1", 1}, {"bad", 7}, {"good2", 2}}) {
    ASSERT_TRUE(m.batcher->Enqueue(Request(id, {{"idx", Index(index)}}, c.Callback())).ok());
  }
  blocker.Release();
  ASSERT_TRUE(c.WaitFor(3));
  for (const char* id : {"good1", "bad", "good2"}) {
    const Status& s = c.at(id).status;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(s.message().rfind("model 'gather', profile 'p', batch of 3: ", 0), 0u) << s;
    EXPECT_NE(s.message().find("index 7 out of range"), std::string::npos) << s;
    EXPECT_TRUE(c.at(id).outputs.empty());
  }
  // The instance is healthy afterwards.
  ASSERT_TRUE(m.batcher->Enqueue(Request("after", {{"idx", Index(2)}}, c.Callback())).ok());
  ASSERT_TRUE(c.WaitFor(4));
  ASSERT_TRUE(c.at("after").status.ok()) << c.at("after").status;
  const Tensor& y = c.at("after").outputs[0].second;
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(y.data<float>()[0], 20.f);
  EXPECT_EQ(y.data<float>()[1], 21.f);
  m.batcher->Drain();
  EXPECT_EQ(m.stats->Snapshot().failures["invalid_argument"], 3u);
}

TEST(DynamicBatcherTest, AFailedPieceFailsItsSplitRequestWithOneResponse) {
  auto plan = GatherPlan();
  ASSERT_NE(plan, nullptr);
  auto config = GatherConfig(*plan);
  config->max_batch_size = 16;  // the profile runs at most 8: 12 rows are split 8 + 4
  Made m = Make(config, plan);
  Tensor idx(DType::kInt64, Shape{12, 1});
  for (int64_t r = 0; r < 12; ++r) idx.data<int64_t>()[r] = r == 10 ? 7 : r % 5;
  Collector c;
  ASSERT_TRUE(m.batcher->Enqueue(Request("split", {{"idx", idx}}, c.Callback())).ok());
  ASSERT_TRUE(c.WaitFor(1));
  m.batcher->Drain();
  EXPECT_EQ(c.calls().at("split"), 1);
  const Status& s = c.at("split").status;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("model 'gather', profile 'p', batch of 4: ", 0), 0u) << s;
  EXPECT_TRUE(c.at("split").outputs.empty());
  ModelStatsSnapshot stats = m.stats->Snapshot();
  EXPECT_EQ(stats.failures["invalid_argument"], 1u);
  EXPECT_EQ(stats.success.count, 0u);
}

TEST(DynamicBatcherTest, UnbatchedModelRunsEachRequestAloneOnItsBestProfile) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->max_batch_size = 0;
  config->inputs[0].dims = {-1, 1, 8, 8};
  config->outputs[0].dims = {-1, 10};
  config->outputs[1].dims = {-1, 10};
  Made m = Make(config, plan);
  Collector c;
  for (int64_t rows : {1, 3, 100}) {
    ASSERT_TRUE(
        m.batcher
            ->Enqueue(Request(std::to_string(rows), {{"input", Images(rows, 2)}}, c.Callback()))
            .ok());
  }
  ASSERT_TRUE(c.WaitFor(3));
  for (int64_t rows : {1, 3, 100}) {
    InferResponse& r = c.at(std::to_string(rows));
    ASSERT_TRUE(r.status.ok()) << r.status;
    ExpectRowsEqualAlone(r.outputs[0].second, 2);
  }
  Status gap = m.batcher->Enqueue(Request("gap", {{"input", Images(40)}}, c.Callback()));
  EXPECT_EQ(gap.message(),
            "model 'digits': input 'input' dim 0 is 40, outside every profile: latency [1, 1], "
            "dynamic [1, 32], offline [64, 128]");
  m.batcher->Drain();
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.execution_count, 3u);
  EXPECT_EQ(s.profiles[0].executions, 1u);
  EXPECT_EQ(s.profiles[1].executions, 1u);
  EXPECT_EQ(s.profiles[2].executions, 1u);
}

TEST(DynamicBatcherTest, InvalidRequestsAreRefusedWithClearErrors) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  Collector c;
  auto error = [&](runtime::NamedTensors in, std::vector<std::string> outputs = {}) {
    auto r = Request("bad", std::move(in), c.Callback());
    r->requested_outputs = std::move(outputs);
    Status s = m.batcher->Enqueue(std::move(r));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    return s.message();
  };
  EXPECT_EQ(error({}), "model 'digits': missing input 'input' (expected FP32 [-1, 1, 8, 8])");
  EXPECT_EQ(error({{"input", Images(1)}, {"extra", Images(1)}}),
            "model 'digits': unexpected input 'extra'; the model's inputs are: input");
  EXPECT_EQ(error({{"input", Images(1)}, {"input", Images(1)}}),
            "model 'digits': input 'input' given twice");
  EXPECT_EQ(error({{"input", Tensor(DType::kInt32, Shape{1, 1, 8, 8})}}),
            "model 'digits': input 'input' has datatype INT32 (int32), expected FP32 (float32)");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{1, 8, 8})}}),
            "model 'digits': input 'input' has shape [1, 8, 8] (rank 3), expected rank 4 "
            "[-1, 1, 8, 8] (batch dim first)");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{1, 1, 8, 9})}}),
            "model 'digits': input 'input' has shape [1, 1, 8, 9], expected [-1, 1, 8, 8] (dim 3 "
            "must be 8)");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{600, 1, 8, 8})}}),
            "model 'digits': batch 600 (input 'input' shape [600, 1, 8, 8]) is larger than "
            "max_batch_size 512; send smaller requests or raise max_batch_size");
  EXPECT_EQ(error({{"input", Tensor(DType::kFloat32, Shape{0, 1, 8, 8})}}),
            "model 'digits': input 'input' has shape [0, 1, 8, 8], an empty batch; send at least "
            "one row");
  EXPECT_EQ(error({{"input", Tensor()}}),
            "model 'digits': input 'input' has no data (expected FP32 [-1, 1, 8, 8])");
  EXPECT_EQ(error({{"input", Images(1)}}, {"logits", "nope"}),
            "model 'digits': unknown output 'nope' requested; the model's outputs are: logits, "
            "probabilities");
  EXPECT_EQ(error({{"input", Images(1)}}, {"logits", "logits"}),
            "model 'digits': output 'logits' requested twice");
  auto no_callback = Request("x", {{"input", Images(1)}}, nullptr);
  EXPECT_EQ(m.batcher->Enqueue(std::move(no_callback)).code(), StatusCode::kInvalidArgument);
  // A valid request asking for one output gets exactly that output.
  auto one = Request("one", {{"input", Images(2)}}, c.Callback());
  one->requested_outputs = {"probabilities"};
  ASSERT_TRUE(m.batcher->Enqueue(std::move(one)).ok());
  ASSERT_TRUE(c.WaitFor(1));
  ASSERT_EQ(c.at("one").outputs.size(), 1u);
  EXPECT_EQ(c.at("one").outputs[0].first, "probabilities");
  m.batcher->Drain();
  EXPECT_EQ(c.size(), 1u);  // refused requests get no callback
  ModelStatsSnapshot s = m.stats->Snapshot();
  EXPECT_EQ(s.failures["invalid_argument"], 12u);
  EXPECT_EQ(s.requests, 13u);
}

TEST(DynamicBatcherTest, InputsMustAgreeOnTheBatchDim) {
  auto model = NewModel("add");
  graph::Graph& g = *model->graph;
  auto* a = trt::testing::Input(g, "a", DType::kFloat32, {graph::Dim::Symbol("batch"), 4});
  auto* b = trt::testing::Input(g, "b", DType::kFloat32, {graph::Dim::Symbol("batch"), 4});
  auto plan = Build(Finish(model, {trt::testing::Op(g, "Add", {a, b}, "y")}),
                    {Profile("p:a=1x4..8x4,b=1x4..8x4")});
  ASSERT_NE(plan, nullptr);
  auto config =
      TinyConfig("add", *plan, TensorConfig{.name = "a", .dtype = DType::kFloat32, .dims = {4}},
                 TensorConfig{.name = "y", .dtype = DType::kFloat32, .dims = {4}}, 8);
  config->inputs.push_back(TensorConfig{.name = "b", .dtype = DType::kFloat32, .dims = {4}});
  Made m = Make(config, plan);
  Collector c;
  Status s = m.batcher->Enqueue(Request(
      "x",
      {{"a", Tensor(DType::kFloat32, Shape{2, 4})}, {"b", Tensor(DType::kFloat32, Shape{3, 4})}},
      c.Callback()));
  EXPECT_EQ(s.message(),
            "model 'add': inputs disagree on the batch dim: 'a' has 2 rows, 'b' has 3");
  ASSERT_TRUE(
      m.batcher
          ->Enqueue(Request("ok",
                            {{"b", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{1, 4})},
                             {"a", Tensor::FromVector<float>({10, 20, 30, 40}, Shape{1, 4})}},
                            c.Callback()))
          .ok());
  ASSERT_TRUE(c.WaitFor(1));
  ASSERT_TRUE(c.at("ok").status.ok()) << c.at("ok").status;
  EXPECT_EQ(c.at("ok").outputs[0].second.data<float>()[3], 44.f);
}

TEST(DynamicBatcherTest, CreateRefusesAConfigWhoseProfilesDifferFromThePlan) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->profiles.pop_back();
  auto b = DynamicBatcher::Create(config, plan, 1, nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "model 'digits': the config's profiles differ from the plan's (latency, dynamic, "
            "offline); rebuild the plan or list the same profiles");
}

TEST(DynamicBatcherTest, WarmupRunsEveryProfileAtCreate) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->instance_count = 2;
  config->warmup.iterations = 2;
  config->warmup.data = WarmupConfig::Data::kRandom;
  Made m = Make(config, plan);
  ASSERT_NE(m.batcher, nullptr);
  EXPECT_EQ(m.stats->Snapshot().execution_count, 0u);  // warmup is not traffic
}

TEST(DynamicBatcherTest, AThrowingCallbackDoesNotStopTheBatcher) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  std::atomic<int> thrown{0};
  ASSERT_TRUE(m.batcher
                  ->Enqueue(Request("throws", {{"input", Images(1)}},
                                    [&](InferResponse&&) {
                                      thrown.fetch_add(1);
                                      throw std::runtime_error("client bug");
                                    }))
                  .ok());
  Collector c;
  ASSERT_TRUE(m.batcher->Enqueue(Request("next", {{"input", Images(1)}}, c.Callback())).ok());
  ASSERT_TRUE(c.WaitFor(1));
  EXPECT_TRUE(c.at("next").status.ok());
  m.batcher->Drain();
  EXPECT_EQ(thrown.load(), 1);
}

TEST(DynamicBatcherTest, DestroyingTheBatcherFromAResponseCallbackIsSafe) {
  auto plan = DigitsPlan();
  Made m = Make(DigitsConfig(*plan), plan);
  Gate done;
  std::unique_ptr<DynamicBatcher> holder = std::move(m.batcher);
  DynamicBatcher* raw = holder.get();
  Status status;
  ASSERT_TRUE(raw->Enqueue(Request("last", {{"input", Images(1)}},
                                   [&](InferResponse&& r) {
                                     status = r.status;
                                     holder.reset();  // drains on the batcher's own thread
                                     done.Open();
                                   }))
                  .ok());
  done.Wait();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(holder, nullptr);
}

}  // namespace
}  // namespace trt::server
