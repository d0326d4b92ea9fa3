// Unit tests of the quantized family: rounding (half to even) and saturation of
// QuantizeLinear, per-axis parameters, DynamicQuantizeLinear, MatMulInteger zero points,
// QLinearMatMul/QLinearConv requantization and error messages, all bit-exact.

#include <gtest/gtest.h>

#include <vector>

#include "engine/kernels/quantized/requantize.h"
#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

TEST(QuantizedOpsTest, RequantizeHelpersRoundHalfToEven) {
  using kernels::quant::QuantizeValue;
  using kernels::quant::Requantize;
  EXPECT_EQ(QuantizeValue<uint8_t>(2.5f, 1.f, 0), 2);
  EXPECT_EQ(QuantizeValue<uint8_t>(3.5f, 1.f, 0), 4);
  EXPECT_EQ(QuantizeValue<int8_t>(-2.5f, 1.f, 0), -2);
  EXPECT_EQ(QuantizeValue<int8_t>(1000.f, 1.f, 0), 127);
  EXPECT_EQ(QuantizeValue<uint8_t>(-1.f, 1.f, 0), 0);
  // Zero point added after rounding: round(0.5) + 1 = 1, not round(1.5) = 2.
  EXPECT_EQ(QuantizeValue<uint8_t>(0.5f, 1.f, 1), 1);
  EXPECT_EQ(Requantize<uint8_t>(5, 0.5f, 10), 12);  // 2.5 -> 2, + 10
  EXPECT_EQ(Requantize<int8_t>(-7, 0.5f, 0), -4);   // -3.5 -> -4
  EXPECT_EQ(Requantize<int8_t>(1 << 20, 1.f, 0), 127);
}

TEST(QuantizedOpsTest, QuantizeLinearPerAxisSaturates) {
  NodeRunner r("QuantizeLinear", 13);
  r.Input("x", Tensor::FromVector(std::vector<float>{1, 3, -300, 5, 7, 300}, Shape{2, 3}))
      .Input("s", Tensor::FromVector(std::vector<float>{2, 2, 1}))
      .Input("z", Tensor::FromVector(std::vector<int8_t>{0, 1, 0}))
      .Attr("axis", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].dtype(), DType::kInt8);
  // 1/2 = 0.5 -> 0; 3/2 = 1.5 -> 2, + 1; -300 -> -128; 5/2 = 2.5 -> 2; 7/2 -> 4, + 1; 127.
  EXPECT_EQ(Values<int8_t>((*out)[0]), (std::vector<int8_t>{0, 3, -128, 2, 5, 127}));
}

TEST(QuantizedOpsTest, QuantizeLinearRejectsPerAxisBeforeOpset13) {
  NodeRunner r("QuantizeLinear", 10);
  r.Input("x", Tensor::FromVector(std::vector<float>{1, 2}, Shape{1, 2}))
      .Input("s", Tensor::FromVector(std::vector<float>{1, 2}))
      .Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("per-axis needs opset 13"), std::string::npos)
      << out.status();
}

TEST(QuantizedOpsTest, DequantizeLinearPerAxis) {
  NodeRunner r("DequantizeLinear", 13);
  r.Input("x", Tensor::FromVector(std::vector<uint8_t>{10, 20, 10, 20}, Shape{2, 2}))
      .Input("s", Tensor::FromVector(std::vector<float>{0.5f, 2.f}))
      .Input("z", Tensor::FromVector(std::vector<uint8_t>{10, 0}))
      .Attr("axis", int64_t{0})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{0, 5, 20, 40}));
}

TEST(QuantizedOpsTest, DynamicQuantizeLinear) {
  NodeRunner r("DynamicQuantizeLinear", 11);
  r.Input("x", Tensor::FromVector(std::vector<float>{0, 2.55f, -2.55f}))
      .Output("y")
      .Output("s")
      .Output("z");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  const float scale = (*out)[1].data<float>()[0];
  EXPECT_FLOAT_EQ(scale, 5.1f / 255.f);
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], 128);  // round(127.5) = 128 (even)
  EXPECT_EQ(Values<uint8_t>((*out)[0]), (std::vector<uint8_t>{128, 255, 0}));
}

