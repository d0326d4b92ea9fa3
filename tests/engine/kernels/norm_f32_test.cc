// The fast float32 Softmax and LayerNormalization kernels (engine/kernels/norm/norm_f32.h)
// at every ISA level this CPU runs, 1 and 2 threads, against the reference kernels (the same
// node at Isa::kGeneric): odd lengths, tails of 8/16, rows of length 1, a single row, rows of
// 4099, tensors large enough to be split over threads, the legacy 2-D coercion, special
// values, the fallbacks to the reference, and the kernel names recorded for the node.
// Error bounds (norm_f32.h), eps = 2^-24, n = row length:
//   Softmax    |y - y_ref| <= y_ref * eps * (16 + n / 8 + |x - max|) + 2^-146
//   LayerNorm  |y - y_ref| <= eps * (16 + n / 8) * (|scale| * (1 + |z| + |mean| / std) + |bias|)
//              Mean: eps * (16 + n / 8) * (|mean| + std); InvStdDev: relative eps * (16 + n / 8)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/norm/f32_norm_rows.h"
#include "tests/testing/guarded_buffer.h"
#include "tests/testing/kernel_test_util.h"

namespace trt::testing {
namespace {

constexpr double kEps = 0x1p-24;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

using NormF32Test = OptimizedIsaTest;

// ---------------------------------------------------------------- Softmax

struct SoftmaxCase {
  Shape shape;
  int opset;
  int64_t axis;
};

NodeRunner Softmax(const Tensor& x, const SoftmaxCase& c, Isa isa, int threads = 1) {
  NodeRunner r("Softmax", c.opset);
  r.Input("x", x).Attr("axis", c.axis).Output("y").Isa(isa).Threads(threads);
  return r;
}

std::vector<Tensor> RunSoftmax(const Tensor& x, const SoftmaxCase& c, Isa isa, int threads) {
  auto out = Softmax(x, c, isa, threads).Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Tensor>{};
}

// Checks got against the reference within the Softmax bound; rows of n contiguous elements.
void ExpectSoftmaxNear(const Tensor& x, const Tensor& got, const Tensor& want, int64_t n,
                       const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const float* xd = x.data<float>();
  for (int64_t row = 0; row * n < x.NumElements(); ++row) {
    double max = -kInf;
    for (int64_t i = 0; i < n; ++i) max = std::max(max, static_cast<double>(xd[row * n + i]));
    for (int64_t i = row * n; i < (row + 1) * n; ++i) {
      const float g = got.data<float>()[i], w = want.data<float>()[i];
      if (std::isnan(w) || std::isinf(w)) {
        ASSERT_EQ(std::isnan(g), std::isnan(w)) << what << " element " << i << ": " << g;
        if (!std::isnan(w)) ASSERT_EQ(g, w) << what << " element " << i;
        continue;
      }
      const double spread = w > 0 ? std::fabs(xd[i] - max) : 0;  // (-inf - max: w = 0)
      const double tol = w * kEps * (16.0 + n / 8.0 + spread) + 0x1p-146;
      ASSERT_LE(std::fabs(static_cast<double>(g) - w), tol)
          << what << " element " << i << " x " << xd[i] << ": " << g << ", reference " << w;
    }
  }
}

TEST_P(NormF32Test, SoftmaxMatchesTheReference) {
  const std::vector<SoftmaxCase> cases = {
      {{1}, 13, -1},       {{7, 1}, 13, -1},     {{3, 5}, 13, -1},
      {{2, 3, 17}, 13, 2}, {{4, 16}, 13, -1},    {{5, 33}, 13, -1},
      {{9, 15}, 13, -1},   {{37, 8}, 13, -1},    {{1, 4099}, 13, -1},
      {{3, 4099}, 13, -1}, {{40, 4099}, 13, -1}, {{12, 128, 128}, 13, -1},
      {{2, 3, 5}, 11, 1},  {{2, 3, 5}, 11, 0},   {{4, 7}, 1, 1},
      {{6, 1, 31}, 11, 3},  // legacy axis == rank: rows of one element
  };
  uint32_t seed = 1;
  for (const SoftmaxCase& c : cases) {
    // Half the cases get a wide range, so exp(x - max) reaches tiny and denormal values.
    const float range = seed % 2 ? 8.0f : 120.0f;
    const Tensor x = UniformF32(c.shape, seed++, -range, range);
    const int r = c.shape.rank();
    const int axis = static_cast<int>(c.axis < 0 ? c.axis + r : c.axis);
    const int64_t n = c.opset < 13 ? c.shape.NumElements(axis, r) : c.shape[axis];
    const std::vector<Tensor> want = RunSoftmax(x, c, Isa::kGeneric, 1);
    ASSERT_EQ(want.size(), 1u);
    for (int threads : {1, 2}) {
      const std::string what = "Softmax-" + std::to_string(c.opset) + " " + c.shape.ToString() +
                               " axis " + std::to_string(c.axis) + " threads " +
                               std::to_string(threads) + " seed " + std::to_string(seed - 1);
      const std::vector<Tensor> got = RunSoftmax(x, c, GetParam(), threads);
      ASSERT_EQ(got.size(), 1u) << what;
      ExpectSoftmaxNear(x, got[0], want[0], n, what);
    }
    EXPECT_EQ(KernelNameOf(Softmax(x, c, GetParam())), "f32_softmax" + IsaSuffix());
  }
}

TEST_P(NormF32Test, SoftmaxSpecialRowsMatchTheReference) {
  // One row per line; rows of 19 cover a full vector plus a tail at both widths.
  constexpr int64_t n = 19;
  std::vector<float> rows[] = {
      {-kInf, 1, 2, -kInf, 3},     // -inf entries give 0
      {-kInf, -kInf, -kInf},       // all -inf: NaN (-inf - -inf), as the reference
      {1, kInf, 2},                // +inf: NaN
      {1, kNaN, 2},                // NaN anywhere: NaN
      {kNaN, 1, 2},                //
      {3e38f, -3e38f, 1e38f, 0},   // huge values: max subtraction, no overflow
      {1000, 999, 998, -1000},     //
      {-87, -100, -103, -150, 0},  // exp(x - max) down to denormals and 0
  };
  std::vector<float> flat;
  for (auto& r : rows) {
    r.resize(n, r.back());  // pad with the row's last value (keeps all -inf rows all -inf)
    flat.insert(flat.end(), r.begin(), r.end());
  }
  const SoftmaxCase c{{static_cast<int64_t>(std::size(rows)), n}, 13, -1};
  const Tensor x = Tensor::FromVector(flat, c.shape);
  const std::vector<Tensor> want = RunSoftmax(x, c, Isa::kGeneric, 1);
  const std::vector<Tensor> got = RunSoftmax(x, c, GetParam(), 1);
  ASSERT_EQ(got.size(), 1u);
  ExpectSoftmaxNear(x, got[0], want[0], n, "special rows");
  for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(std::isnan(got[0].data<float>()[n + i]));
}

TEST_P(NormF32Test, SoftmaxOverAnInnerAxisKeepsTheReference) {
  // Opset 13 over a non-last axis: the reference kernel (strided rows), bit for bit.
  const SoftmaxCase c{{3, 9, 5}, 13, 1};
  const Tensor x = UniformF32(c.shape, 7, -3, 3);
  const std::vector<Tensor> want = RunSoftmax(x, c, Isa::kGeneric, 1);
  const std::vector<Tensor> got = RunSoftmax(x, c, GetParam(), 2);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::memcmp(got[0].data<float>(), want[0].data<float>(), want[0].nbytes()), 0);
  EXPECT_EQ(KernelNameOf(Softmax(x, c, GetParam())), "ref");
  // Out-of-range axes keep the reference's error.
  NodeRunner bad("Softmax", 13);
  bad.Input("x", x).Attr("axis", int64_t{3}).Output("y").Isa(GetParam());
  auto out = bad.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status();
}

// ---------------------------------------------------------------- LayerNormalization

struct LayerNormCase {
  Shape x, scale;
  int64_t axis;
  bool bias;
  float mean, spread;  // x ~ uniform(mean - spread, mean + spread)
};

// LayerNormalization (ai.onnx 17, or `domain` opset 1) with epsilon 1e-5; Mean and InvStdDev
// outputs when `stats`.
NodeRunner LayerNorm(const Tensor& x, const Tensor& scale, const Tensor* bias, int64_t axis,
                     bool stats, Isa isa, int threads = 1, const std::string& domain = "") {
  NodeRunner r("LayerNormalization", domain.empty() ? 17 : 1, domain);
  r.Input("x", x).ConstantInput("scale", scale);
  if (bias) r.ConstantInput("bias", *bias);
  r.Attr("axis", axis).Attr("epsilon", 1e-5f).Output("y");
  if (stats) r.Output("mean").Output("inv_std");
  r.Isa(isa).Threads(threads);
  return r;
}

std::vector<Tensor> RunLayerNorm(const Tensor& x, const Tensor& scale, const Tensor* bias,
                                 int64_t axis, bool stats, Isa isa, int threads,
                                 const std::string& domain = "") {
  auto out = LayerNorm(x, scale, bias, axis, stats, isa, threads, domain).Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Tensor>{};
}

void ExpectLayerNormNear(const Tensor& x, const Tensor& scale, const Tensor* bias, int64_t n,
                         const std::vector<Tensor>& got, const std::vector<Tensor>& want,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  const float* xd = x.data<float>();
  const double k = kEps * (16.0 + n / 8.0);
  for (int64_t row = 0; row * n < x.NumElements(); ++row) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i) mean += xd[row * n + i];
    mean /= n;
    for (int64_t i = 0; i < n; ++i) var += (xd[row * n + i] - mean) * (xd[row * n + i] - mean);
    const double std = std::sqrt(var / n + 1e-5f);
    const double m = std::fabs(mean) / std;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = row * n + j;
      const double s = scale.data<float>()[j], b = bias ? bias->data<float>()[j] : 0.0;
      const double z = (xd[i] - mean) / std;
      const double tol = k * (std::fabs(s) * (1 + std::fabs(z) + m) + std::fabs(b));
      const float g = got[0].data<float>()[i], w = want[0].data<float>()[i];
      ASSERT_LE(std::fabs(static_cast<double>(g) - w), tol)
          << what << " element " << i << ": " << g << ", reference " << w;
    }
    if (got.size() == 3) {
      const float gm = got[1].data<float>()[row], wm = want[1].data<float>()[row];
      const float gi = got[2].data<float>()[row], wi = want[2].data<float>()[row];
      ASSERT_LE(std::fabs(static_cast<double>(gm) - wm), k * (std::fabs(mean) + std)) << what;
      ASSERT_LE(std::fabs(static_cast<double>(gi) - wi), k * wi) << what << " row " << row;
    }
  }
}

