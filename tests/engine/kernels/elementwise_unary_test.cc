// Unary math and activation semantics beyond the ONNX conformance data: integer edge cases
// (Abs/Neg of INT_MIN), rounding half to even, overflow-safe Sigmoid/Softplus, Gelu (both
// domains and approximations), Mish, Clip in its three opset forms, 16-bit float widening,
// and the multithreaded unary path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/kernels/elementwise/unary.h"
#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

NodeRunner Unary(const char* op, Tensor x, int opset = 18, const char* domain = "") {
  NodeRunner r(op, opset, domain);
  r.Input("X", std::move(x)).Output("Y");
  return r;
}

// Per-op tolerance for transcendental results (float32 libm vs the double formula).
constexpr double kTol = 2e-6;

void ExpectNear(const std::vector<float>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], kTol * std::max(1.0, std::fabs(expected[i]))) << i;
  }
}

TEST(ElementwiseUnary, IntegerAbsNegWrapAtMin) {
  const int8_t kMin = std::numeric_limits<int8_t>::min();
  EXPECT_EQ(Values<int8_t>(Run1(Unary("Abs", T1<int8_t>({kMin, -5, 5})))),
            (std::vector<int8_t>{kMin, 5, 5}));
  EXPECT_EQ(Values<int8_t>(Run1(Unary("Neg", T1<int8_t>({kMin, -5, 5})))),
            (std::vector<int8_t>{kMin, 5, -5}));
  EXPECT_EQ(Values<uint32_t>(Run1(Unary("Abs", T1<uint32_t>({0xFFFFFFFFu})))),
            std::vector<uint32_t>{0xFFFFFFFFu});
}

TEST(ElementwiseUnary, RoundHalfToEven) {
  std::vector<float> y =
      Values<float>(Run1(Unary("Round", T1<float>({0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.4f, -2.6f}))));
  EXPECT_EQ(y, (std::vector<float>{0, 2, 2, -0.0f, -2, 2, -3}));
  EXPECT_TRUE(std::signbit(y[3]));
}

TEST(ElementwiseUnary, SignKeepsNaNAndHandlesUnsigned) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> y = Values<float>(Run1(Unary("Sign", T1<float>({nan, -3, 0, 7}))));
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ((std::vector<float>{y[1], y[2], y[3]}), (std::vector<float>{-1, 0, 1}));
  EXPECT_EQ(Values<uint8_t>(Run1(Unary("Sign", T1<uint8_t>({0, 200})))),
            (std::vector<uint8_t>{0, 1}));
}

TEST(ElementwiseUnary, ErfOnIntegersTruncates) {
  EXPECT_EQ(Values<int32_t>(Run1(Unary("Erf", T1<int32_t>({0, 2, -3})))),
            (std::vector<int32_t>{0, 0, 0}));
}

