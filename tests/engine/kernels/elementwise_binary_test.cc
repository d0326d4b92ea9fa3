// Broadcasting machinery (ElementwisePlan/RunBinary, serial and on a pool) against the
// odometer reference in common/broadcast.h, plus the semantics of the two-input, variadic,
// comparison and Where ops that the ONNX conformance data does not pin down (integer
// division/modulo corner cases, shifts past the width, mixed-type Pow, legacy broadcast,
// NaN handling, error messages).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/elementwise/binary.h"
#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

using kernels::elementwise::ElementwisePlan;
using kernels::elementwise::MakeElementwisePlan;
using kernels::elementwise::RunBinary;

NodeRunner Binary(const char* op, Tensor a, Tensor b, int opset = 18) {
  NodeRunner r(op, opset);
  r.Input("A", std::move(a)).Input("B", std::move(b)).Output("C");
  return r;
}

// ---------------------------------------------------------------- plan and RunBinary

// Random broadcast-compatible shapes: an output shape, then inputs that drop leading dims
// and set some dims to 1.
std::vector<Shape> RandomShapes(std::mt19937& rng, int n, int max_dim) {
  std::uniform_int_distribution<int> rank_d(0, 5), dim_d(1, max_dim), coin(0, 3);
  Shape out;
  const int rank = rank_d(rng);
  for (int i = 0; i < rank; ++i) out.push_back(dim_d(rng));
  std::vector<Shape> shapes;
  for (int k = 0; k < n; ++k) {
    Shape s;
    const int drop = std::uniform_int_distribution<int>(0, rank)(rng) * (coin(rng) == 0);
    for (int d = drop; d < rank; ++d) s.push_back(coin(rng) == 0 ? 1 : out[d]);
    shapes.push_back(s);
  }
  return shapes;
}

std::vector<float> Iota(int64_t n, float start) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i % 1000);
  return v;
}

// Checks RunBinary(a * 1000 + b) against Broadcast::ForEach for shapes `s` on `pool`.
void CheckBinaryAgainstReference(const Shape& sa, const Shape& sb, ThreadPool* pool) {
  SCOPED_TRACE(sa.ToString() + " op " + sb.ToString());
  const Shape shapes[2] = {sa, sb};
  auto plan = MakeElementwisePlan(shapes, 2);
  ASSERT_TRUE(plan.ok()) << plan.status();
  auto ref = kernels::MakeBroadcast({sa, sb});
  ASSERT_TRUE(ref.ok());
  ASSERT_EQ(plan->out_shape, ref->out);
  const std::vector<float> a = Iota(sa.NumElements(), 1);
  const std::vector<float> b = Iota(sb.NumElements(), 0.5f);
  std::vector<float> expected(ref->out.NumElements());
  ref->ForEach([&](int64_t i, const int64_t* off) { expected[i] = a[off[0]] * 1000 + b[off[1]]; });
  // Sentinel-filled output: a missed store shows up as NaN.
  std::vector<float> out(expected.size(), std::numeric_limits<float>::quiet_NaN());
  RunBinary(
      *plan, a.data(), b.data(), out.data(), [](float x, float y) { return x * 1000 + y; }, pool);
  ASSERT_EQ(out, expected);
}

TEST(ElementwisePlan, MergesContiguousDims) {
  const Shape same[2] = {{2, 3, 4}, {2, 3, 4}};
  auto p = MakeElementwisePlan(same, 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->row_len, 24);
  EXPECT_TRUE(p->outer_dims.empty());

  const Shape bias[2] = {{8, 1, 5}, {5}};  // the size-1 dim is dropped, then [8, 5] + [5]
  p = MakeElementwisePlan(bias, 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->row_len, 5);
  EXPECT_EQ(p->outer_dims, std::vector<int64_t>{8});
  EXPECT_TRUE(p->row_contiguous[0]);
  EXPECT_TRUE(p->row_contiguous[1]);
  EXPECT_EQ(p->outer_strides[1], std::vector<int64_t>{0});

  const Shape column[2] = {{4, 6}, {4, 1}};  // per-row scalar: input 1 repeats along rows
  p = MakeElementwisePlan(column, 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->row_len, 6);
  EXPECT_FALSE(p->row_contiguous[1]);

  const Shape scalar[2] = {{}, {}};
  p = MakeElementwisePlan(scalar, 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->total, 1);
  EXPECT_EQ(p->row_len, 1);
}

TEST(ElementwisePlan, RejectsIncompatibleShapes) {
  const Shape bad[2] = {{2, 3}, {4}};
  auto p = MakeElementwisePlan(bad, 2);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("cannot be broadcast"), std::string::npos);
}