TEST_P(NormF32Test, LayerNormMatchesTheReference) {
  const std::vector<LayerNormCase> cases = {
      {{1, 1}, {1}, -1, true, 0, 1},
      {{5, 1}, {1}, -1, true, 2, 1},
      {{3, 7}, {7}, -1, true, 0, 1},
      {{2, 3, 17}, {17}, -1, false, -1, 3},
      {{4, 16}, {16}, -1, true, 0.5f, 0.01f},
      {{6, 33}, {1, 33}, -1, true, 0, 2},  // Scale with a leading 1
      {{2, 3, 5}, {3, 5}, 1, true, 0, 1},  // axis 1: rows of 15
      {{2, 4099}, {4099}, -1, true, 0, 1},
      {{3, 4099}, {4099}, -1, true, 40, 2},  // mean far from 0 (the m term of the bound)
      {{128, 768}, {768}, -1, true, 0, 4},   // BERT-base, split over threads
      {{20, 4099}, {4099}, -1, false, -3, 1},
  };
  uint32_t seed = 100;
  for (const LayerNormCase& c : cases) {
    const Tensor x = UniformF32(c.x, seed++, c.mean - c.spread, c.mean + c.spread);
    const Tensor scale = UniformF32(c.scale, seed++, -2, 2);
    const Tensor bias = UniformF32(c.scale, seed++, -1, 1);
    const Tensor* bp = c.bias ? &bias : nullptr;
    const int r = c.x.rank();
    const int64_t n = c.x.NumElements(static_cast<int>(c.axis < 0 ? c.axis + r : c.axis), r);
    for (bool stats : {false, true}) {
      const std::vector<Tensor> want = RunLayerNorm(x, scale, bp, c.axis, stats, Isa::kGeneric, 1);
      for (int threads : {1, 2}) {
        const std::string what = "LayerNorm " + c.x.ToString() + " axis " + std::to_string(c.axis) +
                                 " stats " + std::to_string(stats) + " threads " +
                                 std::to_string(threads) + " seed " + std::to_string(seed - 3);
        const std::vector<Tensor> got =
            RunLayerNorm(x, scale, bp, c.axis, stats, GetParam(), threads);
        ExpectLayerNormNear(x, scale, bp, n, got, want, what);
        if (HasFatalFailure()) return;
      }
    }
    EXPECT_EQ(KernelNameOf(LayerNorm(x, scale, bp, c.axis, false, GetParam())),
              "f32_layernorm" + IsaSuffix());
  }
}

