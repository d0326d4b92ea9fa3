// Unit tests for NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: reductions,
// weights, ignore_index, the log_prob output and target validation.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

// Log-probabilities for N=2, C=3.
Tensor LogProbs() { return F32({-1, -2, -3, -4, -5, -6}, {2, 3}); }

TEST(NormLossTest, NllWeightedMean) {
  NodeRunner r("NegativeLogLikelihoodLoss", 13);
  r.Input("input", LogProbs())
      .Input("target", Tensor::FromVector<int64_t>({0, 2}, {2}))
      .Input("weight", F32({1, 2, 3}, {3}))
      .Output("loss");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), Shape{});
  EXPECT_FLOAT_EQ(Values((*out)[0])[0], (1 * 1 + 6 * 3) / 4.0f);
}

TEST(NormLossTest, NllIgnoreIndexNoneAndMean) {
  NodeRunner r("NegativeLogLikelihoodLoss", 13);
  r.Input("input", LogProbs())
      .Input("target", Tensor::FromVector<int32_t>({1, -1}, {2}))
      .Attr("ignore_index", int64_t{-1})
      .Attr("reduction", std::string("none"))
      .Output("loss");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{2, 0}));

  NodeRunner r2("NegativeLogLikelihoodLoss", 13);
  r2.Input("input", LogProbs())
      .Input("target", Tensor::FromVector<int32_t>({1, -1}, {2}))
      .Attr("ignore_index", int64_t{-1})
      .Output("loss");
  auto out2 = r2.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_FLOAT_EQ(Values((*out2)[0])[0], 2.0f);  // averaged over the one non-ignored target
}

TEST(NormLossTest, SceSumWithLogProb) {
  // Equal scores: log_softmax = -log(3) everywhere.
  NodeRunner r("SoftmaxCrossEntropyLoss", 13);
  r.Input("scores", F32({5, 5, 5, 0, 0, 0}, {2, 3}))
      .Input("labels", Tensor::FromVector<int64_t>({0, 2}, {2}))
      .Attr("reduction", std::string("sum"))
      .Output("loss")
      .Output("log_prob");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NEAR(Values((*out)[0])[0], 2 * std::log(3.0f), 1e-6);
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 3}));
  EXPECT_NEAR(Values((*out)[1])[4], -std::log(3.0f), 1e-6);
}

TEST(NormLossTest, Errors) {
  NodeRunner r("NegativeLogLikelihoodLoss", 13);
  r.Input("input", LogProbs()).Input("target", Tensor::FromVector<int64_t>({0, 3}, {2}));
  r.Output("loss");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("target value 3 at index 1 is out of range [0, 3)"),
            std::string::npos)
      << out.status();
  NodeRunner r2("SoftmaxCrossEntropyLoss", 13);
  r2.Input("scores", LogProbs()).Input("labels", Tensor::FromVector<int64_t>({0, 1, 2}, {3}));
  r2.Output("loss");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("expected int32/int64 of shape [2]"), std::string::npos);
  NodeRunner r3("SoftmaxCrossEntropyLoss", 13);
  r3.Input("scores", LogProbs())
      .Input("labels", Tensor::FromVector<int64_t>({0, 1}, {2}))
      .Attr("reduction", std::string("avg"))
      .Output("loss");
  auto out3 = r3.Run();
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("reduction='avg'"), std::string::npos);
}

}  // namespace
}  // namespace trt::testing
