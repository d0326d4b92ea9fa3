// Tests for ai.trtserve::FusedMatMul against the composition of standard ONNX ops it
// replaces: Transpose -> MatMul -> Mul(alpha) -> Add(bias) -> activation, each run through
// its own reference kernel. Covers odd sizes, size 1, batch broadcast, 1-D operands, every
// activation and the error texts.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/testing/compare.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

Tensor Random(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  std::vector<float> v(static_cast<size_t>(shape.NumElements()));
  for (float& x : v) x = dist(rng);
  return Tensor::FromVector(v, shape);
}

Tensor RunOne(NodeRunner r) {
  auto out = r.Output("y").Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

Tensor SwapLastTwo(const Tensor& t) {
  std::vector<int64_t> perm;
  for (int i = 0; i < t.rank(); ++i) perm.push_back(i);
  std::swap(perm[t.rank() - 1], perm[t.rank() - 2]);
  return RunOne(NodeRunner("Transpose", 13).Input("x", t).Attr("perm", perm));
}

struct Act {
  std::string name;  // FusedMatMul's activation attribute
  std::vector<float> params;
};

// The reference composition.
Tensor Compose(const Tensor& a, const Tensor& b, const Tensor* bias, bool ta, bool tb, float alpha,
               const Act& act) {
  Tensor y = RunOne(NodeRunner("MatMul", 13)
                        .Input("a", ta ? SwapLastTwo(a) : a)
                        .Input("b", tb ? SwapLastTwo(b) : b));
  if (alpha != 1.0f) {
    y = RunOne(NodeRunner("Mul", 13).Input("y", y).Input("s", Tensor::Scalar<float>(alpha)));
  }
  if (bias) y = RunOne(NodeRunner("Add", 13).Input("y", y).Input("bias", *bias));
  if (act.name.empty()) return y;
  if (act.name == "Clip") {
    return RunOne(NodeRunner("Clip", 13)
                      .Input("x", y)
                      .Input("lo", Tensor::Scalar<float>(act.params[0]))
                      .Input("hi", Tensor::Scalar<float>(act.params[1])));
  }
  NodeRunner r(act.name, act.name == "Gelu" ? 20 : 14);
  r.Input("x", y);
  if (act.name == "LeakyRelu" && !act.params.empty()) r.Attr("alpha", act.params[0]);
  if (act.name == "HardSigmoid" && !act.params.empty()) {
    r.Attr("alpha", act.params[0]).Attr("beta", act.params[1]);
  }
  return RunOne(std::move(r));
}

StatusOr<std::vector<Tensor>> RunFused(const Tensor& a, const Tensor& b, const Tensor* bias,
                                       bool ta, bool tb, float alpha, const Act& act) {
  NodeRunner r("FusedMatMul", 1, "ai.trtserve");
  r.Input("a", a).ConstantInput("b", b);
  if (bias) r.ConstantInput("bias", *bias);
  r.Attr("transA", int64_t{ta}).Attr("transB", int64_t{tb}).Attr("alpha", alpha);
  if (!act.name.empty()) r.Attr("activation", act.name);
  if (!act.params.empty()) r.Attr("activation_params", act.params);
  return r.Output("y").Run();
}

struct Case {
  Shape a, b;  // stored shapes (already transposed when the flag is set)
  bool ta, tb;
  bool bias;
};

TEST(FusedMatMulTest, MatchesComposition) {
  const std::vector<Case> cases = {
      {{3, 5}, {5, 7}, false, false, true},
      {{5, 3}, {5, 7}, true, false, true},
      {{3, 5}, {7, 5}, false, true, false},
      {{5, 3}, {7, 5}, true, true, true},
      {{1, 1}, {1, 1}, false, false, true},
      {{2, 1, 1, 4}, {3, 4, 1}, false, false, true},
      {{4, 3, 17}, {17, 9}, false, false, true},
      {{2, 1, 13, 6}, {3, 11, 13}, true, true, true},
      {{5}, {5, 3}, false, false, true},
      {{2, 4, 5}, {5}, false, false, false},
      {{2, 3, 130}, {1, 130, 260}, false, false, true},
  };
  const std::vector<Act> acts = {
      {"", {}},          {"Relu", {}},    {"Clip", {-0.5f, 1.5f}},       {"LeakyRelu", {0.1f}},
      {"LeakyRelu", {}}, {"Sigmoid", {}}, {"HardSigmoid", {0.3f, 0.4f}}, {"HardSwish", {}},
      {"Gelu", {}},      {"Tanh", {}}};
  uint32_t seed = 1;
  for (const Case& c : cases) {
    for (const Act& act : acts) {
      for (float alpha : {1.0f, -0.5f}) {
        Tensor a = Random(c.a, seed++), b = Random(c.b, seed++);
        const int64_t n = c.b.rank() == 1 ? 1 : (c.tb ? c.b[c.b.rank() - 2] : c.b[c.b.rank() - 1]);
        Tensor bias = Random({n}, seed++);
        const Tensor* bp = c.bias && c.b.rank() > 1 ? &bias : nullptr;
        const std::string what = "A " + c.a.ToString() + " B " + c.b.ToString() + " transA " +
                                 std::to_string(c.ta) + " transB " + std::to_string(c.tb) +
                                 " act '" + act.name + "' alpha " + std::to_string(alpha) +
                                 " seed " + std::to_string(seed);
        auto got = RunFused(a, b, bp, c.ta, c.tb, alpha, act);
        ASSERT_TRUE(got.ok()) << what << ": " << got.status();
        Tensor want = Compose(a, b, bp, c.ta, c.tb, alpha, act);
        EXPECT_EQ(CompareTensors((*got)[0], want, {1e-5, 1e-6}), "") << what;
      }
    }
  }
}

TEST(FusedMatMulTest, ScalarBiasBroadcastsAndFloat64Works) {
  Tensor a = Random({3, 4}, 1), b = Random({4, 2}, 2);
  Tensor bias = Tensor::FromVector<float>({0.25f}, Shape{1});
  auto got = RunFused(a, b, &bias, false, false, 1.0f, {});
  ASSERT_TRUE(got.ok()) << got.status();
  Tensor want = Compose(a, b, &bias, false, false, 1.0f, {});
  EXPECT_EQ(CompareTensors((*got)[0], want, {1e-6, 0}), "");

  std::vector<double> ad = {1, 2, 3, 4, 5, 6}, bd = {1, -1, 2, 0.5, 0, 3};
  auto d = RunFused(Tensor::FromVector(ad, {2, 3}), Tensor::FromVector(bd, {3, 2}), nullptr, false,
                    false, 2.0f, {"Relu", {}});
  ASSERT_TRUE(d.ok()) << d.status();
  // [[1,2,3],[4,5,6]] @ [[1,-1],[2,0.5],[0,3]] = [[5, 9], [14, 16.5]]; * 2, Relu.
  EXPECT_EQ((*d)[0].dtype(), DType::kFloat64);
  EXPECT_EQ((*d)[0].data<double>()[0], 10.0);
  EXPECT_EQ((*d)[0].data<double>()[3], 33.0);
}

TEST(FusedMatMulTest, ErrorTexts) {
  Tensor a = Random({3, 4}, 1);
  auto expect_error = [](const StatusOr<std::vector<Tensor>>& r, const std::string& text) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status();
  };
  expect_error(RunFused(a, Random({5, 2}, 2), nullptr, false, false, 1.0f, {}),
               "(K must match: 4 vs 5)");
  Tensor bad_bias = Random({3}, 3);
  expect_error(RunFused(a, Random({4, 2}, 2), &bad_bias, false, false, 1.0f, {}),
               "bias [3] must have N = 2 or 1 elements");
  expect_error(RunFused(a, Random({4}, 2), nullptr, false, true, 1.0f, {}),
               "and >= 2 when transposed");
  expect_error(RunFused(a, Random({4, 2}, 2), nullptr, false, false, 1.0f, {"Swish", {}}),
               "attribute activation is \"Swish\", expected \"\" or one of Relu, Clip");
  expect_error(RunFused(a, Random({4, 2}, 2), nullptr, false, false, 1.0f, {"Clip", {1.0f}}),
               "attribute activation_params has 1 values, activation \"Clip\" takes 2");
  expect_error(
      RunFused(Random({2, 3, 4}, 1), Random({3, 4, 2}, 2), nullptr, false, false, 1.0f, {}),
      "batch dims");
  Tensor ai = Tensor::FromVector<int32_t>({1, 2}, {1, 2});
  NodeRunner r("FusedMatMul", 1, "ai.trtserve");
  expect_error(
      r.Input("a", ai).Input("b", Tensor::FromVector<int32_t>({1, 2}, {2, 1})).Output("y").Run(),
      "int32");
}

}  // namespace
}  // namespace trt::testing
