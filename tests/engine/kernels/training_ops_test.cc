// Unit tests of the ai.onnx.preview.training optimizers on hand-computed single elements.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

constexpr const char* kDomain = "ai.onnx.preview.training";

// Momentum with t = 1, alpha = 0.5, beta = 0.25, x = 1, g = 4, v = 2 (outputs not yet set).
NodeRunner Momentum(const std::string& mode) {
  NodeRunner r("Momentum", 1, kDomain);
  r.Input("R", Tensor::Scalar<float>(0.5f))
      .Input("T", Tensor::Scalar<int64_t>(1))
      .Input("X", Tensor::FromVector<float>({1}))
      .Input("G", Tensor::FromVector<float>({4}))
      .Input("V", Tensor::FromVector<float>({2}))
      .Attr("alpha", 0.5f)
      .Attr("beta", 0.25f)
      .Attr("norm_coefficient", 0.0f)
      .Attr("mode", mode);
  return r;
}

// Adagrad: r = 0.5, x = 1, g = 2, h = 0 -> h' = 4, x' = 1 - 0.5 * 2 / 2 = 0.5.
TEST(TrainingOpsTest, Adagrad) {
  NodeRunner r("Adagrad", 1, kDomain);
  r.Input("R", Tensor::Scalar<float>(0.5f))
      .Input("T", Tensor::Scalar<int64_t>(0))
      .Input("X", Tensor::FromVector<float>({1}))
      .Input("G", Tensor::FromVector<float>({2}))
      .Input("H", Tensor::FromVector<float>({0}))
      .Output("X_new")
      .Output("H_new");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].data<float>()[0], 0.5f);
  EXPECT_EQ((*out)[1].data<float>()[0], 4.0f);
}

// Momentum, t = 1, alpha = 0.5, beta = 0.25: v' = 0.5 * 2 + 0.25 * 4 = 2;
// standard x' = 1 - 0.5 * 2 = 0; nesterov x' = 1 - 0.5 * (4 + 0.5 * 2) = -1.5.
TEST(TrainingOpsTest, MomentumStandardAndNesterov) {
  for (const std::string mode : {"standard", "nesterov"}) {
    NodeRunner r = Momentum(mode);
    r.Output("X_new").Output("V_new");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].data<float>()[0], mode == "standard" ? 0.0f : -1.5f) << mode;
    EXPECT_EQ((*out)[1].data<float>()[0], 2.0f);
  }
}

TEST(TrainingOpsTest, MomentumRejectsUnknownMode) {
  NodeRunner r = Momentum("heavy");
  r.Output("X_new");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("mode is 'heavy'"), std::string::npos);
}

// Adam, t = 1, alpha = 0.5, beta = 0.75, epsilon = 0: v' = 0.5 * 0 + 0.5 * 2 = 1,
// h' = 0.75 * 0 + 0.25 * 4 = 1, r' = 1 * sqrt(0.25) / 0.5 = 1, x' = 3 - 1 * 1 / 1 = 2.
TEST(TrainingOpsTest, AdamWithBiasCorrection) {
  NodeRunner r("Adam", 1, kDomain);
  r.Input("R", Tensor::Scalar<double>(1.0))
      .Input("T", Tensor::Scalar<int64_t>(1))
      .Input("X", Tensor::FromVector<double>({3}))
      .Input("G", Tensor::FromVector<double>({2}))
      .Input("V", Tensor::FromVector<double>({0}))
      .Input("H", Tensor::FromVector<double>({0}))
      .Attr("alpha", 0.5f)
      .Attr("beta", 0.75f)
      .Attr("epsilon", 0.0f)
      .Output("X_new")
      .Output("V_new")
      .Output("H_new");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_DOUBLE_EQ((*out)[0].data<double>()[0], 2.0);
  EXPECT_DOUBLE_EQ((*out)[1].data<double>()[0], 1.0);
  EXPECT_DOUBLE_EQ((*out)[2].data<double>()[0], 1.0);
}

TEST(TrainingOpsTest, ShapeMismatchIsRejected) {
  NodeRunner r("Adagrad", 1, kDomain);
  r.Input("R", Tensor::Scalar<float>(0.5f))
      .Input("T", Tensor::Scalar<int64_t>(0))
      .Input("X", Tensor::FromVector<float>({1, 2}))
      .Input("G", Tensor::FromVector<float>({2}))
      .Input("H", Tensor::FromVector<float>({0, 0}))
      .Output("X_new");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("tensor group 1 of parameter 0 is float32[1]"),
            std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace trt::testing
