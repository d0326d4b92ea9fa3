// FusedConv / FusedGemm (ai.trtserve) against the unfused composition Conv/Gemm followed by
// the ai.onnx activation node: results must be bit-identical. Also the activation
// attribute errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/kernels/fused/activation.h"
#include "tests/testing/compare.h"
#include "tests/testing/node_runner.h"

namespace trt::kernels {
namespace {

using testing::NodeRunner;

Tensor Random(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2, 2);
  Tensor t(DType::kFloat32, s);
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

struct Act {
  std::string name;
  std::vector<float> params;
};

std::vector<Act> AllActs() {
  return {{"", {}},
          {"Relu", {}},
          {"Clip", {-0.5f, 1.5f}},
          {"LeakyRelu", {0.3f}},
          {"Sigmoid", {}},
          {"HardSigmoid", {0.25f, 0.4f}},
          {"HardSwish", {}},
          {"Gelu", {}},
          {"Tanh", {}}};
}

// Applies `act` to `y` with the ai.onnx (or com.microsoft) reference kernel.
Tensor Unfused(const Act& act, const Tensor& y) {
  if (act.name.empty()) return y;
  NodeRunner r(act.name, act.name == "Gelu" ? 1 : 14, act.name == "Gelu" ? "com.microsoft" : "");
  r.Input("y", y);
  if (act.name == "Clip") {
    r.ConstantInput("lo", Tensor::Scalar<float>(act.params[0]));
    r.ConstantInput("hi", Tensor::Scalar<float>(act.params[1]));
  }
  if (act.name == "LeakyRelu") r.Attr("alpha", act.params[0]);
  if (act.name == "HardSigmoid") r.Attr("alpha", act.params[0]).Attr("beta", act.params[1]);
  auto out = r.Output("z").Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

NodeRunner& WithActivation(NodeRunner& r, const Act& act) {
  r.Attr("activation", act.name);
  if (!act.params.empty()) r.Attr("activation_params", act.params);
  return r;
}

struct ConvCase {
  Shape x, w;
  int64_t group;
  std::vector<int64_t> pads, strides, dilations;
  bool bias;
};

TEST(FusedConvTest, MatchesConvPlusActivation) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 7, 5}, {4, 3, 3, 3}, 1, {1, 1, 1, 1}, {1, 1}, {1, 1}, true},
      {{2, 4, 9, 9}, {6, 2, 3, 3}, 2, {0, 1, 2, 0}, {2, 1}, {1, 2}, true},   // groups, odd
      {{1, 1, 1, 1}, {1, 1, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, false},  // size 1
      {{3, 5, 11}, {5, 1, 3}, 5, {1, 1}, {3}, {1}, true},                    // depthwise 1-D
      {{1, 2, 3, 4, 5}, {3, 2, 2, 2, 2}, 1, {0, 1, 0, 1, 0, 1}, {1, 1, 2}, {1, 1, 1}, false},
  };
  uint32_t seed = 100;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const ConvCase& c = cases[ci];
    const Tensor x = Random(c.x, ++seed), w = Random(c.w, ++seed);
    const Tensor b = Random(Shape{c.w[0]}, ++seed);
    NodeRunner conv("Conv", 13);
    conv.Input("x", x).ConstantInput("w", w);
    if (c.bias) conv.ConstantInput("b", b);
    conv.Attr("group", c.group).Attr("pads", c.pads).Attr("strides", c.strides);
    conv.Attr("dilations", c.dilations).Output("y");
    auto y = conv.Run();
    ASSERT_TRUE(y.ok()) << y.status();
    for (const Act& act : AllActs()) {
      SCOPED_TRACE("case " + std::to_string(ci) + " activation '" + act.name + "' seed " +
                   std::to_string(seed));
      const Tensor want = Unfused(act, (*y)[0]);
      NodeRunner fused("FusedConv", 1, "ai.trtserve");
      fused.Input("x", x).ConstantInput("w", w);
      if (c.bias) fused.ConstantInput("b", b);
      fused.Attr("group", c.group).Attr("pads", c.pads).Attr("strides", c.strides);
      fused.Attr("dilations", c.dilations).Output("y");
      auto got = WithActivation(fused, act).Run();
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(testing::CompareTensors((*got)[0], want, {0, 0}), "");
    }
  }
}

