// Conv, FusedConv, Gemm, FusedGemm, MatMul and FusedMatMul at every ISA level this CPU runs,
// against the same node at Isa::kGeneric (the scalar reference kernels). Inputs are small
// integers so the products are exact and the outputs must be identical bit for bit; the
// kernel name recorded for the node must be the level's GEMM variant (not "ref"). The
// exception is the Sigmoid, Tanh and Gelu epilogues, which run the vector math of
// common/vec_math.h above generic: those outputs agree within kVecMathTolerance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/kernels/gemm/gemm.h"
#include "tests/testing/isa_levels.h"
#include "tests/testing/kernel_test_util.h"

namespace trt::testing {
namespace {

Tensor Ints(Shape shape, uint32_t seed, int lo = -3, int hi = 3) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  Tensor t(DType::kFloat32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.NumElements(); ++i) p[i] = static_cast<float>(d(rng));
  return t;
}

// Relative tolerance (of max(|y|, 1)) for the vector-math epilogues: a few ulp of each side.
constexpr double kVecMathTolerance = 1e-6;

bool UsesVecMath(const std::string& activation) {
  return activation == "Sigmoid" || activation == "Tanh" || activation == "Gelu";
}

struct ConvCase {
  Shape x, w;
  std::vector<int64_t> strides, pads, dilations;
  int64_t group;
  bool bias;
  std::string activation;
};

TEST(GemmOpsIsa, ConvMatchesTheReference) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 11, 13}, {5, 3, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, true, ""},
      {{2, 8, 9, 9}, {16, 8, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, true, "Relu"},  // pointwise
      {{1, 7, 15, 17}, {33, 7, 3, 3}, {2, 2}, {1, 0, 2, 1}, {1, 1}, 1, false, ""},
      {{1, 4, 10, 12}, {6, 2, 3, 5}, {1, 2}, {2, 1, 0, 3}, {2, 1}, 2, true, "Sigmoid"},
      {{1, 16, 7, 7}, {40, 16, 1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1, true, "Clip"},
      {{1, 3, 30, 30}, {8, 3, 7, 7}, {2, 2}, {3, 3, 3, 3}, {1, 1}, 1, true, "Relu"},
      {{3, 1, 1, 1}, {1, 1, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, false, ""},  // size 1
      // Batches of >= 2 images per thread run whole images per thread: 5 = 3 + 2.
      {{5, 4, 6, 7}, {6, 2, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2, true, "Relu"},
      {{4, 8, 5, 5}, {16, 8, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, true, ""},
      {{1, 5, 29}, {9, 5, 4}, {3}, {2, 1}, {2}, 1, true, ""},  // 1-D
      {{1, 2, 5, 6, 7}, {4, 2, 3, 3, 3}, {1, 1, 2}, {1, 1, 1, 1, 1, 1}, {1, 1, 1}, 1, true, ""},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) {
    const bool fused = !c.activation.empty();
    const Tensor x = Ints(c.x, seed++), w = Ints(c.w, seed++), b = Ints({c.w[0]}, seed++);
    ExpectSameAtEveryLevel(
        "Conv x" + c.x.ToString() + " w" + c.w.ToString() + " " + c.activation,
        [&] {
          NodeRunner r(fused ? "FusedConv" : "Conv", fused ? 1 : 13, fused ? "ai.trtserve" : "");
          r.Input("X", x).ConstantInput("W", w);
          if (c.bias) r.ConstantInput("B", b);
          r.Attr("strides", c.strides).Attr("pads", c.pads);
          r.Attr("dilations", c.dilations).Attr("group", c.group);
          if (fused) r.Attr("activation", c.activation);
          if (c.activation == "Clip") r.Attr("activation_params", std::vector<float>{-2, 4});
          r.Output("Y");
          return r;
        },
        UsesVecMath(c.activation) ? kVecMathTolerance : 0);
    if (HasFatalFailure()) return;
  }
}

TEST(GemmOpsIsa, FusedConvWithResidualZ) {
  // Y = act(conv(X, W) + B + Z): the reference adds Z after the convolution; the fast kernel
  // in the GEMM epilogue. Same order of additions, so exact.
  const std::vector<ConvCase> cases = {
      {{1, 8, 9, 11}, {16, 8, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, true, "Relu"},
      {{2, 5, 7, 7}, {7, 5, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, false, "Relu"},
      {{1, 6, 13, 5}, {34, 3, 3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 2, true, ""},
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, true, ""},
      {{5, 3, 6, 5}, {4, 3, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, true, "Relu"},  // per image
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) {
    const Tensor x = Ints(c.x, seed++), w = Ints(c.w, seed++), b = Ints({c.w[0]}, seed++);
    // Z has the output's shape: run once at generic without Z to learn it.
    NodeRunner probe("Conv", 13);
    probe.Input("X", x).ConstantInput("W", w).Attr("strides", c.strides).Attr("pads", c.pads);
    probe.Attr("dilations", c.dilations).Attr("group", c.group).Output("Y");
    auto shape = probe.Isa(trt::Isa::kGeneric).Run();
    ASSERT_TRUE(shape.ok()) << shape.status().ToString();
    const Tensor z = Ints((*shape)[0].shape(), seed++);
    ExpectSameAtEveryLevel("FusedConv+Z x" + c.x.ToString() + " w" + c.w.ToString(), [&] {
      NodeRunner r("FusedConv", 1, "ai.trtserve");
      r.Input("X", x).ConstantInput("W", w);
      if (c.bias) {
        r.ConstantInput("B", b);
      } else {
        r.OmittedInput();
      }
      r.Input("Z", z);
      r.Attr("strides", c.strides).Attr("pads", c.pads);
      r.Attr("dilations", c.dilations).Attr("group", c.group);
      if (!c.activation.empty()) r.Attr("activation", c.activation);
      r.Output("Y");
      return r;
    });
    if (HasFatalFailure()) return;
    // And the reference agrees with conv, then + Z, then the activation, computed here.
    NodeRunner conv("Conv", 13);
    conv.Input("X", x).ConstantInput("W", w);
    if (c.bias) conv.ConstantInput("B", b);
    conv.Attr("strides", c.strides).Attr("pads", c.pads).Attr("dilations", c.dilations);
    conv.Attr("group", c.group).Output("Y");
    auto y = conv.Isa(trt::Isa::kGeneric).Run();
    ASSERT_TRUE(y.ok());
    NodeRunner fused("FusedConv", 1, "ai.trtserve");
    fused.Input("X", x).ConstantInput("W", w);
    if (c.bias) {
      fused.ConstantInput("B", b);
    } else {
      fused.OmittedInput();
    }
    fused.Input("Z", z).Attr("strides", c.strides).Attr("pads", c.pads);
    fused.Attr("dilations", c.dilations).Attr("group", c.group).Output("Y");
    if (!c.activation.empty()) fused.Attr("activation", c.activation);
    auto got = fused.Isa(trt::Isa::kGeneric).Run();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    for (int64_t i = 0; i < z.NumElements(); ++i) {
      float want = (*y)[0].data<float>()[i] + z.data<float>()[i];
      if (c.activation == "Relu") want = want < 0 ? 0.0f : want;
      ASSERT_EQ((*got)[0].data<float>()[i], want) << "element " << i;
    }
  }
}

TEST(GemmOpsIsa, FusedConvRejectsAResidualOfTheWrongShape) {
  const Tensor x = Ints({1, 2, 5, 5}, 7), w = Ints({3, 2, 3, 3}, 8), z = Ints({1, 3, 5, 4}, 9);
  for (trt::Isa isa : {trt::Isa::kGeneric, HardwareIsa()}) {
    NodeRunner r("FusedConv", 1, "ai.trtserve");
    r.Input("X", x).ConstantInput("W", w).OmittedInput().Input("Z", z);
    r.Attr("pads", std::vector<int64_t>{1, 1, 1, 1}).Output("Y");
    auto got = r.Isa(isa).Run();
    ASSERT_FALSE(got.ok()) << IsaName(isa);
    EXPECT_NE(got.status().message().find("Z"), std::string::npos) << got.status().ToString();
  }
}

TEST(GemmOpsIsa, MatMulBroadcastsAndPromotes) {
  struct MC {
    Shape a, b;
    bool b_const;
  };
  const std::vector<MC> cases = {
      {{5, 7}, {7, 9}, true},
      {{2, 3, 17, 33}, {33, 40}, true},
      {{1, 768}, {768, 50}, true},
      {{2, 4, 10, 8}, {2, 4, 8, 10}, false},
      {{3, 1, 6, 5}, {4, 5, 7}, false},
      {{7, 13, 5}, {7, 5, 3}, false},  // 7 matrices over 2 threads: 4 + 3
      {{11}, {11, 6}, true},
      {{4, 6}, {6}, false},
      {{1, 1}, {1, 1}, true},
  };
  uint32_t seed = 50;
  for (const MC& c : cases) {
    const Tensor a = Ints(c.a, seed++), b = Ints(c.b, seed++);
    ExpectSameAtEveryLevel("MatMul " + c.a.ToString() + " x " + c.b.ToString(), [&] {
      NodeRunner r("MatMul", 13);
      r.Input("A", a);
      if (c.b_const) {
        r.ConstantInput("B", b);
      } else {
        r.Input("B", b);
      }
      r.Output("Y");
      return r;
    });
    if (HasFatalFailure()) return;
  }
}

TEST(GemmOpsIsa, GemmWithEveryShapeOfC) {
  struct GC {
    bool ta, tb;
    Shape c;
    float alpha, beta;
    std::string activation;
  };
  const int64_t m = 13, k = 21, n = 37;
  const std::vector<GC> cases = {
      {false, false, {n}, 1, 1, ""},
      {false, true, {1, n}, 0.5f, 2, ""},
      {true, false, {m, 1}, 1, 1, ""},
      {true, true, {m, n}, 2, 0.5f, "Relu"},
      {false, true, {1, 1}, 1, 1, "LeakyRelu"},
      {false, false, {}, 1, 1, "Tanh"},
  };
  uint32_t seed = 80;
  for (const GC& c : cases) {
    const Tensor a = Ints(c.ta ? Shape{k, m} : Shape{m, k}, seed++);
    const Tensor b = Ints(c.tb ? Shape{n, k} : Shape{k, n}, seed++);
    const Tensor cc = Ints(c.c, seed++);
    const bool fused = !c.activation.empty();
    ExpectSameAtEveryLevel(
        "Gemm C" + c.c.ToString() + " " + c.activation,
        [&] {
          NodeRunner r(fused ? "FusedGemm" : "Gemm", fused ? 1 : 13, fused ? "ai.trtserve" : "");
          r.Input("A", a).ConstantInput("B", b);
          if (c.c.rank() > 0)
            r.ConstantInput("C", cc);
          else
            r.OmittedInput();
          r.Attr("transA", int64_t{c.ta}).Attr("transB", int64_t{c.tb});
          r.Attr("alpha", c.alpha).Attr("beta", c.beta);
          if (fused) r.Attr("activation", c.activation);
          r.Output("Y");
          return r;
        },
        UsesVecMath(c.activation) ? kVecMathTolerance : 0);
    if (HasFatalFailure()) return;
  }
}

TEST(GemmOpsIsa, FusedMatMulWithTransposesBiasAndActivation) {
  uint32_t seed = 120;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const Tensor a = Ints(ta ? Shape{2, 19, 9} : Shape{2, 9, 19}, seed++);
      const Tensor b = Ints(tb ? Shape{45, 19} : Shape{19, 45}, seed++);
      const Tensor bias = Ints({45}, seed++);
      ExpectSameAtEveryLevel(
          "FusedMatMul ta " + std::to_string(ta) + " tb " + std::to_string(tb),
          [&] {
            NodeRunner r("FusedMatMul", 1, "ai.trtserve");
            r.Input("A", a).ConstantInput("B", b).ConstantInput("bias", bias);
            r.Attr("transA", int64_t{ta}).Attr("transB", int64_t{tb});
            r.Attr("alpha", 0.5f).Attr("activation", std::string("Gelu"));
            r.Output("Y");
            return r;
          },
          kVecMathTolerance);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace trt::testing
