// ModelInstance and batch assembly: concatenation, padding, splitting into rows of a
// request, trimming, and engine errors, without the batcher's threads.
#include "server/model_instance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "server/batch_assembly.h"
#include "tests/server/batcher_test_util.h"

namespace trt::server {
namespace {

using namespace testing;  // NOLINT(build/namespaces): the fixtures of batcher_test_util.h

std::shared_ptr<const ModelLayout> Layout(const ModelConfig& config, const runtime::Plan& plan) {
  auto layout = BuildModelLayout(config, plan);
  EXPECT_TRUE(layout.ok()) << layout.status();
  return layout.ok() ? *layout : nullptr;
}

std::shared_ptr<RequestState> State(std::vector<Tensor> inputs, std::vector<int> outputs,
                                    int pieces = 1) {
  auto s = std::make_shared<RequestState>();
  s->rows = inputs[0].shape()[0];
  s->inputs = std::move(inputs);
  s->outputs = std::move(outputs);
  s->pieces = s->pieces_left = pieces;
  return s;
}

std::unique_ptr<ModelInstance> Instance(std::shared_ptr<const runtime::Plan> plan,
                                        std::shared_ptr<const ModelLayout> layout) {
  auto inst = ModelInstance::Create(std::move(plan), std::move(layout), 0, 1);
  EXPECT_TRUE(inst.ok()) << inst.status();
  return inst.ok() ? std::move(inst).value() : nullptr;
}

TEST(ModelInstanceTest, MultiPieceBatchEqualsEachRequestRunAlone) {
  auto plan = DigitsPlan();
  auto layout = Layout(*DigitsConfig(*plan), *plan);
  auto inst = Instance(plan, layout);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->num_profiles(), 3);
  Batch batch{.profile = 1, .rows = 4, .pieces = {}};
  auto a = State({Images(1, 0)}, {0, 1});
  auto b = State({Images(2, 5)}, {1, 0});  // outputs in the order the request asked
  auto c = State({Images(1, 9)}, {0});
  batch.pieces = {{a, 0, 1}, {b, 0, 2}, {c, 0, 1}};
  BatchTiming timing;
  Status s = inst->Execute(batch, *SteadyClock::Get(), &timing);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(timing.counts.total_elements, 4 * 64);
  EXPECT_EQ(timing.counts.padding_elements, 0);
  ASSERT_EQ(a->response.size(), 2u);
  ExpectRowsEqualAlone(a->response[0].second, 0, 0, 1);
  ASSERT_EQ(b->response.size(), 2u);
  EXPECT_EQ(b->response[0].first, "probabilities");
  EXPECT_EQ(b->response[1].first, "logits");
  EXPECT_EQ(b->response[1].second.shape(), (Shape{2, 10}));
  ExpectRowsEqualAlone(b->response[1].second, 5, 0, 2);
  ASSERT_EQ(c->response.size(), 1u);
  ExpectRowsEqualAlone(c->response[0].second, 9, 0, 1);
}

TEST(ModelInstanceTest, ProfilesShareOneIntraOpPoolPerInstance) {
  auto plan = DigitsPlan();
  auto layout = Layout(*DigitsConfig(*plan), *plan);
  auto two = ModelInstance::Create(plan, layout, 0, /*threads=*/2);
  ASSERT_TRUE(two.ok()) << two.status();
  ASSERT_EQ((*two)->num_profiles(), 3);
  const ThreadPool* pool = (*two)->context(0).pool();
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->num_threads(), 2);
  for (int p = 1; p < 3; ++p) EXPECT_EQ((*two)->context(p).pool(), pool);
  // Another instance has its own pool; threads = 1 runs on the worker thread alone.
  auto other = ModelInstance::Create(plan, layout, 1, 2);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->context(0).pool(), pool);
  auto one = ModelInstance::Create(plan, layout, 2, 1);
  ASSERT_TRUE(one.ok());
  for (int p = 0; p < 3; ++p) EXPECT_EQ((*one)->context(p).pool(), nullptr);
  // And a batch still runs (and matches the model run alone) on the shared pool.
  auto a = State({Images(3, 4)}, {0});
  Batch batch{.profile = 1, .rows = 3, .pieces = {{a, 0, 3}}};
  BatchTiming timing;
  ASSERT_TRUE((*two)->Execute(batch, *SteadyClock::Get(), &timing).ok());
  ExpectRowsEqualAlone(a->response[0].second, 4, 0, 3);
}

