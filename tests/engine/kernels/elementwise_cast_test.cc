// Cast/CastLike: every dtype pair on small values, the no-UB rules for NaN/inf/out-of-range
// float -> int, round-to-nearest-even into float16/bfloat16 (including the double-rounding
// trap of double -> float -> half), legacy string `to`, and the string/unknown-type errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

StatusOr<Tensor> Cast(Tensor x, DType to, int opset = 13) {
  NodeRunner r("Cast", opset);
  r.Input("X", std::move(x)).Attr("to", static_cast<int64_t>(to)).Output("Y");
  TRT_ASSIGN_OR_RETURN(auto out, r.Run());
  return out[0];
}

Tensor CastOk(Tensor x, DType to) {
  auto y = Cast(std::move(x), to);
  EXPECT_TRUE(y.ok()) << y.status();
  return y.ok() ? *y : Tensor();
}

constexpr DType kAll[] = {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kBFloat16,
                          DType::kInt8,    DType::kUInt8,   DType::kInt16,   DType::kUInt16,
                          DType::kInt32,   DType::kUInt32,  DType::kInt64,   DType::kUInt64,
                          DType::kBool};

TEST(ElementwiseCast, AllPairsOnSmallValues) {
  const std::vector<double> values = {0, 1, 2, 3, 100};
  for (DType from : kAll) {
    // Build the input by casting from float32 (itself one of the pairs under test).
    Tensor x = CastOk(T1<float>({0, 1, 2, 3, 100}), from);
    for (DType to : kAll) {
      SCOPED_TRACE(std::string(DTypeName(from)) + " -> " + std::string(DTypeName(to)));
      Tensor y = CastOk(x, to);
      ASSERT_EQ(y.dtype(), to);
      for (size_t i = 0; i < values.size(); ++i) {
        double expected = values[i];
        if (from == DType::kBool || to == DType::kBool) expected = values[i] != 0;
        EXPECT_EQ(y.GetAsDouble(static_cast<int64_t>(i)), expected) << i;
      }
    }
  }
}

TEST(ElementwiseCast, FloatToIntTruncatesAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(
      Values<int32_t>(CastOk(T1<float>({1.9f, -1.9f, nan, inf, -inf, 3e9f, -3e9f}), DType::kInt32)),
      (std::vector<int32_t>{1, -1, 0, kMax, kMin, kMax, kMin}));
  EXPECT_EQ(Values<uint8_t>(CastOk(T1<float>({-1, 300, 255.9f}), DType::kUInt8)),
            (std::vector<uint8_t>{0, 255, 255}));
  EXPECT_EQ(Values<uint64_t>(CastOk(T1<double>({1.8e19, 2e19, -5}), DType::kUInt64)),
            (std::vector<uint64_t>{18000000000000000000ull, ~0ull, 0}));
  EXPECT_EQ(Values<int64_t>(CastOk(T1<double>({9.3e18, -9.3e18}), DType::kInt64)),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min()}));
  EXPECT_EQ(Values<int16_t>(CastOk(T1<Float16>({Float16(-inf), Float16(65504.0f)}), DType::kInt16)),
            (std::vector<int16_t>{-32768, 32767}));
}

TEST(ElementwiseCast, IntToIntWraps) {
  EXPECT_EQ(Values<uint8_t>(CastOk(T1<int32_t>({300, -1}), DType::kUInt8)),
            (std::vector<uint8_t>{44, 255}));
  EXPECT_EQ(Values<uint32_t>(CastOk(T1<int64_t>({-1}), DType::kUInt32)),
            std::vector<uint32_t>{0xFFFFFFFFu});
}

TEST(ElementwiseCast, BoolConversions) {
  EXPECT_EQ(
      Values<bool>(CastOk(T1<float>({0, -0.0f, 0.5f, std::numeric_limits<float>::quiet_NaN()}),
                          DType::kBool)),
      (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(Values<float>(CastOk(T1<bool>({true, false}), DType::kFloat32)),
            (std::vector<float>{1, 0}));
}

uint16_t HalfBits(const Tensor& t, int i) { return t.data<Float16>()[i].bits; }
uint16_t Bf16Bits(const Tensor& t, int i) { return t.data<BFloat16>()[i].bits; }

TEST(ElementwiseCast, ToFloat16RoundsToNearestEven) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1.0).
  Tensor h = CastOk(T1<float>({1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65519.0f, 65520.0f}),
                    DType::kFloat16);
  EXPECT_EQ(HalfBits(h, 0), 0x3C00);  // 1.0
  EXPECT_EQ(HalfBits(h, 1), 0x3C02);  // 1 + 2^-9
  EXPECT_EQ(HalfBits(h, 2), 0x7BFF);  // 65504
  EXPECT_EQ(HalfBits(h, 3), 0x7C00);  // inf
  // Just above the tie: double -> float would round the excess away and then tie to 1.0;
  // the single correct rounding is 1 + 2^-10.
  Tensor d = CastOk(T1<double>({1.0 + 0x1p-11 + 0x1p-40, 1.0 + 0x1p-11}), DType::kFloat16);
  EXPECT_EQ(HalfBits(d, 0), 0x3C01);
  EXPECT_EQ(HalfBits(d, 1), 0x3C00);
  Tensor n =
      CastOk(T1<double>({std::numeric_limits<double>::quiet_NaN(), -1e300}), DType::kFloat16);
  EXPECT_TRUE(std::isnan(static_cast<float>(n.data<Float16>()[0])));
  EXPECT_EQ(HalfBits(n, 1), 0xFC00);  // -inf
}

TEST(ElementwiseCast, ToBFloat16RoundsToNearestEven) {
  Tensor b = CastOk(
      T1<float>({1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, std::numeric_limits<float>::quiet_NaN()}),
      DType::kBFloat16);
  EXPECT_EQ(Bf16Bits(b, 0), 0x3F80);  // tie -> 1.0
  EXPECT_EQ(Bf16Bits(b, 1), 0x3F82);  // tie -> 1 + 2^-6
  EXPECT_TRUE(std::isnan(static_cast<float>(b.data<BFloat16>()[2])));
}

TEST(ElementwiseCast, SameTypeAndCastLike) {
  EXPECT_EQ(Values<float>(CastOk(T1<float>({1.5f}), DType::kFloat32)), std::vector<float>{1.5f});
  NodeRunner r("CastLike", 15);
  r.Input("X", T1<float>({2.7f, -2.7f})).Input("like", T1<int8_t>({0})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int8_t>((*out)[0]), (std::vector<int8_t>{2, -2}));
}

TEST(ElementwiseCast, LegacyStringTo) {
  NodeRunner r("Cast", 5);
  r.Input("X", T1<float>({3.5f})).Attr("to", std::string("INT32")).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), std::vector<int32_t>{3});
}

TEST(ElementwiseCast, UnsupportedAndInvalidTargets) {
  EXPECT_EQ(Cast(T1<float>({1}), DType::kString).status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(Cast(T1<float>({1}), static_cast<DType>(14)).status().code(),  // complex64
            StatusCode::kUnimplemented);
  EXPECT_EQ(Cast(T1<float>({1}), static_cast<DType>(99)).status().code(),
            StatusCode::kInvalidArgument);
  NodeRunner r("Cast", 13);
  r.Input("X", T1<float>({1})).Output("Y");  // no `to`
  EXPECT_EQ(r.Run().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace trt::testing