TEST(QuantizedOpsTest, MatMulIntegerPerRowZeroPointAndBatch) {
  // A [2, 1, 2] (batch 2), B [2, 2]; a_zero_point per row [1] broadcast as scalar.
  NodeRunner r("MatMulInteger", 10);
  r.Input("A", Tensor::FromVector(std::vector<uint8_t>{1, 2, 3, 4}, Shape{2, 1, 2}))
      .Input("B", Tensor::FromVector(std::vector<int8_t>{1, -1, 2, 3}, Shape{2, 2}))
      .Input("az", Tensor::FromVector(std::vector<uint8_t>{1}))
      .Input("bz", Tensor::FromVector(std::vector<int8_t>{0, -1}))
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 2}));
  // A - 1: [0, 1], [2, 3]; B - bz: [[1, 0], [2, 4]].
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{2, 4, 8, 12}));
}

TEST(QuantizedOpsTest, MatMulIntegerRejectsInnerMismatch) {
  NodeRunner r("MatMulInteger", 10);
  r.Input("A", Tensor::FromVector(std::vector<uint8_t>{1, 2, 3}, Shape{1, 3}))
      .Input("B", Tensor::FromVector(std::vector<uint8_t>{1, 2}, Shape{2, 1}))
      .Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("inner dims differ: A [1, 3], B [2, 1]"), std::string::npos)
      << out.status();
}

TEST(QuantizedOpsTest, QLinearMatMulRequantizes) {
  NodeRunner r("QLinearMatMul", 10);
  r.Input("a", Tensor::FromVector(std::vector<uint8_t>{3, 4}, Shape{1, 2}))
      .Input("as", Tensor::Scalar(0.5f))
      .Input("az", Tensor::Scalar(uint8_t{2}))
      .Input("b", Tensor::FromVector(std::vector<uint8_t>{5, 1}, Shape{2, 1}))
      .Input("bs", Tensor::Scalar(1.f))
      .Input("bz", Tensor::Scalar(uint8_t{0}))
      .Input("ys", Tensor::Scalar(1.f))
      .Input("yz", Tensor::Scalar(uint8_t{7}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // acc = 1 * 5 + 2 * 1 = 7; 7 * 0.5 = 3.5 -> 4 (even); + 7 = 11.
  EXPECT_EQ(Values<uint8_t>((*out)[0]), (std::vector<uint8_t>{11}));
}

TEST(QuantizedOpsTest, QLinearConvPerChannelWithBias) {
  // X 1x1x1x2 = [4, 6] (zp 2), W 2x1x1x1 = [1, 3] (zp 0), per-channel w_scale [1, 0.5].
  NodeRunner r("QLinearConv", 10);
  r.Input("x", Tensor::FromVector(std::vector<uint8_t>{4, 6}, Shape{1, 1, 1, 2}))
      .Input("xs", Tensor::Scalar(1.f))
      .Input("xz", Tensor::Scalar(uint8_t{2}))
      .ConstantInput("w", Tensor::FromVector(std::vector<int8_t>{1, 3}, Shape{2, 1, 1, 1}))
      .ConstantInput("ws", Tensor::FromVector(std::vector<float>{1.f, 0.5f}))
      .ConstantInput("wz", Tensor::FromVector(std::vector<int8_t>{0, 0}))
      .Input("ys", Tensor::Scalar(1.f))
      .Input("yz", Tensor::Scalar(int8_t{-1}))
      .ConstantInput("B", Tensor::FromVector(std::vector<int32_t>{1, 1}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // m0: (2 + 1) * 1 - 1 = 2, (4 + 1) - 1 = 4; m1: (6 + 1) * 0.5 = 3.5 -> 4, - 1 = 3;
  // (12 + 1) * 0.5 = 6.5 -> 6, - 1 = 5.
  EXPECT_EQ(Values<int8_t>((*out)[0]), (std::vector<int8_t>{2, 4, 3, 5}));
}

TEST(QuantizedOpsTest, ConvIntegerRejectsBadZeroPoint) {
  NodeRunner r("ConvInteger", 10);
  r.Input("x", Tensor::FromVector(std::vector<uint8_t>{1, 2, 3, 4}, Shape{1, 1, 2, 2}))
      .Input("w", Tensor::FromVector(std::vector<uint8_t>{1}, Shape{1, 1, 1, 1}))
      .Input("xz", Tensor::FromVector(std::vector<uint8_t>{1, 2}))
      .Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 2 (x_zero_point) has shape [2], expected a scalar"),
            std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace trt::testing
