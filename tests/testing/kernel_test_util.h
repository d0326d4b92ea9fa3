// Helpers shared by the kernel unit tests (tests/engine/kernels/*_test.cc): concise tensor
// builders, vector views of a tensor's elements, and wrappers that run a NodeRunner and
// hand back its outputs or its error text.
//
//   NodeRunner r("Transpose", 13);
//   r.Input("x", Iota({2, 3})).Output("y");
//   EXPECT_EQ(Floats(Run1(r)), (std::vector<float>{0, 3, 1, 4, 2, 5}));
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/base/tensor.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {

// ---------------------------------------------------------------- tensor builders

// A 1-D tensor holding `v` (dtype deduced from T).
template <typename T>
Tensor T1(std::vector<T> v) {
  return Tensor::FromVector(v);
}

// A tensor holding `v` with shape `s` (dtype deduced from T; `v` must have s.NumElements()
// elements).
template <typename T>
Tensor TS(std::vector<T> v, Shape s) {
  return Tensor::FromVector(v, std::move(s));
}

// A float32 tensor holding `v` with shape `s`.
inline Tensor F32(std::vector<float> v, Shape s) { return Tensor::FromVector(v, std::move(s)); }

// A 1-D int64 tensor holding `v` (shapes, axes, indices).
inline Tensor I64(std::vector<int64_t> v) { return Tensor::FromVector(v); }

// 0, 1, 2, ... as float32 with the given shape.
inline Tensor Iota(Shape shape) {
  std::vector<float> v(shape.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::FromVector(v, std::move(shape));
}

// Float32 values drawn uniformly from [lo, hi) with a fixed seed.
inline Tensor UniformF32(const Shape& shape, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Spacing of float32 values at |v| (2^-149 in the denormal range): the unit of the ulp error
// bounds of the vector math (engine/kernels/common/vec_math.h).
inline double FloatUlp(double v) {
  v = std::fabs(v);
  if (v < 0x1p-126) return 0x1p-149;
  int e;
  std::frexp(v, &e);  // v = m * 2^e, m in [0.5, 1)
  return std::ldexp(1.0, e - 24);
}

// ---------------------------------------------------------------- ISA levels

// Fixture of tests run once per optimized ISA level (INSTANTIATE_OPTIMIZED_ISA_LEVELS):
// skips, with a message, the levels this CPU lacks.
class OptimizedIsaTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (static_cast<int>(HardwareIsa()) < static_cast<int>(GetParam())) {
      GTEST_SKIP() << "this CPU lacks " << IsaName(GetParam()) << " (it runs "
                   << IsaName(HardwareIsa()) << ")";
    }
  }
  // "__avx2" / "__avx512": the suffix of the level's kernel names.
  std::string IsaSuffix() const { return "__" + std::string(IsaName(GetParam())); }
};

#define INSTANTIATE_OPTIMIZED_ISA_LEVELS(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Isa, suite, ::testing::Values(::trt::Isa::kAvx2, ::trt::Isa::kAvx512), \
                           [](const ::testing::TestParamInfo<::trt::Isa>& p) {                    \
                             return std::string(::trt::IsaName(p.param));                         \
                           })

// ---------------------------------------------------------------- element views

// The elements of `t` as stored, in row-major order. T must be t's element type.
template <typename T = float>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.NumElements());
}

// The elements of `t` (any numeric dtype) converted to float.
inline std::vector<float> Floats(const Tensor& t) {
  std::vector<float> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = static_cast<float>(t.GetAsDouble(i));
  return v;
}

// The elements of `t` (any integer or bool dtype) converted to int64.
inline std::vector<int64_t> Ints(const Tensor& t) {
  std::vector<int64_t> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = t.GetAsInt64(i);
  return v;
}

// ---------------------------------------------------------------- running a node

// Runs the node and returns output 0. On error the test fails (non-fatally) and an empty
// Tensor is returned.
inline Tensor Run1(const NodeRunner& r) {
  auto out = r.Run();
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

// The kernel name recorded for the node at its Isa() (NodeRunner::KernelName); on error the
// test fails (non-fatally) and "" is returned.
inline std::string KernelNameOf(const NodeRunner& r) {
  auto name = r.KernelName();
  EXPECT_TRUE(name.ok()) << name.status();
  return name.ok() ? *name : "";
}

// Runs the node, which is expected to fail, and returns the error message. If it succeeds
// the test fails (non-fatally) and "" is returned.
inline std::string RunError(const NodeRunner& r) {
  auto out = r.Run();
  EXPECT_FALSE(out.ok());
  return out.ok() ? "" : out.status().message();
}

}  // namespace trt::testing
