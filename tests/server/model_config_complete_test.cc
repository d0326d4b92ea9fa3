// CompleteConfigFromModel against small models built in code (tests/testing/
// graph_test_util.h): a dynamic non-batch dim, a fixed first dim, a plan-style specialized
// dim, a scalar. (Golden files against the real digits model are in model_config_test.cc.)
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/runtime/model_loader.h"
#include "server/model_config.h"
#include "tests/testing/graph_test_util.h"

namespace trt::server {
namespace {

// x[float32, <dims>] -> Relu -> y; dims are ints or symbol names.
graph::Model ReluModel(const std::vector<graph::Dim>& dims) {
  graph::Model model;
  model.name = "relu";
  model.opsets[""] = 13;
  model.graph = std::make_shared<graph::Graph>();
  graph::Graph& g = *model.graph;
  graph::Value* x = testing::Input(g, "x", DType::kFloat32, dims);
  graph::Value* y = testing::Op(g, "Relu", {x}, "y");
  y->is_graph_output = true;
  g.outputs().push_back(y);
  EXPECT_TRUE(g.Toposort().ok());
  Status s = runtime::PrepareModel(model);
  EXPECT_TRUE(s.ok()) << s;
  return model;
}

graph::Dim Sym(const std::string& name) { return graph::Dim::Symbol(name); }

// Parses (must succeed) and completes against `model`.
Status ParseAndComplete(const std::string& yaml, const graph::Model& model, ModelConfig* out) {
  auto c = ParseModelConfig(yaml, "seq.yaml", "seq");
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return c.status();
  *out = *c;
  return CompleteConfigFromModel(out, model);
}

void ExpectError(const Status& s, const std::string& text) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(text), std::string::npos) << s.message();
}

TEST(CompleteConfigTest, DynamicNonBatchDimNeedsProfiles) {
  const graph::Model model = ReluModel({Sym("batch"), Sym("seq"), 4});
  ModelConfig c;
  ExpectError(ParseAndComplete("max_batch_size: 8\n", model, &c),
              "seq.yaml: profiles: input 'x' has a dynamic dim 1 (dims [-1, 4]) and the config "
              "has no profiles");
}

TEST(CompleteConfigTest, DynamicNonBatchDimWithProfiles) {
  const graph::Model model = ReluModel({Sym("batch"), Sym("seq"), 4});
  ModelConfig c;
  ASSERT_TRUE(
      ParseAndComplete("max_batch_size: 8\n"
                       "profiles:\n"
                       "  - name: short\n"
                       "    shapes: {x: {min: [1, 1, 4], opt: [2, 16, 4], max: [8, 32, 4]}}\n"
                       "  - name: long\n"
                       "    shapes: {x: {min: [1, 33, 4], max: [4, 128, 4]}}\n",
                       model, &c)
          .ok());
  ASSERT_EQ(c.inputs.size(), 1u);
  EXPECT_EQ(c.inputs[0].name, "x");
  EXPECT_EQ(c.inputs[0].dtype, DType::kFloat32);
  EXPECT_EQ(c.inputs[0].dims, (std::vector<int64_t>{-1, 4}));
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].dims, (std::vector<int64_t>{-1, 4}));
  // opt batch sizes, ascending: short opt 2, long opt (= max) 4.
  EXPECT_EQ(c.dynamic_batching.preferred_batch_sizes, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(c.profiles[1].inputs[0].opt, Shape({4, 128, 4}));
}

TEST(CompleteConfigTest, PadToBatchOnTheDynamicDim) {
  const graph::Model model = ReluModel({Sym("batch"), Sym("seq"), 4});
  ModelConfig c;
  ASSERT_TRUE(
      ParseAndComplete("max_batch_size: 8\n"
                       "inputs: [{name: x, dtype: float32, dims: [-1, 4], "
                       "pad_to_batch: true, pad_value: -1}]\n"
                       "outputs: [{name: y, dtype: FP32, dims: [-1, 4]}]\n"
                       "profiles: [{name: p, shapes: {x: {min: [1, 1, 4], max: [8, 64, 4]}}}]\n",
                       model, &c)
          .ok());
  EXPECT_TRUE(c.inputs[0].pad_to_batch);
  EXPECT_EQ(c.inputs[0].pad_value, -1.0);
  EXPECT_EQ(c.dynamic_batching.preferred_batch_sizes, std::vector<int64_t>{8});
}

TEST(CompleteConfigTest, ConfigMayFixAModelDynamicDim) {
  const graph::Model model = ReluModel({Sym("batch"), Sym("seq"), 4});
  ModelConfig c;
  ASSERT_TRUE(ParseAndComplete("max_batch_size: 4\n"
                               "inputs: [{name: x, dtype: FP32, dims: [16, 4]}]\n"
                               "outputs: [{name: y, dtype: FP32, dims: [16, 4]}]\n",
                               model, &c)
                  .ok());
  ASSERT_EQ(c.profiles.size(), 1u);
  EXPECT_EQ(c.profiles[0].name, "default");
  const auto& r = c.profiles[0].inputs.at(0);
  EXPECT_EQ(r.min, Shape({1, 16, 4}));
  EXPECT_EQ(r.opt, Shape({4, 16, 4}));
  EXPECT_EQ(r.max, Shape({4, 16, 4}));
}