TEST(FusedGemmTest, MatchesGemmPlusActivation) {
  struct GemmCase {
    int64_t m, k, n;
    bool trans_a, trans_b;
    Shape c;  // empty rank-0 marker: {} means no C
    bool has_c;
    float alpha, beta;
  };
  const std::vector<GemmCase> cases = {
      {5, 7, 3, false, false, {3}, true, 1.0f, 1.0f},
      {1, 1, 1, false, false, {}, false, 1.0f, 1.0f},        // size 1, no C
      {13, 17, 11, true, true, {13, 1}, true, 0.5f, -2.0f},  // odd, transposed, column C
      {4, 9, 6, false, true, {4, 6}, true, 0.0f, 1.0f},      // alpha 0
  };
  uint32_t seed = 200;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const GemmCase& c = cases[ci];
    const Tensor a = Random(c.trans_a ? Shape{c.k, c.m} : Shape{c.m, c.k}, ++seed);
    const Tensor b = Random(c.trans_b ? Shape{c.n, c.k} : Shape{c.k, c.n}, ++seed);
    const Tensor cc = Random(c.c, ++seed);
    auto build = [&](NodeRunner& r) {
      r.Input("a", a).ConstantInput("b", b);
      if (c.has_c) r.ConstantInput("c", cc);
      r.Attr("transA", int64_t{c.trans_a}).Attr("transB", int64_t{c.trans_b});
      r.Attr("alpha", c.alpha).Attr("beta", c.beta).Output("y");
    };
    NodeRunner gemm("Gemm", 13);
    build(gemm);
    auto y = gemm.Run();
    ASSERT_TRUE(y.ok()) << y.status();
    for (const Act& act : AllActs()) {
      SCOPED_TRACE("case " + std::to_string(ci) + " activation '" + act.name + "'");
      const Tensor want = Unfused(act, (*y)[0]);
      NodeRunner fused("FusedGemm", 1, "ai.trtserve");
      build(fused);
      auto got = WithActivation(fused, act).Run();
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(testing::CompareTensors((*got)[0], want, {0, 0}), "");
    }
  }
}

TEST(FusedActivationTest, ApplyMatchesFormulasOnSpecialValues) {
  const fused::Activation relu{fused::ActivationKind::kRelu};
  EXPECT_EQ(fused::Apply(relu, -0.0f), -0.0f);
  EXPECT_TRUE(std::isnan(fused::Apply(relu, NAN)));
  const fused::Activation clip{fused::ActivationKind::kClip, 0.0f, 6.0f};
  std::vector<float> v = {-1.0f, 3.0f, 7.0f};
  fused::ApplyInPlace(clip, std::span<float>(v));
  EXPECT_EQ(v, (std::vector<float>{0.0f, 3.0f, 6.0f}));
  const fused::Activation sig{fused::ActivationKind::kSigmoid};
  EXPECT_EQ(fused::Apply(sig, -1000.0f), 0.0f);
  EXPECT_EQ(fused::Apply(sig, 1000.0), 1.0);
}

TEST(FusedActivationTest, ActivationAttributeErrors) {
  auto run = [](const std::string& op, const std::string& act, std::vector<float> params) {
    NodeRunner r(op, 1, "ai.trtserve");
    if (op == "FusedConv") {
      r.Input("a", Random(Shape{1, 1, 2, 2}, 1)).ConstantInput("b", Random(Shape{1, 1, 1, 1}, 2));
    } else {
      r.Input("a", Random(Shape{2, 2}, 1)).ConstantInput("b", Random(Shape{2, 2}, 2));
    }
    r.Attr("activation", act).Attr("activation_params", std::move(params)).Output("y");
    auto out = r.Run();
    EXPECT_FALSE(out.ok());
    return out.ok() ? std::string() : std::string(out.status().message());
  };
  EXPECT_THAT(run("FusedConv", "Swish", {}),
              ::testing::HasSubstr("node 'FusedConv_node' (ai.trtserve.FusedConv, opset 1): "
                                   "attribute activation is \"Swish\", "
                                   "expected \"\" or one of Relu, Clip, LeakyRelu, Sigmoid, "
                                   "HardSigmoid, HardSwish, Gelu, Tanh"));
  EXPECT_THAT(
      run("FusedGemm", "Clip", {0.0f}),
      ::testing::HasSubstr("(ai.trtserve.FusedGemm, opset 1): attribute activation_params has 1 "
                           "values, activation \"Clip\" takes 2"));
  EXPECT_THAT(run("FusedGemm", "Relu", {1.0f}),
              ::testing::HasSubstr("activation_params has 1 values, activation \"Relu\" takes 0"));
  EXPECT_THAT(run("FusedGemm", "LeakyRelu", {0.1f, 0.2f}),
              ::testing::HasSubstr("activation \"LeakyRelu\" takes 1"));
}

TEST(FusedActivationTest, GemmShapeErrorsKeepTheFusedNodeName) {
  NodeRunner r("FusedGemm", 1, "ai.trtserve");
  r.Input("a", Random(Shape{2, 3}, 1)).ConstantInput("b", Random(Shape{4, 2}, 2));
  r.Attr("activation", std::string("Relu")).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(
      std::string(out.status().message()),
      ::testing::HasSubstr("(ai.trtserve.FusedGemm, opset 1): input 1 (B) has shape [4, 2]"));
}

}  // namespace
}  // namespace trt::kernels
