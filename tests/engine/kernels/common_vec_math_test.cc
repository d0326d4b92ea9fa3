// The vector math of engine/kernels/common/vec_math.h at every ISA level this CPU runs:
// error sweeps against the exact functions in double (float bit patterns spread over the
// whole range, both signs, plus a dense grid over [-12, 12]), special values (+-0, +-inf,
// NaN, overflow, underflow to denormals and to 0), and tails: any length, in place, no
// write outside [0, n).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engine/kernels/common/vec_math.h"
#include "tests/testing/guarded_buffer.h"
#include "tests/testing/kernel_test_util.h"

namespace trt::kernels::vecmath {
namespace {

using ::trt::testing::FloatUlp;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The bounds documented in vec_math.h: ulps of the exact result, plus `abs_per_x` * |x|.
struct Bound {
  double ulps;
  double abs_per_x = 0;
};
constexpr Bound kExpBound{2}, kErfBound{2}, kTanhBound{2}, kSigmoidBound{3};
constexpr Bound kGeluBound{3, 0x1p-25}, kGeluTanhBound{2, 0x1p-23};

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double Gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double GeluTanh(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

struct Fn {
  const char* name;
  F32ArrayFn F32VecMath::*fn;
  double (*exact)(double);
  Bound bound;
};

const Fn kFns[] = {
    {"exp", &F32VecMath::exp, [](double x) { return std::exp(x); }, kExpBound},
    {"erf", &F32VecMath::erf, [](double x) { return std::erf(x); }, kErfBound},
    {"tanh", &F32VecMath::tanh, [](double x) { return std::tanh(x); }, kTanhBound},
    {"sigmoid", &F32VecMath::sigmoid, Sigmoid, kSigmoidBound},
    {"gelu", &F32VecMath::gelu, Gelu, kGeluBound},
    {"gelu_tanh", &F32VecMath::gelu_tanh, GeluTanh, kGeluTanhBound},
};

// Finite inputs: every 4099th positive float bit pattern (all exponents, denormals included)
// with both signs, plus a dense uniform grid over [-12, 12].
std::vector<float> SweepInputs() {
  std::vector<float> xs;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    float x;
    std::memcpy(&x, &bits, sizeof(x));
    xs.push_back(x);
    xs.push_back(-x);
  }
  for (int i = -600000; i <= 600000; ++i) xs.push_back(static_cast<float>(i) * 2e-5f);
  return xs;
}

class VecMathTest : public ::trt::testing::OptimizedIsaTest {
 protected:
  void SetUp() override {
    OptimizedIsaTest::SetUp();
    if (IsSkipped()) return;
    vm_ = SelectF32VecMath(GetParam());
    ASSERT_NE(vm_, nullptr);
    ASSERT_EQ(vm_->isa, GetParam());
  }
  const F32VecMath* vm_ = nullptr;
};

TEST_P(VecMathTest, ErrorSweepWithinDocumentedBounds) {
  const std::vector<float> xs = SweepInputs();
  std::vector<float> ys(xs.size());
  for (const Fn& f : kFns) {
    SCOPED_TRACE(f.name);
    (vm_->*f.fn)(xs.data(), ys.data(), static_cast<int64_t>(xs.size()));
    double worst = 0;
    size_t worst_i = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double want = f.exact(xs[i]);
      if (std::fabs(want) > FLT_MAX) {  // overflows: +-inf (or FLT_MAX at the boundary)
        ASSERT_TRUE(ys[i] == static_cast<float>(want) || std::fabs(ys[i]) == FLT_MAX)
            << "x = " << xs[i] << " gave " << ys[i] << ", expected " << want;
        continue;
      }
      const double err = std::fabs(ys[i] - want) - f.bound.abs_per_x * std::fabs(xs[i]);
      const double ulps = err / FloatUlp(want);
      if (!(ulps <= worst)) {  // also catches NaN
        worst = std::isnan(ulps) ? 1e300 : ulps;
        worst_i = i;
      }
    }
    EXPECT_LE(worst, f.bound.ulps) << std::hexfloat << "x = " << xs[worst_i] << " gave "
                                   << ys[worst_i] << ", expected " << f.exact(xs[worst_i]);
    std::printf("[ %-8s] %-9s max error %.3f ulp (bound %.0f) over %zu inputs\n",
                std::string(IsaName(GetParam())).c_str(), f.name, worst, f.bound.ulps, xs.size());
  }
}

// Runs `fn` over the given inputs and returns the outputs.
std::vector<float> Apply(F32ArrayFn fn, std::vector<float> x) {
  std::vector<float> y(x.size());
  fn(x.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

void ExpectBits(float got, float want, const std::string& what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << ": " << got;
  } else {
    EXPECT_EQ(std::memcmp(&got, &want, sizeof(float)), 0) << what << ": " << got << " vs " << want;
  }
}

TEST_P(VecMathTest, SpecialValues) {
  const float denorm_min = std::numeric_limits<float>::denorm_min();
  struct Case {
    F32ArrayFn F32VecMath::*fn;
    const char* name;
    float x, want;
  };
  const Case cases[] = {
      {&F32VecMath::exp, "exp", 0.0f, 1.0f},
      {&F32VecMath::exp, "exp", -0.0f, 1.0f},
      {&F32VecMath::exp, "exp", kInf, kInf},
      {&F32VecMath::exp, "exp", -kInf, 0.0f},
      {&F32VecMath::exp, "exp", kNaN, kNaN},
      {&F32VecMath::exp, "exp", 88.8f, kInf},             // overflow
      {&F32VecMath::exp, "exp", 1e30f, kInf},             //
      {&F32VecMath::exp, "exp", -104.0f, 0.0f},           // below 2^-150: +0
      {&F32VecMath::exp, "exp", -1e30f, 0.0f},            //
      {&F32VecMath::exp, "exp", -103.2789f, denorm_min},  // exp = 1.4e-45, rounds to 2^-149
      {&F32VecMath::erf, "erf", 0.0f, 0.0f},
      {&F32VecMath::erf, "erf", -0.0f, -0.0f},
      {&F32VecMath::erf, "erf", kInf, 1.0f},
      {&F32VecMath::erf, "erf", -kInf, -1.0f},
      {&F32VecMath::erf, "erf", 5.0f, 1.0f},
      {&F32VecMath::erf, "erf", kNaN, kNaN},
      {&F32VecMath::tanh, "tanh", -0.0f, -0.0f},
      {&F32VecMath::tanh, "tanh", kInf, 1.0f},
      {&F32VecMath::tanh, "tanh", -kInf, -1.0f},
      {&F32VecMath::tanh, "tanh", kNaN, kNaN},
      {&F32VecMath::sigmoid, "sigmoid", 0.0f, 0.5f},
      {&F32VecMath::sigmoid, "sigmoid", kInf, 1.0f},
      {&F32VecMath::sigmoid, "sigmoid", -kInf, 0.0f},
      {&F32VecMath::sigmoid, "sigmoid", -1000.0f, 0.0f},
      {&F32VecMath::sigmoid, "sigmoid", kNaN, kNaN},
      {&F32VecMath::gelu, "gelu", 0.0f, 0.0f},
      {&F32VecMath::gelu, "gelu", kInf, kInf},
      {&F32VecMath::gelu, "gelu", -kInf, kNaN},  // -inf * 0, as the reference formula
      {&F32VecMath::gelu, "gelu", kNaN, kNaN},
      {&F32VecMath::gelu_tanh, "gelu_tanh", kInf, kInf},
      {&F32VecMath::gelu_tanh, "gelu_tanh", kNaN, kNaN},
  };
  for (const Case& c : cases) {
    ExpectBits(Apply(vm_->*c.fn, {c.x})[0], c.want,
               std::string(c.name) + "(" + std::to_string(c.x) + ")");
  }
  // Denormal results of exp keep their magnitude: exp(-100) = 3.72e-44 (26 x 2^-149).
  const float e100 = Apply(vm_->exp, {-100.0f})[0];
  EXPECT_NEAR(e100, std::exp(-100.0), 1.0 * denorm_min);
  EXPECT_GT(Apply(vm_->sigmoid, {-100.0f})[0], 0.0f);  // e / (1 + e): no flush to 0
}

TEST_P(VecMathTest, TailsInPlaceAndBounds) {
  // Every length up to three vectors: the same values as one long run (lanes are
  // independent), nothing written past n, and in place equals out of place.
  const int lanes = GetParam() == Isa::kAvx512 ? 16 : 8;
  std::vector<float> src(3 * lanes + 1);
  for (size_t i = 0; i < src.size(); ++i) src[i] = -4.0f + 0.37f * static_cast<float>(i);
  for (const Fn& f : kFns) {
    const F32ArrayFn fn = vm_->*f.fn;
    const std::vector<float> full = Apply(fn, src);
    for (int n = 0; n <= static_cast<int>(src.size()); ++n) {
      SCOPED_TRACE(std::string(f.name) + " n=" + std::to_string(n));
      const float sentinel = 12345.0f;
      std::vector<float> out(src.size() + 4, sentinel);
      fn(src.data(), out.data(), n);
      std::vector<float> inplace(src.begin(), src.end());
      fn(inplace.data(), inplace.data(), n);
      for (int i = 0; i < n; ++i) {
        ExpectBits(out[i], full[i], "element " + std::to_string(i));
        ExpectBits(inplace[i], full[i], "in place element " + std::to_string(i));
      }
      for (size_t i = n; i < out.size(); ++i) ASSERT_EQ(out[i], sentinel) << "wrote " << i;
      for (size_t i = n; i < src.size(); ++i) ASSERT_EQ(inplace[i], src[i]) << "wrote " << i;
    }
  }
}

TEST_P(VecMathTest, NoAccessPastTheEnd) {
  // Input and output end at an unmapped page: any over-read or over-write faults.
  for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 33, 1000}) {
    testing::GuardedFloats x(n), y(n);
    ASSERT_NE(x.data(), nullptr);
    ASSERT_NE(y.data(), nullptr);
    for (int64_t i = 0; i < n; ++i) x.data()[i] = 0.01f * static_cast<float>(i) - 3.0f;
    for (const Fn& f : kFns) {
      (vm_->*f.fn)(x.data(), y.data(), n);
      (vm_->*f.fn)(y.data(), y.data(), n);
    }
  }
}

TEST(VecMathTable, GenericHasNoVariantAndLevelsAreOrdered) {
  EXPECT_EQ(SelectF32VecMath(Isa::kGeneric), nullptr);
  const auto variants = F32VecMathVariants();
  ASSERT_EQ(variants.size(), 2u);
  EXPECT_EQ(variants[0].isa, Isa::kAvx2);
  EXPECT_EQ(variants[1].isa, Isa::kAvx512);
  EXPECT_EQ(SelectF32VecMath(Isa::kAvx2), &variants[0]);
  EXPECT_EQ(SelectF32VecMath(Isa::kAvx512), &variants[1]);
}

INSTANTIATE_OPTIMIZED_ISA_LEVELS(VecMathTest);

}  // namespace
}  // namespace trt::kernels::vecmath