TEST(ModelInstanceTest, PiecesOfOneRequestFillTheirOwnRows) {
  auto plan = DigitsPlan();
  auto layout = Layout(*DigitsConfig(*plan), *plan);
  auto inst = Instance(plan, layout);
  ASSERT_NE(inst, nullptr);
  auto big = State({Images(40, 2)}, {0}, /*pieces=*/2);  // 40 = 32 + 8
  Batch first{.profile = 1, .rows = 32, .pieces = {{big, 0, 32}}};
  Batch second{.profile = 1, .rows = 8, .pieces = {{big, 32, 8}}};
  BatchTiming timing;
  ASSERT_TRUE(inst->Execute(second, *SteadyClock::Get(), &timing).ok());
  ASSERT_EQ(big->response[0].second.shape(), (Shape{40, 10}));
  ExpectRowsEqualAlone(big->response[0].second, 2 + 32, 32, 8);
  ASSERT_TRUE(inst->Execute(first, *SteadyClock::Get(), &timing).ok());
  ExpectRowsEqualAlone(big->response[0].second, 2, 0, 40);
}

TEST(ModelInstanceTest, BadBatchesAndEngineErrorsAreErrorsNotCrashes) {
  auto plan = GatherPlan();
  ASSERT_NE(plan, nullptr);
  auto config = GatherConfig(*plan);
  auto inst = Instance(plan, Layout(*config, *plan));
  ASSERT_NE(inst, nullptr);
  BatchTiming timing;
  Batch empty{.profile = 0, .rows = 0, .pieces = {}};
  EXPECT_EQ(inst->Execute(empty, *SteadyClock::Get(), &timing).code(), StatusCode::kInternal);
  auto bad = State({Index(9)}, {0});
  Batch batch{.profile = 0, .rows = 1, .pieces = {{bad, 0, 1}}};
  Status s = inst->Execute(batch, *SteadyClock::Get(), &timing);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("model 'gather', profile 'p', batch of 1: ", 0), 0u) << s;
  EXPECT_NE(s.message().find("index 9 out of range"), std::string::npos) << s;
  // Warmup with zeros and with random data (indices 0 or 1) both run.
  EXPECT_TRUE(inst->Warmup(2, WarmupConfig::Data::kZeros).ok());
  EXPECT_TRUE(inst->Warmup(2, WarmupConfig::Data::kRandom).ok());
}

