#include "engine/runtime/executor.h"

#include <gtest/gtest.h>

#include "engine/graph/onnx_import.h"
#include "tests/testing/onnx_builder.h"

namespace trt::runtime {
namespace {

using testing::OnnxBuilder;

// A model whose outputs are its inputs: binding validation is all that runs.
std::shared_ptr<graph::Model> PassThrough() {
  OnnxBuilder b(13);
  b.Input("input_ids", onnx::TensorProto::INT64, {std::string("batch"), std::string("seq")});
  b.Input("attention_mask", onnx::TensorProto::INT64, {std::string("batch"), std::string("seq")});
  b.Input("pixels", onnx::TensorProto::FLOAT, {std::string("batch"), int64_t{3}});
  b.Output("input_ids", onnx::TensorProto::INT64, {std::string("batch"), std::string("seq")});
  auto m = graph::ImportOnnxModel(b.Serialize(), "bert", "");
  EXPECT_TRUE(m.ok()) << m.status();
  return std::make_shared<graph::Model>(std::move(m).value());
}

NamedTensors GoodInputs() {
  return {{"input_ids", Tensor(DType::kInt64, Shape{2, 5})},
          {"attention_mask", Tensor(DType::kInt64, Shape{2, 5})},
          {"pixels", Tensor(DType::kFloat32, Shape{2, 3})}};
}

std::string RunError(NamedTensors inputs) {
  auto exec = Executor::Create(PassThrough());
  EXPECT_TRUE(exec.ok()) << exec.status();
  auto out = (*exec)->Run(inputs);
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  return out.status().message();
}

TEST(ExecutorTest, RunsWithGoodBindings) {
  auto exec = Executor::Create(PassThrough());
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto inputs = GoodInputs();
  inputs[0].second.data<int64_t>()[3] = 42;
  auto out = (*exec)->Run(inputs);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first, "input_ids");
  EXPECT_EQ((*out)[0].second.data<int64_t>()[3], 42);
}

TEST(ExecutorTest, MissingInput) {
  auto in = GoodInputs();
  in.erase(in.begin() + 1);
  EXPECT_EQ(RunError(in),
            "model 'bert': missing input 'attention_mask' (expected int64[batch, seq])");
}

TEST(ExecutorTest, ExtraInput) {
  auto in = GoodInputs();
  in.emplace_back("token_type_ids", Tensor(DType::kInt64, Shape{2, 5}));
  EXPECT_EQ(RunError(in),
            "model 'bert': unexpected input 'token_type_ids'; the model's inputs are: "
            "input_ids, attention_mask, pixels");
}

TEST(ExecutorTest, WrongDtype) {
  auto in = GoodInputs();
  in[2].second = Tensor(DType::kFloat64, Shape{2, 3});
  EXPECT_EQ(RunError(in), "model 'bert': input 'pixels' has dtype float64, expected float32");
}

TEST(ExecutorTest, WrongRank) {
  auto in = GoodInputs();
  in[2].second = Tensor(DType::kFloat32, Shape{2, 3, 1});
  EXPECT_EQ(RunError(in),
            "model 'bert': input 'pixels' has shape [2, 3, 1] (rank 3), expected rank 2 "
            "[batch, 3]");
}

TEST(ExecutorTest, WrongFixedDim) {
  auto in = GoodInputs();
  in[2].second = Tensor(DType::kFloat32, Shape{2, 4});
  EXPECT_EQ(RunError(in),
            "model 'bert': input 'pixels' has shape [2, 4], expected [batch, 3] (dim 1 must "
            "be 3)");
}

TEST(ExecutorTest, InconsistentSharedSymbolicDim) {
  auto in = GoodInputs();
  in[1].second = Tensor(DType::kInt64, Shape{2, 7});
  EXPECT_EQ(RunError(in),
            "model 'bert': input 'attention_mask' dim 1 ('seq') is 7 but input 'input_ids' "
            "has seq=5");
}

TEST(ExecutorTest, UnknownOpFailsAtCreateNamingNode) {
  OnnxBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{1}});
  b.Node("FancyNewOp", {"x"}, {"y"}, "fancy");
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{1}});
  auto m = graph::ImportOnnxModel(b.Serialize(), "m", "");
  ASSERT_TRUE(m.ok()) << m.status();
  auto exec = Executor::Create(std::make_shared<graph::Model>(std::move(m).value()));
  ASSERT_FALSE(exec.ok());
  EXPECT_EQ(exec.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(exec.status().message(),
            "model 'm': node 'fancy' (FancyNewOp, opset 13): unsupported op 'FancyNewOp' "
            "(domain 'ai.onnx', opset 13)");
}

}  // namespace
}  // namespace trt::runtime
