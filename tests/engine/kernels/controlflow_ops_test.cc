// Unit tests of If, Loop and Scan. Bodies route values (formal inputs, captures, constants)
// straight to outputs so the tests do not depend on other op families.
#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"
#include "tests/testing/subgraph_builder.h"

namespace trt::testing {
namespace {

TEST(ControlflowOpsTest, IfBranchesMayDifferInShape) {
  for (bool cond : {true, false}) {
    SubgraphBuilder then_b("then"), else_b("else");
    then_b.Constant("t", Tensor::FromVector<float>({1, 2, 3})).Output("t");
    else_b.Constant("e", Tensor::FromVector<float>({5}, Shape{1, 1})).Output("e");
    NodeRunner r("If", 16);
    r.Input("cond", Tensor::Scalar<bool>(cond))
        .Attr("then_branch", then_b.Build())
        .Attr("else_branch", else_b.Build())
        .Output("y");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << out.status();
    if (cond) {
      EXPECT_EQ((*out)[0].shape(), Shape{3});
      EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 2, 3}));
    } else {
      EXPECT_EQ((*out)[0].shape(), (Shape{1, 1}));
      EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5}));
    }
  }
}

TEST(ControlflowOpsTest, IfRejectsNonScalarCondAndMissingBranch) {
  SubgraphBuilder b("b");
  b.Constant("t", Tensor::FromVector<float>({1})).Output("t");
  NodeRunner r("If", 13);
  r.Input("cond", Tensor::FromVector<bool>({true, false}))
      .Attr("then_branch", b.Build())
      .Attr("else_branch", b.Build())
      .Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 0 (cond) must be a bool tensor with one element"),
            std::string::npos)
      << out.status();

  NodeRunner r2("If", 13);
  r2.Input("cond", Tensor::Scalar<bool>(true)).Attr("then_branch", b.Build()).Output("y");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("then_branch and else_branch are required"),
            std::string::npos);
}

// Body (iter, cond, v) -> (cond, v, iter, outer): v passes through, the iteration numbers
// and a captured outer value are scanned.
SubgraphBuilder LoopBody() {
  SubgraphBuilder body("body");
  body.Input("iter", DType::kInt64, {})
      .Input("cond_in", DType::kBool, {})
      .Input("v_in", DType::kFloat32, {2})
      .OuterValue("v0")
      .Output("cond_in")
      .Output("v_in")
      .Output("iter")
      .Output("v0");
  return body;
}

TEST(ControlflowOpsTest, LoopTripCountScansAndOuterScope) {
  NodeRunner r("Loop", 13);
  r.Input("M", Tensor::Scalar<int64_t>(3))
      .OmittedInput()
      .Input("v0", Tensor::FromVector<float>({7, 8}))
      .Attr("body", LoopBody().Build())
      .Output("v_final")
      .Output("iters")
      .Output("outer");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{7, 8}));
  EXPECT_EQ((*out)[1].shape(), Shape{3});
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ((*out)[2].shape(), (Shape{3, 2}));
  EXPECT_EQ(Values<float>((*out)[2]), (std::vector<float>{7, 8, 7, 8, 7, 8}));
}

TEST(ControlflowOpsTest, LoopWithFalseConditionRunsZeroTimes) {
  NodeRunner r("Loop", 13);
  r.OmittedInput()
      .Input("cond", Tensor::Scalar<bool>(false))
      .Input("v0", Tensor::FromVector<float>({7, 8}))
      .Attr("body", LoopBody().Build())
      .Output("v_final")
      .Output("iters");  // the captured scan output has no static type: omitted
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{7, 8}));
  EXPECT_EQ((*out)[1].shape(), Shape{0});
  EXPECT_EQ((*out)[1].dtype(), DType::kInt64);
}