TEST_P(NormF32Test, TrtserveLayerNormUsesTheFastKernel) {
  // The fuse_layer_norm pass output (ai.trtserve) shares the factory.
  const Tensor x = UniformF32({8, 100}, 5, -2, 2), scale = UniformF32({100}, 6, -1, 1);
  const Tensor bias = UniformF32({100}, 7, -1, 1);
  const auto want = RunLayerNorm(x, scale, &bias, -1, false, Isa::kGeneric, 1, "ai.trtserve");
  const auto got = RunLayerNorm(x, scale, &bias, -1, false, GetParam(), 1, "ai.trtserve");
  ExpectLayerNormNear(x, scale, &bias, 100, got, want, "ai.trtserve LayerNormalization");
  EXPECT_EQ(KernelNameOf(LayerNorm(x, scale, &bias, -1, false, GetParam(), 1, "ai.trtserve")),
            "f32_layernorm" + IsaSuffix());
}

TEST_P(NormF32Test, LayerNormFallsBackToTheReference) {
  // A one-value Scale broadcast over the row, and a per-row B: the reference, bit for bit.
  const Tensor x = UniformF32({4, 9}, 8, -2, 2);
  const Tensor one_scale = UniformF32({1}, 9, 0.5f, 2), scale = UniformF32({9}, 10, -1, 1);
  const Tensor row_bias = UniformF32({4, 1}, 11, -1, 1);
  const std::pair<const Tensor*, const Tensor*> cases[] = {{&one_scale, nullptr},
                                                           {&scale, &row_bias}};
  for (const auto& [s, b] : cases) {
    const auto want = RunLayerNorm(x, *s, b, -1, true, Isa::kGeneric, 1);
    const auto got = RunLayerNorm(x, *s, b, -1, true, GetParam(), 1);
    ASSERT_EQ(got.size(), want.size());
    for (size_t o = 0; o < want.size(); ++o) {
      EXPECT_EQ(std::memcmp(got[o].data<float>(), want[o].data<float>(), want[o].nbytes()), 0)
          << "output " << o;
    }
  }
  // Mean/InvStdDev stashed as double: the reference kernel is chosen at creation.
  NodeRunner stash_double = LayerNorm(x, scale, nullptr, -1, true, GetParam());
  stash_double.Attr("stash_type", int64_t{11});
  EXPECT_EQ(KernelNameOf(stash_double), "ref");
  EXPECT_EQ(KernelNameOf(LayerNorm(x, scale, nullptr, -1, true, GetParam())),
            "f32_layernorm" + IsaSuffix());
}

