// Tests for fuse_matmul_add: MatMul + constant row bias becomes Gemm (2-D A) or FusedMatMul
// (batched A); other shapes and shared intermediates are left alone. Inputs are small
// integers so both sides compute exact sums.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

TEST(FuseMatMulAddTest, TwoDimensionalABecomesGemm) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kFloat32, {3, 4});
  auto* mm = t.Op("MatMul", {a, t.Const("b", RandomTensor({4, 5}, 1, true))});
  auto* y = t.Op("Add", {mm, t.Const("bias", RandomTensor({5}, 2, true))});
  t.Output(y);
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_matmul_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), "Gemm,");
  EXPECT_EQ(t.g().nodes()[0]->opset, 17);
  EXPECT_EQ(t.g().outputs()[0]->name, y->name);
}

TEST(FuseMatMulAddTest, BatchedABecomesFusedMatMulWithBiasOnEitherSide) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kFloat32, {2, 3, 4});
  auto* b = t.Const("b", RandomTensor({4, 5}, 1, true));
  auto* mm1 = t.Op("MatMul", {a, b});
  t.Output(t.Op("Add", {t.Const("bias1", RandomTensor({1, 5}, 2, true)), mm1}));
  auto* mm2 = t.Op("MatMul", {a, b});
  t.Output(t.Op("Add", {mm2, t.Const("bias2", RandomTensor({5}, 3, true))}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_matmul_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), "FusedMatMul,FusedMatMul,");
  EXPECT_EQ(t.g().nodes()[0]->domain, "ai.trtserve");
  EXPECT_EQ(t.g().nodes()[0]->opset, 1);
}

TEST(FuseMatMulAddTest, KeepsInapplicablePatterns) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kFloat32, {3, 4});
  auto* b_in = t.Input("b_in", DType::kFloat32, {4, 5});
  auto* b = t.Const("b", RandomTensor({4, 5}, 1, true));
  // MatMul output read twice.
  auto* shared = t.Op("MatMul", {a, b});
  t.Output(t.Op("Add", {shared, t.Const("bias", RandomTensor({5}, 2, true))}));
  t.Output(t.Op("Relu", {shared}));
  // Runtime B.
  t.Output(t.Op("Add", {t.Op("MatMul", {a, b_in}), t.Const("bias2", RandomTensor({5}, 3, true))}));
  // Full-matrix addend, not a row bias.
  t.Output(t.Op("Add", {t.Op("MatMul", {a, b}), t.Const("full", RandomTensor({3, 5}, 4, true))}));
  // Runtime addend.
  t.Output(t.Op("Add", {t.Op("MatMul", {a, b}), t.Input("c", DType::kFloat32, {5})}));
  t.Prepare();
  const std::string ops = t.OpList();
  EXPECT_FALSE(t.ApplyAndCompare("fuse_matmul_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), ops);
}

TEST(FuseMatMulAddTest, KeepsIntegerBatchedMatMul) {
  PassTestGraph t;
  auto* a = t.Input("a", DType::kInt64, {2, 3, 4});
  t.SetFeed("a", Tensor::FromVector<int64_t>(std::vector<int64_t>(24, 2), {2, 3, 4}));
  auto* mm =
      t.Op("MatMul",
           {a, t.Const("b", Tensor::FromVector<int64_t>(std::vector<int64_t>(20, 3), {4, 5}))});
  t.Output(t.Op("Add", {mm, t.Const("bias", Tensor::FromVector<int64_t>({1, 2, 3, 4, 5}))}));
  t.Prepare();
  EXPECT_FALSE(t.ApplyAndCompare("fuse_matmul_add"));
  EXPECT_EQ(t.OpList(), "MatMul,Add,");
}

}  // namespace
}  // namespace trt::testing
