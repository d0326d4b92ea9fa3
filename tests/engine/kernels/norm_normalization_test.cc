// Unit tests for BatchNormalization (inference and opset 15 training mode),
// InstanceNormalization, LayerNormalization (with Mean/InvStdDev outputs),
// MeanVarianceNormalization and LRN on hand-computed values, plus error messages.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "at " << i;
}

TEST(NormBatchNormTest, Inference) {
  NodeRunner r("BatchNormalization", 15);
  r.Input("X", F32({1, 2}, {1, 2, 1, 1}))
      .Input("scale", F32({1, 2}, {2}))
      .Input("B", F32({0, 1}, {2}))
      .Input("mean", F32({0, 1}, {2}))
      .Input("var", F32({1, 4}, {2}))
      .Attr("epsilon", 0.0f)
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear(Values((*out)[0]), {1, 2});
}

TEST(NormBatchNormTest, TrainingModeUpdatesRunningStats) {
  NodeRunner r("BatchNormalization", 15);
  r.Input("X", F32({1, 3}, {2, 1, 1, 1}))
      .Input("scale", F32({1}, {1}))
      .Input("B", F32({0}, {1}))
      .Input("mean", F32({0}, {1}))
      .Input("var", F32({1}, {1}))
      .Attr("epsilon", 0.0f)
      .Attr("momentum", 0.25f)
      .Attr("training_mode", int64_t{1})
      .Output("Y")
      .Output("running_mean")
      .Output("running_var");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear(Values((*out)[0]), {-1, 1});
  ExpectNear(Values((*out)[1]), {0.25f * 0 + 0.75f * 2});
  ExpectNear(Values((*out)[2]), {0.25f * 1 + 0.75f * 1});
}

TEST(NormBatchNormTest, BadParamSize) {
  NodeRunner r("BatchNormalization", 9);
  r.Input("X", F32({1, 2}, {1, 2, 1, 1}))
      .Input("scale", F32({1, 2, 3}, {3}))
      .Input("B", F32({0, 1}, {2}))
      .Input("mean", F32({0, 1}, {2}))
      .Input("var", F32({1, 4}, {2}))
      .Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 1 (scale) is float32[3], expected a float tensor "
                                        "of 2 elements"),
            std::string::npos)
      << out.status();
}

TEST(NormBatchNormTest, StatsOutputsNeedTrainingMode) {
  NodeRunner r("BatchNormalization", 15);
  r.Input("X", F32({1, 3}, {2, 1, 1, 1}))
      .Input("scale", F32({1}, {1}))
      .Input("B", F32({0}, {1}))
      .Input("mean", F32({0}, {1}))
      .Input("var", F32({1}, {1}))
      .Output("Y")
      .Output("running_mean");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("require training_mode=1"), std::string::npos)
      << out.status();
}

TEST(NormInstanceNormTest, PerInstanceStats) {
  NodeRunner r("InstanceNormalization", 6);
  r.Input("X", F32({1, 3, 5, 5}, {2, 1, 2}))
      .Input("scale", F32({2}, {1}))
      .Input("B", F32({1}, {1}))
      .Attr("epsilon", 0.0f)
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // Instance 2 has zero variance with epsilon 0: 0 * inf = nan.
  const std::vector<float> v = Values((*out)[0]);
  EXPECT_NEAR(v[0], -1, 1e-6);
  EXPECT_NEAR(v[1], 3, 1e-6);
  EXPECT_TRUE(std::isnan(v[2]));
}

TEST(NormLayerNormTest, ScaleBiasAndStatsOutputs) {
  NodeRunner r("LayerNormalization", 17);
  r.Input("X", F32({1, 3, 0, 4}, {2, 2}))
      .Input("Scale", F32({2, 1}, {2}))
      .Input("B", F32({0, 1}, {2}))
      .Attr("epsilon", 0.0f)
      .Output("Y")
      .Output("Mean")
      .Output("InvStdDev");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear(Values((*out)[0]), {-2, 2, -2, 2});
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 1}));
  ExpectNear(Values((*out)[1]), {2, 2});
  ExpectNear(Values((*out)[2]), {1, 0.5f});
}

TEST(NormLayerNormTest, Errors) {
  NodeRunner r("LayerNormalization", 17);
  r.Input("X", F32({1, 3, 0, 4}, {2, 2})).Input("Scale", F32({1, 1, 1}, {3})).Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("must broadcast to X's shape [2, 2]"), std::string::npos)
      << out.status();
  NodeRunner r2("LayerNormalization", 17);
  r2.Input("X", F32({1, 3}, {2})).Input("Scale", F32({1, 1}, {2})).Attr("axis", int64_t{1});
  r2.Output("Y");
  EXPECT_FALSE(r2.Run().ok());
  NodeRunner r3("LayerNormalization", 17);
  r3.Input("X", F32({1, 3}, {2})).Input("Scale", F32({1, 1}, {2})).Attr("stash_type", int64_t{7});
  r3.Output("Y");
  auto out3 = r3.Run();
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("stash_type=7"), std::string::npos);
}

TEST(NormMvnTest, DefaultAxesPerChannel) {
  NodeRunner r("MeanVarianceNormalization", 13);
  r.Input("X", F32({1, 3, 5, 5}, {1, 2, 1, 2})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear(Values((*out)[0]), {-1, 1, 0, 0});
  NodeRunner r2("MeanVarianceNormalization", 13);
  r2.Input("X", F32({1, 3}, {2})).Attr("axes", std::vector<int64_t>{0, 0}).Output("Y");
  EXPECT_FALSE(r2.Run().ok());
}

TEST(NormLrnTest, ChannelWindow) {
  NodeRunner r("LRN", 13);
  r.Input("X", F32({1, 2, 3}, {1, 3, 1, 1}))
      .Attr("size", int64_t{3})
      .Attr("alpha", 3.0f)
      .Attr("beta", 1.0f)
      .Attr("bias", 1.0f)
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear(Values((*out)[0]), {1.0f / 6, 2.0f / 15, 3.0f / 14});
  NodeRunner r2("LRN", 13);
  r2.Input("X", F32({1, 2, 3}, {1, 3, 1, 1})).Output("Y");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("attribute size is required"), std::string::npos);
}

}  // namespace
}  // namespace trt::testing