TEST_P(NormF32Test, RowKernelsStayInsideTheirRows) {
  // The row microkernels with every array ending at an unmapped page (faults on over-reads
  // or over-writes), in place for Softmax.
  const kernels::norm::F32NormRows* rows = kernels::norm::SelectF32NormRows(GetParam());
  ASSERT_NE(rows, nullptr);
  ASSERT_EQ(rows->isa, GetParam());
  for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 33, 4099}) {
    GuardedFloats x(n), scale(n), bias(n), y(n);
    ASSERT_TRUE(x.data() && scale.data() && bias.data() && y.data());
    for (int64_t i = 0; i < n; ++i) {
      x.data()[i] = std::sin(static_cast<float>(i));
      scale.data()[i] = 1.0f;
      bias.data()[i] = 0.0f;
    }
    float mean = 0, inv_std = 0;
    rows->layer_norm(x.data(), scale.data(), bias.data(), 1e-5f, y.data(), n, &mean, &inv_std);
    rows->layer_norm(x.data(), scale.data(), nullptr, 1e-5f, y.data(), n, &mean, &inv_std);
    rows->softmax(x.data(), y.data(), n);
    rows->softmax(y.data(), y.data(), n);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += y.data()[i];
    EXPECT_NEAR(sum, 1.0, 1e-5) << "n = " << n;
  }
}

TEST(NormF32Generic, GenericLevelKeepsTheReferenceKernels) {
  const Tensor x = UniformF32({2, 8}, 1, -1, 1), scale = UniformF32({8}, 2, -1, 1);
  EXPECT_EQ(KernelNameOf(Softmax(x, {{2, 8}, 13, -1}, Isa::kGeneric)), "ref");
  EXPECT_EQ(KernelNameOf(LayerNorm(x, scale, nullptr, -1, false, Isa::kGeneric)), "ref");
}

INSTANTIATE_OPTIMIZED_ISA_LEVELS(NormF32Test);

}  // namespace
}  // namespace trt::testing