TEST(ElementwisePlan, RandomShapesMatchReference) {
  const uint32_t seed = 20240611;
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (int iter = 0; iter < 300; ++iter) {
    const auto shapes = RandomShapes(rng, 2, 5);
    CheckBinaryAgainstReference(shapes[0], shapes[1], nullptr);
  }
}

TEST(ElementwisePlan, ZeroSizedDims) {
  CheckBinaryAgainstReference({0, 3}, {3}, nullptr);
  CheckBinaryAgainstReference({2, 0}, {1}, nullptr);
}

// Shapes large enough to split over the pool, with chunk boundaries inside rows.
TEST(ElementwisePlan, ParallelMatchesReference) {
  ThreadPool pool(3);
  CheckBinaryAgainstReference({64, 1, 513}, {1, 97, 513}, &pool);
  CheckBinaryAgainstReference({3, 40001}, {3, 40001}, &pool);
  CheckBinaryAgainstReference({50000, 3}, {50000, 1}, &pool);
  CheckBinaryAgainstReference({7, 1, 9973}, {5, 1}, &pool);
}

TEST(ElementwisePlan, ForEachRunCoversArbitraryRanges) {
  const Shape shapes[3] = {{3, 1, 5, 4}, {6, 1, 4}, {1}};
  auto p = MakeElementwisePlan(shapes, 3);
  ASSERT_TRUE(p.ok());
  auto ref = kernels::MakeBroadcast({shapes[0], shapes[1], shapes[2]});
  std::vector<std::array<int64_t, 3>> expected(ref->out.NumElements());
  ref->ForEach([&](int64_t i, const int64_t* off) { expected[i] = {off[0], off[1], off[2]}; });
  for (int64_t begin = 0; begin < p->total; begin += 7) {
    const int64_t end = std::min(p->total, begin + 13);
    int64_t next = begin;
    p->ForEachRun(begin, end, [&](int64_t o, const int64_t* in, int64_t len) {
      ASSERT_EQ(o, next);
      for (int64_t i = 0; i < len; ++i) {
        for (int k = 0; k < 3; ++k) {
          ASSERT_EQ(in[k] + (p->row_contiguous[k] ? i : 0), expected[o + i][k]);
        }
      }
      next += len;
    });
    EXPECT_EQ(next, end);
  }
}

// ---------------------------------------------------------------- arithmetic

TEST(ElementwiseArithmetic, IntegerDivisionTruncatesAndNeverTraps) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor y =
      Run1(Binary("Div", T1<int32_t>({7, -7, 7, -7, 5, kMin}), T1<int32_t>({2, 2, -2, -2, 0, -1})));
  EXPECT_EQ(Values<int32_t>(y), (std::vector<int32_t>{3, -3, -3, 3, 0, kMin}));
}

TEST(ElementwiseArithmetic, IntegerOverflowWraps) {
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(Values<int32_t>(Run1(Binary("Add", T1<int32_t>({kMax}), T1<int32_t>({1})))),
            std::vector<int32_t>{std::numeric_limits<int32_t>::min()});
  EXPECT_EQ(Values<uint16_t>(Run1(Binary("Mul", T1<uint16_t>({65535}), T1<uint16_t>({65535})))),
            std::vector<uint16_t>{1});
  EXPECT_EQ(Values<int8_t>(Run1(Binary("Sub", T1<int8_t>({-128}), T1<int8_t>({1})))),
            std::vector<int8_t>{127});
}

TEST(ElementwiseArithmetic, ModSignFollowsDivisorOrDividend) {
  const auto a = T1<int32_t>({-4, 7, 5, 4, -7, 8, 3, std::numeric_limits<int32_t>::min()});
  const auto b = T1<int32_t>({2, -3, 8, -2, 3, 5, 0, -1});
  EXPECT_EQ(Values<int32_t>(Run1(Binary("Mod", a, b))),
            (std::vector<int32_t>{0, -2, 5, 0, 2, 3, 0, 0}));
  NodeRunner fmod = Binary("Mod", a, b);
  fmod.Attr("fmod", int64_t{1});
  EXPECT_EQ(Values<int32_t>(Run1(fmod)), (std::vector<int32_t>{0, 1, 5, 0, -1, 3, 0, 0}));

  // Floats with fmod=0 follow numpy's mod (the spec asks for fmod=1 there).
  EXPECT_EQ(Values<float>(Run1(Binary("Mod", T1<float>({-4.5f, 4.5f}), T1<float>({2, -2})))),
            (std::vector<float>{1.5f, -1.5f}));
}

