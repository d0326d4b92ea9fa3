// Unit tests for Softmax/LogSoftmax/Hardmax: the opset 1-12 2-D coercion versus the
// opset 13 single-axis semantics, numerics with large inputs, and axis errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

StatusOr<std::vector<Tensor>> RunOp(const std::string& op, int opset, Tensor x, int64_t axis) {
  NodeRunner r(op, opset);
  r.Input("X", std::move(x)).Attr("axis", axis).Output("Y");
  return r.Run();
}

TEST(NormSoftmaxTest, LegacyCoercesTo2D) {
  auto out = RunOp("Softmax", 11, F32({0, 0, 0, 0}, {1, 2, 2}), 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f}));
}

TEST(NormSoftmaxTest, Opset13NormalizesOneAxis) {
  auto out = RunOp("Softmax", 13, F32({0, 0, 0, 0}, {1, 2, 2}), 1);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
  // Default axis -1 with a large offset (max subtraction keeps it finite).
  NodeRunner r("Softmax", 13);
  r.Input("X", F32({1000, 1000 + std::log(3.0f)}, {1, 2})).Output("Y");
  auto out2 = r.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_NEAR(Values((*out2)[0])[0], 0.25f, 1e-4);
  EXPECT_NEAR(Values((*out2)[0])[1], 0.75f, 1e-4);
}

TEST(NormSoftmaxTest, LogSoftmaxAndHardmax) {
  auto ls = RunOp("LogSoftmax", 13, F32({0, 0}, {2}), 0);
  ASSERT_TRUE(ls.ok()) << ls.status();
  EXPECT_NEAR(Values((*ls)[0])[0], -std::log(2.0f), 1e-6);
  // Hardmax picks the first maximum. Legacy axis=1 on [1, 2, 2] spans all four values.
  auto hm = RunOp("Hardmax", 11, F32({1, 3, 3, 2}, {1, 2, 2}), 1);
  ASSERT_TRUE(hm.ok()) << hm.status();
  EXPECT_EQ(Values((*hm)[0]), (std::vector<float>{0, 1, 0, 0}));
  auto hm13 = RunOp("Hardmax", 13, F32({1, 3, 3, 2}, {1, 2, 2}), 1);
  ASSERT_TRUE(hm13.ok()) << hm13.status();
  EXPECT_EQ(Values((*hm13)[0]), (std::vector<float>{0, 1, 1, 0}));
}

TEST(NormSoftmaxTest, AxisOutOfRange) {
  auto out = RunOp("Softmax", 13, F32({0, 0}, {1, 2}), 2);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axis=2 is out of range for input rank 2"),
            std::string::npos)
      << out.status();
  EXPECT_FALSE(RunOp("LogSoftmax", 11, F32({0, 0}, {1, 2}), -3).ok());
}

}  // namespace
}  // namespace trt::testing