TEST(ControlflowOpsTest, LoopBodyArityIsChecked) {
  SubgraphBuilder body("body");
  body.Input("iter", DType::kInt64, {}).Input("cond_in", DType::kBool, {}).Output("cond_in");
  NodeRunner r("Loop", 13);
  r.Input("M", Tensor::Scalar<int64_t>(1))
      .OmittedInput()
      .Input("v0", Tensor::FromVector<float>({1}))
      .Attr("body", body.Build())
      .Output("v");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("body has 2 inputs, expected 2 + 1"), std::string::npos)
      << out.status();
}

// Body (s, x_t) -> (x_t, s): the final state is the last visited slice and the scan output
// holds the previous states.
SubgraphBuilder ShiftBody(std::vector<int64_t> slice_shape) {
  SubgraphBuilder body("body");
  body.Input("s", DType::kFloat32, slice_shape)
      .Input("x_t", DType::kFloat32, slice_shape)
      .Output("x_t")
      .Output("s");
  return body;
}

TEST(ControlflowOpsTest, Scan9AxesAndDirections) {
  // x [2, 3] scanned along axis 1 (3 steps of [2]), reverse; output stacked along axis 1.
  NodeRunner r("Scan", 16);
  r.Input("s0", Tensor::FromVector<float>({0, 0}))
      .Input("x", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3}))
      .Attr("body", ShiftBody({2}).Build())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("scan_input_axes", std::vector<int64_t>{1})
      .Attr("scan_input_directions", std::vector<int64_t>{1})
      .Attr("scan_output_axes", std::vector<int64_t>{-1})
      .Output("s_final")
      .Output("ys");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // Visit order: columns 2, 1, 0. Final state = column 0 = [1, 4].
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 4}));
  // Scan outputs per step: s0, col2, col1 -> stacked along the last axis: [2, 3].
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{0, 3, 2, 0, 6, 5}));
}

TEST(ControlflowOpsTest, Scan9OutputDirectionReverse) {
  NodeRunner r("Scan", 11);
  r.Input("s0", Tensor::FromVector<float>({9}))
      .Input("x", Tensor::FromVector<float>({1, 2, 3}, Shape{3, 1}))
      .Attr("body", ShiftBody({1}).Build())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("scan_output_directions", std::vector<int64_t>{1})
      .Output("s_final")
      .Output("ys");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3}));
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{2, 1, 9}));
}

TEST(ControlflowOpsTest, Scan8BatchAndSequenceLens) {
  // batch 2, 3 steps of [1]; row 1 has length 2 and its scan output is zero-padded.
  NodeRunner r("Scan", 8);
  r.Input("lens", Tensor::FromVector<int64_t>({3, 2}))
      .Input("s0", Tensor::FromVector<float>({10, 20}, Shape{2, 1}))
      .Input("x", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3, 1}))
      .Attr("body", ShiftBody({1}).Build())
      .Attr("num_scan_inputs", int64_t{1})
      .Output("s_final")
      .Output("ys");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 5}));
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(Values<float>((*out)[1]), (std::vector<float>{10, 1, 2, 20, 4, 0}));
}

TEST(ControlflowOpsTest, ScanErrors) {
  NodeRunner r("Scan", 16);
  r.Input("s0", Tensor::FromVector<float>({0}))
      .Input("x", Tensor::FromVector<float>({1, 2}, Shape{2, 1}))
      .Attr("body", ShiftBody({1}).Build())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("scan_input_axes", std::vector<int64_t>{2})
      .Output("s_final")
      .Output("ys");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scan_input_axes[0] = 2 is out of range"),
            std::string::npos)
      << out.status();

  NodeRunner r2("Scan", 16);
  r2.Input("s0", Tensor::FromVector<float>({0}))
      .Input("x", Tensor::FromVector<float>({1, 2}, Shape{2, 1}))
      .Attr("body", ShiftBody({1}).Build())
      .Output("s_final")
      .Output("ys");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("num_scan_inputs is required"), std::string::npos);
}

}  // namespace
}  // namespace trt::testing
