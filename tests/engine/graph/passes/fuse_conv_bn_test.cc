// Tests for fuse_conv_bn: Conv/ConvTranspose + inference BatchNormalization fold into one
// node with rescaled weights (outputs match to rtol 1e-5), and the pattern's preconditions.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

constexpr Tolerance kTol{1e-5, 1e-6};

// BatchNormalization(y) with random parameters for `c` channels (positive variance).
graph::Value* AddBatchNorm(PassTestGraph& t, graph::Value* y, int64_t c, uint32_t seed) {
  Tensor var = RandomTensor({c}, seed + 3);
  for (int64_t i = 0; i < c; ++i) var.data<float>()[i] = std::fabs(var.data<float>()[i]) + 0.5f;
  const std::string id = std::to_string(seed);
  return t.Op(
      "BatchNormalization",
      {y, t.Const("scale" + id, RandomTensor({c}, seed)),
       t.Const("bn_b" + id, RandomTensor({c}, seed + 1)),
       t.Const("mean" + id, RandomTensor({c}, seed + 2)), t.Const("var" + id, std::move(var))},
      {{"epsilon", FloatAttr(1e-3f)}});
}

TEST(FuseConvBnTest, FoldsIntoConvWithBias) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3, 7, 6});
  auto* conv = t.Op(
      "Conv", {x, t.Const("w", RandomTensor({4, 3, 3, 3}, 1)), t.Const("b", RandomTensor({4}, 2))},
      {{"pads", IntsAttr({1, 1, 1, 1})}});
  auto* y = AddBatchNorm(t, conv, 4, 10);
  t.Output(y);
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_bn", kTol));
  EXPECT_EQ(t.OpList(), "Conv,");
  EXPECT_EQ(t.g().outputs()[0]->name, y->name);
  EXPECT_EQ(t.g().FindValue("w"), nullptr);  // replaced by the folded weights
}

TEST(FuseConvBnTest, FoldsIntoGroupedConvWithoutBias) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1, 4, 5, 5});
  auto* conv =
      t.Op("Conv", {x, t.Const("w", RandomTensor({6, 2, 3, 3}, 1))}, {{"group", IntAttr(2)}});
  t.Output(t.Op("Relu", {AddBatchNorm(t, conv, 6, 20)}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_bn", kTol));
  EXPECT_EQ(t.OpList(), "Conv,Relu,");
}

TEST(FuseConvBnTest, FoldsIntoGroupedConvTranspose) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1, 4, 4, 3});
  // W [C=4, M/g=3, 2, 2] with group 2: 6 output channels.
  auto* conv = t.Op("ConvTranspose", {x, t.Const("w", RandomTensor({4, 3, 2, 2}, 1))},
                    {{"group", IntAttr(2)}, {"strides", IntsAttr({2, 2})}});
  t.Output(AddBatchNorm(t, conv, 6, 30));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_bn", kTol));
  EXPECT_EQ(t.OpList(), "ConvTranspose,");
}

TEST(FuseConvBnTest, KeepsSharedConvOutputAndRuntimeWeights) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1, 3, 5, 5});
  auto* w_in = t.Input("w_in", DType::kFloat32, {4, 3, 3, 3});
  // Conv output read by BN and by Relu.
  auto* shared = t.Op("Conv", {x, t.Const("w", RandomTensor({4, 3, 3, 3}, 1))});
  t.Output(AddBatchNorm(t, shared, 4, 40));
  t.Output(t.Op("Relu", {shared}));
  // Weights are a graph input.
  t.Output(AddBatchNorm(t, t.Op("Conv", {x, w_in}), 4, 50));
  // Conv output is itself a graph output.
  auto* visible = t.Op("Conv", {x, t.Const("w2", RandomTensor({4, 3, 3, 3}, 2))});
  t.Output(visible);
  t.Output(AddBatchNorm(t, visible, 4, 60));
  t.Prepare();
  const std::string ops = t.OpList();
  EXPECT_FALSE(t.ApplyAndCompare("fuse_conv_bn", kTol));
  EXPECT_EQ(t.OpList(), ops);
}

}  // namespace
}  // namespace trt::testing
