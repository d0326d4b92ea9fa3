// Tests for the tensor family's view ops: Reshape, Flatten, Squeeze, Unsqueeze, Identity,
// Dropout, Shape, Size.
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

using V = std::vector<float>;
using VI = std::vector<int64_t>;

TEST(TensorReshapeTest, ZeroCopiesAndMinusOneInfers) {
  NodeRunner r("Reshape", 13);
  r.Input("x", Iota({2, 3, 4})).ConstantInput("s", I64({0, -1, 2})).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(Floats((*out)[0])[23], 23.0f);
}

TEST(TensorReshapeTest, AllowZeroKeepsZeroDims) {
  NodeRunner r("Reshape", 14);
  r.Input("x", Tensor(DType::kFloat32, Shape{0, 3})).ConstantInput("s", I64({3, 0}));
  r.Attr("allowzero", int64_t{1}).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 0}));
}

TEST(TensorReshapeTest, AttributeFormOpset1) {
  NodeRunner r("Reshape", 1);
  r.Input("x", Iota({6})).Attr("shape", VI{3, 2}).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 2}));
}

TEST(TensorReshapeTest, RejectsBadElementCount) {
  NodeRunner r("Reshape", 13);
  r.Input("x", Iota({2, 3})).ConstantInput("s", I64({4, -1})).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("cannot reshape [2, 3] (6 elements) to [4, -1]"),
            std::string::npos)
      << out.status();
}

TEST(TensorReshapeTest, RejectsTwoMinusOnes) {
  NodeRunner r("Reshape", 13);
  r.Input("x", Iota({2, 3})).ConstantInput("s", I64({-1, -1})).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("more than one -1"), std::string::npos);
}

TEST(TensorFlattenTest, NegativeAxisAndAxisZero) {
  NodeRunner r("Flatten", 13);
  r.Input("x", Iota({2, 3, 4})).Attr("axis", int64_t{-1}).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{6, 4}));
  NodeRunner r0("Flatten", 9);
  r0.Input("x", Iota({2, 3, 4})).Attr("axis", int64_t{0}).Output("y");
  out = r0.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 24}));
}

TEST(TensorFlattenTest, NegativeAxisRejectedBeforeOpset11) {
  NodeRunner r("Flatten", 9);
  r.Input("x", Iota({2, 3})).Attr("axis", int64_t{-1}).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axis -1 is out of range for rank 2"), std::string::npos);
}

TEST(TensorSqueezeTest, AxesInputAndAttribute) {
  NodeRunner r("Squeeze", 13);
  r.Input("x", Iota({1, 3, 1, 2})).ConstantInput("a", I64({-2})).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 2}));
  NodeRunner r11("Squeeze", 11);
  r11.Input("x", Iota({1, 3, 1, 2})).Output("y");
  out = r11.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 2}));
}

TEST(TensorSqueezeTest, RejectsNonUnitAxis) {
  NodeRunner r("Squeeze", 11);
  r.Input("x", Iota({1, 3})).Attr("axes", VI{1}).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("dim is 3, not 1"), std::string::npos) << out.status();
}

TEST(TensorUnsqueezeTest, UnsortedNegativeAxes) {
  NodeRunner r("Unsqueeze", 13);
  r.Input("x", Iota({3, 4})).ConstantInput("a", I64({-1, 0})).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 4, 1}));
}

TEST(TensorUnsqueezeTest, RejectsDuplicateAxes) {
  NodeRunner r("Unsqueeze", 11);
  r.Input("x", Iota({3})).Attr("axes", VI{0, 0}).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("repeats axis 0"), std::string::npos) << out.status();
}

TEST(TensorDropoutTest, InferenceIsIdentityWithTrueMask) {
  NodeRunner r("Dropout", 13);
  r.Input("x", Iota({2, 2})).Output("y").Output("mask");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Floats((*out)[0]), (V{0, 1, 2, 3}));
  EXPECT_EQ((*out)[1].dtype(), DType::kBool);
  EXPECT_EQ(Ints((*out)[1]), (VI{1, 1, 1, 1}));
}

TEST(TensorDropoutTest, TrainingWithRatioIsUnimplemented) {
  NodeRunner r("Dropout", 13);
  r.Input("x", Iota({2})).Input("ratio", Tensor::Scalar(0.5f));
  r.Input("t", Tensor::Scalar(true)).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnimplemented);
  NodeRunner r0("Dropout", 13);
  r0.Input("x", Iota({2})).Input("ratio", Tensor::Scalar(0.0f));
  r0.Input("t", Tensor::Scalar(true)).Output("y");
  out = r0.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Floats((*out)[0]), (V{0, 1}));
}

TEST(TensorShapeTest, StartEndClamp) {
  NodeRunner r("Shape", 15);
  r.Input("x", Iota({2, 3, 4, 5})).Attr("start", int64_t{-3}).Attr("end", int64_t{100});
  r.Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Ints((*out)[0]), (VI{3, 4, 5}));
}

TEST(TensorSizeTest, CountsElements) {
  NodeRunner r("Size", 13);
  r.Input("x", Iota({2, 3, 4})).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].rank(), 0);
  EXPECT_EQ(Ints((*out)[0]), (VI{24}));
}

}  // namespace
}  // namespace trt::testing