TEST(ElementwiseArithmetic, BitShiftPastWidthIsZero) {
  NodeRunner left = Binary("BitShift", T1<uint8_t>({1, 1, 3, 255}), T1<uint8_t>({7, 8, 1, 200}));
  left.Attr("direction", std::string("LEFT"));
  EXPECT_EQ(Values<uint8_t>(Run1(left)), (std::vector<uint8_t>{128, 0, 6, 0}));
  NodeRunner right = Binary("BitShift", T1<uint64_t>({~0ull, 16}), T1<uint64_t>({64, 4}));
  right.Attr("direction", std::string("RIGHT"));
  EXPECT_EQ(Values<uint64_t>(Run1(right)), (std::vector<uint64_t>{0, 1}));
  NodeRunner bad = Binary("BitShift", T1<uint8_t>({1}), T1<uint8_t>({1}));
  bad.Attr("direction", std::string("UP"));
  EXPECT_EQ(bad.Run().status().code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseArithmetic, BitwiseOps) {
  const auto a = T1<int8_t>({0x0F, -1, 0x55});
  const auto b = T1<int8_t>({0x3C, 0x12, 0x0F});
  EXPECT_EQ(Values<int8_t>(Run1(Binary("BitwiseAnd", a, b))),
            (std::vector<int8_t>{0x0C, 0x12, 0x05}));
  EXPECT_EQ(Values<int8_t>(Run1(Binary("BitwiseOr", a, b))), (std::vector<int8_t>{0x3F, -1, 0x5F}));
  EXPECT_EQ(Values<int8_t>(Run1(Binary("BitwiseXor", a, b))),
            (std::vector<int8_t>{0x33, static_cast<int8_t>(0xED), 0x5A}));
  NodeRunner n("BitwiseNot", 18);
  n.Input("X", T1<uint16_t>({0, 0xFF00})).Output("Y");
  EXPECT_EQ(Values<uint16_t>(Run1(n)), (std::vector<uint16_t>{0xFFFF, 0x00FF}));
}

TEST(ElementwiseArithmetic, PowIntegerAndMixedTypes) {
  // int ** negative int truncates 1/a^n; wraps on overflow.
  EXPECT_EQ(Values<int32_t>(Run1(Binary("Pow", T1<int32_t>({2, 1, -1, -1, 3, 2}),
                                        T1<int32_t>({-1, -3, -3, -2, 4, 31})))),
            (std::vector<int32_t>{0, 1, -1, 1, 81, std::numeric_limits<int32_t>::min()}));
  // int ** float: computed in double, truncated and saturated.
  EXPECT_EQ(
      Values<int64_t>(Run1(Binary("Pow", T1<int64_t>({2, 2, 9}), T1<float>({0.5f, 100.0f, 0.5f})))),
      (std::vector<int64_t>{1, std::numeric_limits<int64_t>::max(), 3}));
  // float ** int64 and float16 ** int8.
  EXPECT_EQ(Values<float>(Run1(Binary("Pow", T1<float>({2, -2, 4}), T1<int64_t>({3, 3, -1})))),
            (std::vector<float>{8, -8, 0.25f}));
  Tensor h = Run1(Binary("Pow", T1<Float16>({Float16(3.0f)}), T1<int8_t>({2})));
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<float>(h.data<Float16>()[0]), 9.0f);
}

TEST(ElementwiseArithmetic, HalfPrecisionComputesInFloat) {
  Tensor y = Run1(Binary("Add", T1<BFloat16>({BFloat16(1.0f), BFloat16(256.0f)}),
                         T1<BFloat16>({BFloat16(0.5f), BFloat16(1.0f)})));
  ASSERT_EQ(y.dtype(), DType::kBFloat16);
  EXPECT_EQ(static_cast<float>(y.data<BFloat16>()[0]), 1.5f);
  EXPECT_EQ(static_cast<float>(y.data<BFloat16>()[1]), 256.0f);  // 257 ties to even
}

TEST(ElementwiseArithmetic, LegacyBroadcastAttribute) {
  // Opset 6, broadcast=1, axis=1: B [3] lines up with A's dim 1 (numpy would use dim 2).
  std::vector<float> a(2 * 3 * 3, 0);
  NodeRunner r = Binary("Add", TS<float>(a, {2, 3, 3}), T1<float>({1, 2, 3}), 6);
  r.Attr("broadcast", int64_t{1}).Attr("axis", int64_t{1});
  std::vector<float> y = Values<float>(Run1(r));
  ASSERT_EQ(y.size(), 18u);
  for (int i = 0; i < 18; ++i) EXPECT_EQ(y[i], 1 + (i / 3) % 3) << i;
  // Without axis, B is suffix-aligned.
  NodeRunner s = Binary("Mul", TS<float>({1, 1, 1, 1, 1, 1}, {2, 3}), T1<float>({1, 2, 3}), 6);
  s.Attr("broadcast", int64_t{1});
  EXPECT_EQ(Values<float>(Run1(s)), (std::vector<float>{1, 2, 3, 1, 2, 3}));
}

