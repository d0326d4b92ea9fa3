// Unit tests of the Reduce* reference kernels: axes as attribute and as input, keepdims,
// noop_with_empty_axes, empty reductions, integer types and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

Tensor X23() { return Tensor::FromVector<float>({1, -2, 3, 4, 5, -6}, Shape{2, 3}); }

TEST(ReduceTest, SumAxesAttributeKeepdims) {
  NodeRunner r("ReduceSum", 11);
  r.Input("x", X23()).Attr("axes", std::vector<int64_t>{1}).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{2, 3}));
}

TEST(ReduceTest, SumAxesInputNegativeNoKeepdims) {
  NodeRunner r("ReduceSum", 13);
  r.Input("x", X23())
      .Input("axes", Tensor::FromVector<int64_t>({-2}))
      .Attr("keepdims", int64_t{0})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5, 3, -3}));
}

TEST(ReduceTest, EmptyAxesReducesAllOrIsNoop) {
  NodeRunner all("ReduceMax", 18);
  all.Input("x", X23()).Output("y");
  auto out = all.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 1}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5}));

  NodeRunner noop("ReduceMax", 18);
  noop.Input("x", X23())
      .Input("axes", Tensor::FromVector<int64_t>({}))
      .Attr("noop_with_empty_axes", int64_t{1})
      .Output("y");
  out = noop.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>((*out)[0]), Values<float>(X23()));
}

TEST(ReduceTest, EmptyReductionGivesIdentity) {
  Tensor empty(DType::kFloat32, Shape{2, 0});
  auto run = [&](const char* op) {
    NodeRunner r(op, 18);
    r.Input("x", empty).Input("axes", Tensor::FromVector<int64_t>({1})).Output("y");
    auto out = r.Run();
    EXPECT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
    return (*out)[0].data<float>()[0];
  };
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(run("ReduceSum"), 0.f);
  EXPECT_EQ(run("ReduceProd"), 1.f);
  EXPECT_EQ(run("ReduceMax"), -inf);
  EXPECT_EQ(run("ReduceMin"), inf);
  EXPECT_EQ(run("ReduceLogSumExp"), -inf);
  EXPECT_EQ(run("ReduceL2"), 0.f);
}

TEST(ReduceTest, AllOpsOnOneRow) {
  struct Case {
    const char* op;
    double expect;
  };
  // x = [1, -2, 3]
  const Case cases[] = {
      {"ReduceSum", 2},
      {"ReduceMean", 2.0 / 3},
      {"ReduceMax", 3},
      {"ReduceMin", -2},
      {"ReduceProd", -6},
      {"ReduceL1", 6},
      {"ReduceL2", std::sqrt(14.0)},
      {"ReduceSumSquare", 14},
      {"ReduceLogSum", std::log(2.0)},
      {"ReduceLogSumExp", std::log(std::exp(1.0) + std::exp(-2.0) + std::exp(3.0))},
  };
  for (const Case& c : cases) {
    NodeRunner r(c.op, 11);
    r.Input("x", Tensor::FromVector<double>({1, -2, 3})).Output("y");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << c.op << ": " << out.status();
    EXPECT_EQ((*out)[0].shape(), (Shape{1})) << c.op;
    EXPECT_NEAR((*out)[0].data<double>()[0], c.expect, 1e-12) << c.op;
  }
}

TEST(ReduceTest, IntegerTypes) {
  NodeRunner r("ReduceProd", 13);
  r.Input("x", Tensor::FromVector<int64_t>({3000000000, 3, -1, 2}, Shape{2, 2}))
      .Attr("axes", std::vector<int64_t>{0})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{-3000000000, 6}));

  NodeRunner m("ReduceMean", 13);
  m.Input("x", Tensor::FromVector<int32_t>({1, 2, 4, 7})).Output("y");
  out = m.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{3}));
}

TEST(ReduceTest, HalfAccumulatesExactly) {
  std::vector<Float16> v(3000, Float16(1.0f));
  NodeRunner r("ReduceSum", 13);
  r.Input("x", Tensor::FromVector<Float16>(v)).Attr("keepdims", int64_t{0}).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(static_cast<float>((*out)[0].data<Float16>()[0]), 3000.f);
}

TEST(ReduceTest, Errors) {
  NodeRunner bad_axis("ReduceSum", 11);
  bad_axis.Input("x", X23()).Attr("axes", std::vector<int64_t>{2}).Output("y");
  auto out = bad_axis.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axis 2 out of range [-2, 1]"), std::string::npos)
      << out.status();

  NodeRunner dup("ReduceMin", 18);
  dup.Input("x", X23()).Input("axes", Tensor::FromVector<int64_t>({1, -1})).Output("y");
  out = dup.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("repeated"), std::string::npos) << out.status();

  NodeRunner attr18("ReduceMin", 18);
  attr18.Input("x", X23()).Attr("axes", std::vector<int64_t>{1}).Output("y");
  out = attr18.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("pass axes as input 1"), std::string::npos) << out.status();
}

}  // namespace
}  // namespace trt::testing
