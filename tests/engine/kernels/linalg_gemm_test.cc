// Unit tests for the Gemm and MatMul reference kernels: transposition, alpha/beta, C
// broadcasting, 1-D promotion, batch broadcasting, integer types and error messages.
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

TEST(LinalgGemmTest, TransposedWithAlphaBetaAndRowBroadcastC) {
  // A' = [[1,2,3],[4,5,6]] given as A = A'^T (3x2); B' = [[1,0],[0,1],[1,1]] given as B'^T.
  NodeRunner r("Gemm", 13);
  r.Input("A", F32({1, 4, 2, 5, 3, 6}, {3, 2}))
      .Input("B", F32({1, 0, 1, 0, 1, 1}, {2, 3}))
      .Input("C", F32({10, 20}, {2}))
      .Attr("transA", int64_t{1})
      .Attr("transB", int64_t{1})
      .Attr("alpha", 2.0f)
      .Attr("beta", 0.5f)
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // A'B' = [[4,5],[10,11]] -> 2*AB + 0.5*C = [[13,20],[25,32]].
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{13, 20, 25, 32}));
}

TEST(LinalgGemmTest, OptionalCAndColumnBroadcast) {
  NodeRunner r("Gemm", 11);
  r.Input("A", F32({1, 2, 3, 4}, {2, 2})).Input("B", F32({1, 1, 1, 1}, {2, 2})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{3, 3, 7, 7}));

  NodeRunner r2("Gemm", 11);
  r2.Input("A", F32({1, 2, 3, 4}, {2, 2}))
      .Input("B", F32({1, 1, 1, 1}, {2, 2}))
      .Input("C", F32({100, 200}, {2, 1}))
      .Output("Y");
  auto out2 = r2.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_EQ(Values((*out2)[0]), (std::vector<float>{103, 103, 207, 207}));
}

TEST(LinalgGemmTest, Int32) {
  NodeRunner r("Gemm", 13);
  r.Input("A", Tensor::FromVector<int32_t>({1, -2, 3, 4}, {2, 2}))
      .Input("B", Tensor::FromVector<int32_t>({5, 6, 7, 8}, {2, 2}))
      .Input("C", Tensor::Scalar<int32_t>(1))
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{-8, -9, 44, 51}));
}

TEST(LinalgGemmTest, Errors) {
  NodeRunner r("Gemm", 13);
  r.Input("A", F32({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4})).Input("B", F32({1, 2, 3, 4, 5, 6}, {3, 2}));
  r.Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("K: 4 vs 3"), std::string::npos) << out.status();

  NodeRunner r2("Gemm", 13);
  r2.Input("A", F32({1, 2, 3, 4}, {2, 2}))
      .Input("B", F32({1, 2, 3, 4}, {2, 2}))
      .Input("C", F32({1, 2, 3}, {3}))
      .Output("Y");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("input 2 (C) has shape [3]"), std::string::npos);

  NodeRunner r3("Gemm", 6);  // broadcast=0 before opset 7: C must be exactly [M, N]
  r3.Input("A", F32({1, 2, 3, 4}, {2, 2}))
      .Input("B", F32({1, 2, 3, 4}, {2, 2}))
      .Input("C", F32({1, 2}, {2}))
      .Output("Y");
  EXPECT_FALSE(r3.Run().ok());
  NodeRunner r4("Gemm", 6);
  r4.Input("A", F32({1, 2, 3, 4}, {2, 2}))
      .Input("B", F32({1, 0, 0, 1}, {2, 2}))
      .Input("C", F32({1, 2}, {2}))
      .Attr("broadcast", int64_t{1})
      .Output("Y");
  auto out4 = r4.Run();
  ASSERT_TRUE(out4.ok()) << out4.status();
  EXPECT_EQ(Values((*out4)[0]), (std::vector<float>{2, 4, 4, 6}));
}

TEST(LinalgMatMulTest, VectorPromotion) {
  NodeRunner r("MatMul", 13);
  r.Input("A", F32({1, 2, 3}, {3})).Input("B", F32({1, 2, 3, 4, 5, 6}, {3, 2})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{22, 28}));

  NodeRunner r2("MatMul", 13);
  r2.Input("A", F32({1, 2, 3}, {3})).Input("B", F32({4, 5, 6}, {3})).Output("Y");
  auto out2 = r2.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_EQ((*out2)[0].shape(), Shape{});
  EXPECT_EQ(Values((*out2)[0]), (std::vector<float>{32}));
}

TEST(LinalgMatMulTest, BatchBroadcast) {
  // A: [2, 1, 1, 2], B: [3, 2, 1] -> Y: [2, 3, 1, 1].
  NodeRunner r("MatMul", 13);
  r.Input("A", F32({1, 2, 3, 4}, {2, 1, 1, 2}))
      .Input("B", F32({1, 0, 0, 1, 1, 1}, {3, 2, 1}))
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{1, 2, 3, 3, 4, 7}));
}

TEST(LinalgMatMulTest, Int64AndErrors) {
  NodeRunner r("MatMul", 13);
  r.Input("A", Tensor::FromVector<int64_t>({1, 2, 3, 4}, {2, 2}))
      .Input("B", Tensor::FromVector<int64_t>({-1, 0, 0, 1}, {2, 2}))
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{-1, 2, -3, 4}));

  NodeRunner r2("MatMul", 13);
  r2.Input("A", F32({1, 2, 3, 4, 5, 6}, {2, 3})).Input("B", F32({1, 2, 3, 4}, {2, 2}));
  r2.Output("Y");
  auto out2 = r2.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("K must match: 3 vs 2"), std::string::npos)
      << out2.status();

  NodeRunner r3("MatMul", 13);
  r3.Input("A", F32({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}))
      .Input("B", F32({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 2, 2}))
      .Output("Y");
  auto out3 = r3.Run();
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("batch dims"), std::string::npos) << out3.status();
}

// Sizes span several (k, j) tiles with ragged edges; small integers keep every partial sum
// exact, so the result must equal a naive triple loop bit for bit.
TEST(LinalgMatMulTest, TiledMatchesNaive) {
  const int64_t m = 3, k = 300, n = 517;
  std::vector<float> a(m * k), b(k * n), want(m * n, 0.0f);
  for (int64_t i = 0; i < m * k; ++i) a[i] = static_cast<float>(i % 7) - 3;
  for (int64_t i = 0; i < k * n; ++i) b[i] = static_cast<float>(i % 5) - 2;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t p = 0; p < k; ++p) want[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  NodeRunner r("MatMul", 13);
  r.Input("A", F32(a, {m, k})).ConstantInput("B", F32(b, {k, n})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), want);
  // Same product through Gemm with B given transposed.
  std::vector<float> bt(k * n);
  for (int64_t p = 0; p < k; ++p) {
    for (int64_t j = 0; j < n; ++j) bt[j * k + p] = b[p * n + j];
  }
  NodeRunner g("Gemm", 13);
  g.Input("A", F32(a, {m, k})).Input("B", F32(bt, {n, k})).Attr("transB", int64_t{1});
  g.Output("Y");
  auto gout = g.Run();
  ASSERT_TRUE(gout.ok()) << gout.status();
  EXPECT_EQ(Values((*gout)[0]), want);
}

}  // namespace
}  // namespace trt::testing