TEST(BatchAssemblyTest, PaddedGatherAndTrimmedScatter) {
  auto plan = DoublePlan();
  ASSERT_NE(plan, nullptr);
  auto config = DoubleConfig(*plan, /*pad=*/true);
  auto layout = Layout(*config, *plan);
  ASSERT_NE(layout, nullptr);
  ASSERT_TRUE(layout->any_padding);
  ASSERT_EQ(layout->outputs.size(), 1u);
  EXPECT_EQ(layout->outputs[0].trimmed, (std::vector<bool>{false, true}));
  auto a = State({Tensor::FromVector<float>({1, 2, 3}, Shape{1, 3})}, {0});
  a->own_output_dims = {{3}};
  auto b = State({Tensor::FromVector<float>({4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, Shape{2, 5})}, {0});
  b->own_output_dims = {{5}};
  Batch batch{.profile = 0, .rows = 3, .pieces = {{a, 0, 1}, {b, 0, 2}}};
  InputBuffers buffers;
  runtime::NamedTensors bound;
  GatherCounts counts;
  ASSERT_TRUE(GatherInputs(*layout, batch, {Shape{32, 16}}, &buffers, &bound, &counts).ok());
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].first, "x");
  ASSERT_EQ(bound[0].second.shape(), (Shape{3, 5}));
  const std::vector<float> want = {1, 2, 3, -1, -1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  for (int e = 0; e < 15; ++e) EXPECT_EQ(bound[0].second.data<float>()[e], want[e]) << e;
  EXPECT_EQ(counts.total_elements, 15);
  EXPECT_EQ(counts.padding_elements, 2);
  EXPECT_EQ(buffers.capacity[0], 32 * 16 * 4);  // allocated once at the profile's max

  // Pretend the engine returned y = x + 100 and scatter it back.
  Tensor y(DType::kFloat32, Shape{3, 5});
  for (int e = 0; e < 15; ++e) y.data<float>()[e] = want[e] + 100;
  ASSERT_TRUE(ScatterOutputs(*layout, batch, {{"y", y}}).ok());
  ASSERT_EQ(a->response[0].second.shape(), (Shape{1, 3}));
  EXPECT_EQ(a->response[0].second.data<float>()[2], 103.f);
  ASSERT_EQ(b->response[0].second.shape(), (Shape{2, 5}));
  EXPECT_EQ(b->response[0].second.data<float>()[9], 113.f);

  // An output whose dim 0 is not the batch cannot be split: an error, not garbage.
  auto c = State({Tensor::FromVector<float>({1}, Shape{1, 1})}, {0});
  Batch one{.profile = 0, .rows = 1, .pieces = {{c, 0, 1}}};
  Status s = ScatterOutputs(*layout, one, {{"y", Tensor(DType::kFloat32, Shape{2, 1})}});
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("expected the batch size 1 as dim 0"), std::string::npos) << s;
}

TEST(BatchAssemblyTest, LayoutChecksTheConfigAgainstThePlan) {
  auto plan = DigitsPlan();
  auto config = DigitsConfig(*plan);
  config->inputs[0].name = "image";
  auto layout = BuildModelLayout(*config, *plan);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().message(),
            "model 'digits': the model's input 'input' is missing from the config's inputs");
  config = DigitsConfig(*plan);
  config->inputs[0].dtype = DType::kInt64;
  layout = BuildModelLayout(*config, *plan);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().message(),
            "model 'digits': input 'input' is int64 in the config but float32 in the model");
  config = DigitsConfig(*plan);
  config->max_batch_size = 16;  // batch ranges are clamped to max_batch_size
  layout = BuildModelLayout(*config, *plan);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ((*layout)->batch_ranges[1].max, 16);
  EXPECT_GT((*layout)->batch_ranges[2].min, (*layout)->batch_ranges[2].max);  // unusable
}

TEST(BatchAssemblyTest, FillWithValueConvertsToEveryDtype) {
  float f[3];
  FillWithValue(DType::kFloat32, -1.5, f, 3);
  EXPECT_EQ(f[2], -1.5f);
  FillWithValue(DType::kFloat32, -0.0, f, 3);
  EXPECT_TRUE(std::signbit(f[1]));
  int64_t i[2];
  FillWithValue(DType::kInt64, 7, i, 2);
  EXPECT_EQ(i[1], 7);
  uint8_t u[4] = {9, 9, 9, 9};
  FillWithValue(DType::kUInt8, 0, u, 3);
  EXPECT_EQ(u[2], 0);
  EXPECT_EQ(u[3], 9);  // exactly `count` elements
  Float16 h[2];
  FillWithValue(DType::kFloat16, 0.5, h, 2);
  EXPECT_EQ(static_cast<float>(h[1]), 0.5f);
  bool b[2];
  FillWithValue(DType::kBool, 1, b, 2);
  EXPECT_TRUE(b[0] && b[1]);
}

}  // namespace
}  // namespace trt::server