TEST(ElementwiseArithmetic, ErrorsNameTheNode) {
  auto bad_shapes =
      Binary("Add", TS<float>({1, 2, 3, 4, 5, 6}, {2, 3}), T1<float>({1, 2, 3, 4})).Run();
  ASSERT_FALSE(bad_shapes.ok());
  EXPECT_EQ(bad_shapes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_shapes.status().message().find("Add_node"), std::string::npos);
  EXPECT_NE(bad_shapes.status().message().find("cannot be broadcast"), std::string::npos);

  auto mixed = Binary("Add", T1<float>({1}), T1<double>({1})).Run();
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);

  auto bools = Binary("Add", T1<bool>({true}), T1<bool>({true})).Run();
  ASSERT_FALSE(bools.ok());
  EXPECT_EQ(bools.status().code(), StatusCode::kUnimplemented);
}

// ---------------------------------------------------------------- comparison, logic, Where

TEST(ElementwiseCompare, NaNComparesFalseAndOutputsBool) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto a = T1<float>({nan, 1, 2});
  const auto b = T1<float>({nan, 1, 1});
  Tensor eq = Run1(Binary("Equal", a, b));
  ASSERT_EQ(eq.dtype(), DType::kBool);
  EXPECT_EQ(Values<bool>(eq), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(Values<bool>(Run1(Binary("GreaterOrEqual", a, b))),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(Values<bool>(Run1(Binary("Less", a, b))), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(Values<bool>(Run1(Binary("Equal", T1<bool>({true, false}), T1<bool>({true})))),
            (std::vector<bool>{true, false}));
}

TEST(ElementwiseCompare, WhereBroadcastsAllThreeInputs) {
  NodeRunner r("Where", 16);
  r.Input("C", TS<bool>({true, false}, {2, 1}))
      .Input("X", TS<int64_t>({1, 2, 3}, {1, 3}))
      .Input("Y", Tensor::Scalar<int64_t>(-1))
      .Output("Z");
  Tensor z = Run1(r);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<int64_t>(z), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));

  NodeRunner h("Where", 16);
  h.Input("C", T1<bool>({false, true}))
      .Input("X", T1<Float16>({Float16(1.0f), Float16(2.0f)}))
      .Input("Y", T1<Float16>({Float16(-1.0f), Float16(-2.0f)}))
      .Output("Z");
  Tensor zh = Run1(h);
  ASSERT_EQ(zh.dtype(), DType::kFloat16);
  EXPECT_EQ(static_cast<float>(zh.data<Float16>()[0]), -1.0f);
  EXPECT_EQ(static_cast<float>(zh.data<Float16>()[1]), 2.0f);

  NodeRunner bad("Where", 16);
  bad.Input("C", T1<float>({1})).Input("X", T1<float>({1})).Input("Y", T1<float>({1})).Output("Z");
  EXPECT_FALSE(bad.Run().ok());
}

// ---------------------------------------------------------------- variadic

TEST(ElementwiseVariadic, BroadcastsAcrossAllInputs) {
  // The first two inputs ([3] and [1]) do not span the output [2, 3]; the third does.
  NodeRunner r("Sum", 13);
  r.Input("a", T1<float>({1, 2, 3}))
      .Input("b", T1<float>({10}))
      .Input("c", TS<float>({100, 200}, {2, 1}))
      .Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(y), (std::vector<float>{111, 112, 113, 211, 212, 213}));

  NodeRunner m("Mean", 13);
  m.Input("a", T1<float>({1, 2}))
      .Input("b", T1<float>({3, 4}))
      .Input("c", T1<float>({5}))
      .Output("y");
  EXPECT_EQ(Values<float>(Run1(m)), (std::vector<float>{3, 11.0f / 3}));
}

TEST(ElementwiseVariadic, MaxMinPropagateNaNAndHandleInts) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  NodeRunner r("Max", 13);
  r.Input("a", T1<float>({nan, 1, 5})).Input("b", T1<float>({1, nan, 2})).Output("y");
  std::vector<float> y = Values<float>(Run1(r));
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], 5);

  NodeRunner m("Min", 13);
  m.Input("a", T1<uint64_t>({~0ull, 3})).Input("b", T1<uint64_t>({~0ull - 1, 7})).Output("y");
  EXPECT_EQ(Values<uint64_t>(Run1(m)), (std::vector<uint64_t>{~0ull - 1, 3}));

  NodeRunner one("Max", 13);
  one.Input("a", T1<int32_t>({4, -4})).Output("y");
  EXPECT_EQ(Values<int32_t>(Run1(one)), (std::vector<int32_t>{4, -4}));
}

}  // namespace
}  // namespace trt::testing
