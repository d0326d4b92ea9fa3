// Tests for fold_transpose_into_matmul: last-two-axes Transposes feeding MatMul, Gemm or
// FusedMatMul become transA/transB flags (outputs identical); other permutations, shared
// Transposes and integer MatMuls are kept.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

const graph::Node* OnlyNode(PassTestGraph& t, const std::string& op) {
  for (const graph::Node* n : t.g().nodes()) {
    if (n->op_type == op) return n;
  }
  return nullptr;
}

TEST(FoldTransposeTest, MatMulBecomesFusedMatMulWithTransA) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 5, 3});
  auto* xt = t.Op("Transpose", {x}, {{"perm", IntsAttr({0, 2, 1})}});
  t.Output(t.Op("MatMul", {xt, t.Input("b", DType::kFloat32, {5, 4})}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fold_transpose_into_matmul"));
  EXPECT_EQ(t.OpList(), "FusedMatMul,");
  const graph::Node* n = OnlyNode(t, "FusedMatMul");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->FindAttr("transA")->i, 1);
  EXPECT_EQ(n->FindAttr("transB"), nullptr);
}

TEST(FoldTransposeTest, GemmTransBToggles) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kFloat32, {3, 4});
  auto* b = t.Input("b", DType::kFloat32, {4, 6});
  auto* bt = t.Op("Transpose", {b});  // default perm on rank 2: swap
  t.Output(t.Op("Gemm", {a, bt, t.Const("c", RandomTensor({6}, 1))}, {{"transB", IntAttr(1)}}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fold_transpose_into_matmul"));
  EXPECT_EQ(t.OpList(), "Gemm,");
  EXPECT_EQ(OnlyNode(t, "Gemm")->FindAttr("transB")->i, 0);
}

TEST(FoldTransposeTest, FusedMatMulTakesBothFlags) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kFloat32, {2, 4, 3});
  auto* b = t.Input("b", DType::kFloat32, {1, 5, 4});
  auto* at = t.Op("Transpose", {a}, {{"perm", IntsAttr({0, 2, 1})}});
  auto* bt = t.Op("Transpose", {b}, {{"perm", IntsAttr({0, 2, 1})}});
  graph::Node* f = t.Node("FusedMatMul", {at, bt, t.Const("bias", RandomTensor({5}, 1))}, 1,
                          {{"transA", IntAttr(0)}}, "ai.trtserve");
  t.Output(f->outputs[0]);
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fold_transpose_into_matmul"));
  EXPECT_EQ(t.OpList(), "FusedMatMul,");
  const graph::Node* n = OnlyNode(t, "FusedMatMul");
  EXPECT_EQ(n->FindAttr("transA")->i, 1);
  EXPECT_EQ(n->FindAttr("transB")->i, 1);
}

TEST(FoldTransposeTest, KeepsOtherPermutationsSharedAndIntegerCases) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {3, 4, 4});
  auto* b = t.Input("b", DType::kFloat32, {4, 2});
  // Not the last-two-axes swap.
  t.Output(t.Op("MatMul", {t.Op("Transpose", {x}, {{"perm", IntsAttr({1, 0, 2})}}), b}));
  // Transpose read twice.
  auto* shared = t.Op("Transpose", {x}, {{"perm", IntsAttr({0, 2, 1})}});
  t.Output(t.Op("MatMul", {shared, b}));
  t.Output(shared);
  // Integer MatMul (FusedMatMul is float-only).
  auto* xi = t.Input("xi", DType::kInt64, {3, 2});
  t.SetFeed("xi", Tensor::FromVector<int64_t>({1, 2, 3, 4, 5, 6}, {3, 2}));
  auto* ci = t.Const("ci", Tensor::FromVector<int64_t>({1, 0, 2, 1, 1, 1}, {3, 2}));
  t.Output(t.Op("MatMul", {t.Op("Transpose", {xi}), ci}));
  t.Prepare();
  const std::string ops = t.OpList();
  EXPECT_FALSE(t.ApplyAndCompare("fold_transpose_into_matmul"));
  EXPECT_EQ(t.OpList(), ops);
}

}  // namespace
}  // namespace trt::testing