TEST(CompleteConfigTest, MinusOneWhereTheModelFixesTheDim) {
  const graph::Model model = ReluModel({Sym("batch"), 16, 4});
  ModelConfig c;
  // No profile fixes dim 1 to the model's 16: the config must say 16.
  ExpectError(ParseAndComplete("max_batch_size: 4\n"
                               "inputs: [{name: x, dtype: FP32, dims: [-1, 4]}]\n",
                               model, &c),
              "inputs[0].dims[0]: model 'seq' input 'x' fixes dim 1 to 16 (float32[batch, 16, "
              "4]); write 16 instead of -1");
  // A plan built from profiles that all fix it has exactly this graph: accepted.
  ASSERT_TRUE(
      ParseAndComplete("max_batch_size: 4\n"
                       "inputs: [{name: x, dtype: FP32, dims: [-1, 4]}]\n"
                       "outputs: [{name: y, dtype: FP32, dims: [-1, 4]}]\n"
                       "profiles: [{name: p, shapes: {x: {min: [1, 16, 4], max: [4, 16, 4]}}}]\n",
                       model, &c)
          .ok());
}

TEST(CompleteConfigTest, FixedFirstDimOnlyWithThatBatch) {
  const graph::Model model = ReluModel({1, 4});
  ModelConfig c;
  ASSERT_TRUE(ParseAndComplete("max_batch_size: 1\n", model, &c).ok());
  EXPECT_EQ(c.inputs[0].dims, std::vector<int64_t>{4});
  EXPECT_EQ(c.profiles[0].inputs[0].max, Shape({1, 4}));
  ExpectError(ParseAndComplete("max_batch_size: 8\n", model, &c),
              "seq.yaml: max_batch_size: model 'seq' input 'x' fixes its first dim to 1");
  // max_batch_size 0: the whole shape is the request's.
  ASSERT_TRUE(ParseAndComplete("", model, &c).ok());
  EXPECT_EQ(c.inputs[0].dims, (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(c.dynamic_batching.preferred_batch_sizes.empty());
}

TEST(CompleteConfigTest, NoBatchDimWithDynamicDimsUsesProfiles) {
  const graph::Model model = ReluModel({Sym("n"), 4});
  ModelConfig c;
  ExpectError(ParseAndComplete("", model, &c), "or set max_batch_size if dim 0 is the batch dim");
  ASSERT_TRUE(ParseAndComplete("profiles: [{name: p, shapes: {x: {min: [1, 4], max: [9, 4]}}}]\n",
                               model, &c)
                  .ok());
  EXPECT_EQ(c.inputs[0].dims, (std::vector<int64_t>{-1, 4}));
  EXPECT_TRUE(c.dynamic_batching.preferred_batch_sizes.empty());
}

TEST(CompleteConfigTest, ScalarInputCannotBeBatched) {
  const graph::Model model = ReluModel({});
  ModelConfig c;
  ExpectError(ParseAndComplete("max_batch_size: 2\n", model, &c),
              "model 'seq' input 'x' is a scalar, so it has no batch dim; set max_batch_size: 0");
}

TEST(CompleteConfigTest, ReportsEveryTensorProblemAtOnce) {
  const graph::Model model = ReluModel({Sym("batch"), 4});
  ModelConfig c;
  Status s = ParseAndComplete(
      "max_batch_size: 2\n"
      "inputs: [{name: x, dtype: INT64, dims: [5]}]\n"
      "outputs: [{name: z, dtype: FP32, dims: [4]}]\n",
      model, &c);
  ExpectError(s,
              "seq.yaml: inputs[0].dtype: model 'seq' input 'x' is FP32 (float32), config "
              "says INT64");
  ExpectError(s,
              "seq.yaml: inputs[0].dims: model 'seq' input 'x' has dims [4] (after the "
              "batch dim), config says [5]");
  ExpectError(s, "seq.yaml: outputs: model 'seq' output 'y' is not listed");
  ExpectError(s, "seq.yaml: outputs[0].name: model 'seq' has no output 'z' (its outputs: y)");
  EXPECT_EQ(std::count(s.message().begin(), s.message().end(), '\n'), 3) << s.message();
}

TEST(CompleteConfigTest, ProfileRangeOutsideTheModelIsReportedByProfile) {
  const graph::Model model = ReluModel({Sym("batch"), Sym("seq"), 4});
  ModelConfig c;
  // Input not listed: the check runs against the dims taken from the model.
  ExpectError(
      ParseAndComplete("max_batch_size: 8\n"
                       "profiles: [{name: p, shapes: {x: {min: [1, 1, 5], max: [8, 9, 5]}}}]\n",
                       model, &c),
      "seq.yaml: profiles[0].shapes.x: dim 2 is 5..5..5 but input 'x' fixes it to 4");
}

}  // namespace
}  // namespace trt::server