TEST(ElementwiseUnary, IsInfDirections) {
  const float inf = std::numeric_limits<float>::infinity();
  const auto x = T1<float>({-inf, inf, 1, std::numeric_limits<float>::quiet_NaN()});
  EXPECT_EQ(Values<bool>(Run1(Unary("IsInf", x))), (std::vector<bool>{true, true, false, false}));
  NodeRunner neg_only = Unary("IsInf", x);
  neg_only.Attr("detect_positive", int64_t{0});
  EXPECT_EQ(Values<bool>(Run1(neg_only)), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(Values<bool>(Run1(Unary("IsNaN", x))), (std::vector<bool>{false, false, false, true}));
}

TEST(ElementwiseUnary, Float16AndBFloat16WidenToFloat) {
  Tensor h = Run1(Unary("Exp", T1<Float16>({Float16(0.0f), Float16(1.0f)})));
  ASSERT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<float>(h.data<Float16>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(h.data<Float16>()[1]), static_cast<float>(Float16(std::exp(1.0f))));
  Tensor b = Run1(Unary("Sigmoid", T1<BFloat16>({BFloat16(0.0f)})));
  ASSERT_EQ(b.dtype(), DType::kBFloat16);
  EXPECT_EQ(static_cast<float>(b.data<BFloat16>()[0]), 0.5f);
}

TEST(ElementwiseUnary, UnsupportedDTypeIsUnimplemented) {
  auto r = Unary("Sqrt", T1<int32_t>({4})).Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

TEST(ElementwiseUnary, ParallelPathMatchesSerial) {
  std::vector<float> x(100003);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 977) * 0.01f - 4.0f;
  struct TanhOp {
    float operator()(float v) const { return std::tanh(v); }
  };
  std::vector<float> serial(x.size()), parallel(x.size(), std::numeric_limits<float>::quiet_NaN());
  kernels::elementwise::RunUnaryOp<float>(x.data(), serial.data(), x.size(), TanhOp{}, nullptr);
  ThreadPool pool(3);
  kernels::elementwise::RunUnaryOp<float>(x.data(), parallel.data(), x.size(), TanhOp{}, &pool);
  EXPECT_EQ(serial, parallel);
}

// ---------------------------------------------------------------- activations

TEST(ElementwiseActivation, SigmoidAndSoftplusDoNotOverflow) {
  std::vector<float> s = Values<float>(Run1(Unary("Sigmoid", T1<float>({-1000, 1000, 0}))));
  EXPECT_EQ(s, (std::vector<float>{0, 1, 0.5f}));
  std::vector<float> p = Values<float>(Run1(Unary("Softplus", T1<float>({100, -100, 0}))));
  EXPECT_EQ(p[0], 100);
  EXPECT_NEAR(p[1], std::exp(-100.0), 1e-45);
  EXPECT_NEAR(p[2], std::log(2.0), 1e-7);
}

TEST(ElementwiseActivation, NaNPropagates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Elu", "Selu",
                         "Celu", "Softplus", "Softsign", "Mish", "Clip", "Tanh", "Exp"}) {
    SCOPED_TRACE(op);
    std::vector<float> y = Values<float>(Run1(Unary(op, T1<float>({nan}))));
    ASSERT_EQ(y.size(), 1u);
    EXPECT_TRUE(std::isnan(y[0])) << y[0];
  }
}

