// The fast float32 unary kernels (engine/kernels/elementwise/unary_f32.h: Exp, Erf, Sigmoid,
// Tanh, Gelu in its three domains and two forms) at every ISA level this CPU runs, 1 and 2
// threads, against the reference kernels (the same node at Isa::kGeneric, std:: functions in
// float), and the GEMM epilogue that uses the same vector functions: FusedMatMul with
// Gelu/Sigmoid/Tanh equals MatMul followed by the standalone op bit for bit at each level.
// Tolerance against the reference: the vec_math.h bound plus 2 ulp for the reference's own
// float evaluation; for the GELU forms also the absolute term of 1 + erf / 1 + tanh near 0
// (|x| * 2^-23, 2^-22 for the tanh form), which both sides round.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "tests/testing/kernel_test_util.h"

namespace trt::testing {
namespace {

struct UnaryCase {
  const char* op;
  int opset;
  const char* domain;
  const char* approximate;  // Gelu only ("" = attribute absent)
  const char* kernel;       // expected name prefix
  double ulps;              // vec_math.h bound + 2
  double abs_per_x;
};

const UnaryCase kCases[] = {
    {"Exp", 13, "", "", "f32_vexp", 4, 0},
    {"Erf", 13, "", "", "f32_verf", 4, 0},
    {"Sigmoid", 13, "", "", "f32_vsigmoid", 5, 0},
    {"Tanh", 13, "", "", "f32_vtanh", 4, 0},
    {"Gelu", 1, "com.microsoft", "", "f32_vgelu", 5, 0x1p-23},
    {"Gelu", 20, "", "none", "f32_vgelu", 5, 0x1p-23},
    {"Gelu", 20, "", "tanh", "f32_vgelu_tanh", 4, 0x1p-22},
    {"Gelu", 1, "ai.trtserve", "", "f32_vgelu", 5, 0x1p-23},
    {"Gelu", 1, "ai.trtserve", "tanh", "f32_vgelu_tanh", 4, 0x1p-22},
};

NodeRunner Unary(const UnaryCase& c, const Tensor& x, Isa isa, int threads = 1) {
  NodeRunner r(c.op, c.opset, c.domain);
  r.Input("x", x).Output("y").Isa(isa).Threads(threads);
  if (*c.approximate) r.Attr("approximate", std::string(c.approximate));
  return r;
}

std::vector<Tensor> RunUnary(const UnaryCase& c, const Tensor& x, Isa isa, int threads) {
  auto out = Unary(c, x, isa, threads).Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Tensor>{};
}

using UnaryF32Test = OptimizedIsaTest;

TEST_P(UnaryF32Test, MatchesTheReference) {
  // Lengths: 1, tails of 8 and 16, and one large enough for the parallel path.
  const std::vector<Shape> shapes = {{1}, {7}, {3, 5}, {17}, {2, 33}, {100003}};
  uint32_t seed = 1;
  for (const UnaryCase& c : kCases) {
    for (const Shape& shape : shapes) {
      // Exp over [-100, 90] reaches overflow and denormals; the others [-12, 12].
      const bool exp = std::string(c.op) == "Exp";
      const Tensor x = UniformF32(shape, seed++, exp ? -100.0f : -12.0f, exp ? 90.0f : 12.0f);
      const std::vector<Tensor> want = RunUnary(c, x, Isa::kGeneric, 1);
      ASSERT_EQ(want.size(), 1u);
      for (int threads : {1, 2}) {
        const std::string what = std::string(c.domain) + "::" + c.op + " " + c.approximate + " " +
                                 shape.ToString() + " threads " + std::to_string(threads);
        const std::vector<Tensor> got = RunUnary(c, x, GetParam(), threads);
        ASSERT_EQ(got.size(), 1u) << what;
        ASSERT_EQ(got[0].shape(), shape) << what;
        for (int64_t i = 0; i < x.NumElements(); ++i) {
          const float g = got[0].data<float>()[i], w = want[0].data<float>()[i];
          const float xi = x.data<float>()[i];
          if (std::isinf(w)) {
            ASSERT_EQ(g, w) << what << " x " << xi;
            continue;
          }
          const double tol = c.ulps * FloatUlp(w) + c.abs_per_x * std::fabs(xi);
          ASSERT_LE(std::fabs(static_cast<double>(g) - w), tol)
              << what << " x " << xi << ": " << g << ", reference " << w;
        }
      }
    }
    const Tensor x = UniformF32({4}, 0, -1, 1);
    EXPECT_EQ(KernelNameOf(Unary(c, x, GetParam())), c.kernel + IsaSuffix());
    EXPECT_EQ(KernelNameOf(Unary(c, x, Isa::kGeneric)), "ref");
  }
}

TEST_P(UnaryF32Test, NonFloat32KeepsTheReference) {
  // Erf on integers (computed in double, truncated) and a float64 Tanh: reference results.
  NodeRunner erf("Erf", 13);
  erf.Input("x", Tensor::FromVector<int32_t>({0, 2, -3})).Output("y").Isa(GetParam());
  auto e = erf.Run();
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)[0].data<int32_t>()[1], 0);  // erf(2) = 0.995 truncates to 0
  NodeRunner tanh("Tanh", 13);
  tanh.Input("x", Tensor::FromVector<double>({0.5, -2})).Output("y").Isa(GetParam());
  auto t = tanh.Run();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)[0].data<double>()[0], std::tanh(0.5));
}

// MatMul (alpha 1, no bias: the same GEMM accumulation) then the standalone activation
// equals FusedMatMul with that activation, bit for bit, at each level.
TEST_P(UnaryF32Test, FusedEpilogueEqualsTheStandaloneOp) {
  const struct {
    const char* act;
    const char* op;
    int opset;
    const char* domain;
  } acts[] = {{"Gelu", "Gelu", 1, "com.microsoft"},
              {"Sigmoid", "Sigmoid", 13, ""},
              {"Tanh", "Tanh", 13, ""}};
  const Tensor a = UniformF32({2, 37, 64}, 3, -1, 1), b = UniformF32({64, 45}, 4, -1, 1);
  for (const auto& act : acts) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::string(act.act) + " threads " + std::to_string(threads));
      NodeRunner mm("MatMul", 13);
      mm.Input("a", a).ConstantInput("b", b).Output("y").Isa(GetParam()).Threads(threads);
      auto y = mm.Run();
      ASSERT_TRUE(y.ok()) << y.status();
      NodeRunner f(act.op, act.opset, act.domain);
      f.Input("y", (*y)[0]).Output("z").Isa(GetParam()).Threads(threads);
      auto want = f.Run();
      ASSERT_TRUE(want.ok()) << want.status();
      NodeRunner fused("FusedMatMul", 1, "ai.trtserve");
      fused.Input("a", a).ConstantInput("b", b).Attr("activation", std::string(act.act));
      fused.Output("z").Isa(GetParam()).Threads(threads);
      auto got = fused.Run();
      ASSERT_TRUE(got.ok()) << got.status();
      const Tensor& w = (*want)[0];
      const Tensor& g = (*got)[0];
      ASSERT_EQ(g.shape(), w.shape());
      EXPECT_EQ(std::memcmp(g.data<float>(), w.data<float>(), w.nbytes()), 0);
    }
  }
}

INSTANTIATE_OPTIMIZED_ISA_LEVELS(UnaryF32Test);

}  // namespace
}  // namespace trt::testing