TEST(ElementwiseActivation, GeluExactAndTanh) {
  const std::vector<float> x = {-3, -1, -0.5f, 0, 0.5f, 1, 3};
  std::vector<double> exact, approx;
  for (float v : x) {
    exact.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
    approx.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
  }
  ExpectNear(Values<float>(Run1(Unary("Gelu", T1<float>(x), 1, "com.microsoft"))), exact);
  ExpectNear(Values<float>(Run1(Unary("Gelu", T1<float>(x), 20))), exact);
  NodeRunner tanh_form = Unary("Gelu", T1<float>(x), 20);
  tanh_form.Attr("approximate", std::string("tanh"));
  ExpectNear(Values<float>(Run1(tanh_form)), approx);
  NodeRunner bad = Unary("Gelu", T1<float>(x), 20);
  bad.Attr("approximate", std::string("fast"));
  EXPECT_EQ(bad.Run().status().code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseActivation, MishAndHardSwish) {
  const std::vector<float> x = {-3, -1, 0, 1, 3, 20};
  std::vector<double> mish;
  for (float v : x) mish.push_back(v * std::tanh(std::log1p(std::exp(static_cast<double>(v)))));
  ExpectNear(Values<float>(Run1(Unary("Mish", T1<float>(x)))), mish);
  ExpectNear(Values<float>(Run1(Unary("HardSwish", T1<float>(x)))),
             {0, -1.0 / 3, 0, 2.0 / 3, 3, 20});
}

TEST(ElementwiseActivation, EluSeluCeluNearZero) {
  // expm1 keeps tiny negative inputs accurate: Elu(-1e-8) = -1e-8, not 0.
  std::vector<float> e = Values<float>(Run1(Unary("Elu", T1<float>({-1e-8f, -1, 2}))));
  EXPECT_FLOAT_EQ(e[0], -1e-8f);
  EXPECT_FLOAT_EQ(e[1], static_cast<float>(std::expm1(-1.0)));
  EXPECT_EQ(e[2], 2);
  NodeRunner celu = Unary("Celu", T1<float>({-1, 1}), 12);
  celu.Attr("alpha", 2.0f);
  ExpectNear(Values<float>(Run1(celu)), {2 * std::expm1(-0.5), 1});
}

TEST(ElementwiseActivation, ReluOnIntegersAndShrinkOnIntegers) {
  EXPECT_EQ(Values<int32_t>(Run1(Unary("Relu", T1<int32_t>({-5, 0, 7}), 14))),
            (std::vector<int32_t>{0, 0, 7}));
  NodeRunner shrink = Unary("Shrink", T1<int32_t>({-3, -1, 0, 1, 3}), 13);
  shrink.Attr("lambd", 1.5f).Attr("bias", 1.0f);
  EXPECT_EQ(Values<int32_t>(Run1(shrink)), (std::vector<int32_t>{-2, 0, 0, 0, 2}));
}

TEST(ElementwiseActivation, PReluChecksUnidirectionalBroadcast) {
  NodeRunner ok("PRelu", 16);
  ok.Input("X", Tensor::FromVector<float>({-1, -2, 3, -4}, Shape{2, 2}))
      .Input("slope", T1<float>({0.5f, 2}))
      .Output("Y");
  EXPECT_EQ(Values<float>(Run1(ok)), (std::vector<float>{-0.5f, -4, 3, -8}));
  NodeRunner bad("PRelu", 16);
  bad.Input("X", T1<float>({-1, -2}))
      .Input("slope", Tensor::FromVector<float>({1, 2}, Shape{2, 1}))
      .Output("Y");
  EXPECT_EQ(bad.Run().status().code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseActivation, ClipAttributeForm) {
  NodeRunner r = Unary("Clip", T1<float>({-2, 0, 2}), 6);
  r.Attr("min", -1.0f).Attr("max", 1.0f);
  EXPECT_EQ(Values<float>(Run1(r)), (std::vector<float>{-1, 0, 1}));
  NodeRunner defaults = Unary("Clip", T1<float>({-1e30f, 1e30f}), 6);
  EXPECT_EQ(Values<float>(Run1(defaults)), (std::vector<float>{-1e30f, 1e30f}));
}

TEST(ElementwiseActivation, ClipInputForm) {
  NodeRunner none("Clip", 13);
  none.Input("X", T1<float>({-5, 5})).Output("Y");
  EXPECT_EQ(Values<float>(Run1(none)), (std::vector<float>{-5, 5}));

  NodeRunner max_only("Clip", 13);
  max_only.Input("X", T1<int64_t>({-5, 5}))
      .OmittedInput()
      .Input("max", Tensor::Scalar<int64_t>(2))
      .Output("Y");
  EXPECT_EQ(Values<int64_t>(Run1(max_only)), (std::vector<int64_t>{-5, 2}));

  // min > max: every value becomes max, as numpy.clip does.
  NodeRunner crossed("Clip", 13);
  crossed.Input("X", T1<float>({-5, 0, 5}))
      .Input("min", Tensor::Scalar<float>(2))
      .Input("max", Tensor::Scalar<float>(1))
      .Output("Y");
  EXPECT_EQ(Values<float>(Run1(crossed)), (std::vector<float>{1, 1, 1}));

  NodeRunner wrong_type("Clip", 13);
  wrong_type.Input("X", T1<float>({1})).Input("min", Tensor::Scalar<double>(0)).Output("Y");
  EXPECT_EQ(wrong_type.Run().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace trt::testing
