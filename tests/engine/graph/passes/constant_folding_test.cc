// Tests for constant_folding: evaluation of all-constant nodes through the registry
// evaluator, materialization of statically known shape values, and the cases it must skip.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

using graph::Dim;

TEST(ConstantFoldingTest, FoldsConstantSubexpressions) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  auto* c1 = t.Const("c1", RandomTensor({2, 3}, 11));
  auto* c2 = t.Const("c2", RandomTensor({3}, 12));
  auto* sum = t.Op("Add", {c1, c2});
  auto* tr = t.Op("Transpose", {t.Op("Transpose", {sum})});
  t.Output(t.Op("Mul", {x, tr}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("constant_folding"));
  EXPECT_EQ(t.OpList(), "Mul,");
  EXPECT_EQ(t.g().FindValue("c1"), nullptr);
}

TEST(ConstantFoldingTest, FoldsStaticDimsOfShapeChains) {
  // PyTorch-style: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 1)), [-1])) with a static
  // channel dim folds to Reshape(x, [3, -1]); Shape(x) itself stays (batch is symbolic).
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {Dim::Symbol("batch"), 3, 4});
  auto* s = t.Op("Shape", {x});
  auto* g = t.Op("Gather", {s, t.Const("one", Tensor::Scalar<int64_t>(1))});
  auto* u = t.Op("Unsqueeze", {g, t.Const("axes", Tensor::FromVector<int64_t>({0}))});
  auto* c = t.Op("Concat", {u, t.Const("minus1", Tensor::FromVector<int64_t>({-1}))},
                 {{"axis", IntAttr(0)}});
  auto* r = t.Op("Reshape", {x, c});
  t.Output(r);
  t.Output(s);  // keep Shape alive so the test is about folding, not dead code
  t.Prepare();
  t.SetFeed("x", RandomTensor({2, 3, 4}, 3));
  EXPECT_TRUE(t.ApplyAndCompare("constant_folding"));
  EXPECT_EQ(t.OpList(), "Shape,Reshape,");
  ASSERT_TRUE(c->is_constant());
  EXPECT_EQ(c->constant->GetAsInt64(0), 3);
  EXPECT_EQ(c->constant->GetAsInt64(1), -1);
}

TEST(ConstantFoldingTest, GraphOutputThatBecomesConstantKeepsItsName) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {5, 2});
  auto* s = t.Op("Shape", {x});
  t.Output(s);
  t.Prepare();
  const std::string name = s->name;
  EXPECT_TRUE(t.ApplyAndCompare("constant_folding"));
  EXPECT_EQ(t.g().num_nodes(), 0u);
  EXPECT_EQ(t.g().outputs()[0]->name, name);
}

TEST(ConstantFoldingTest, RespectsMaxFoldedBytes) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1000});
  auto* big = t.Op("ConstantOfShape", {t.Const("shape", Tensor::FromVector<int64_t>({1000}))});
  t.Output(t.Op("Add", {x, big}));
  t.Prepare();
  graph::PassContext small = PassTestGraph::DefaultContext();
  small.max_folded_bytes = 100;
  EXPECT_FALSE(t.ApplyAndCompare("constant_folding", {0, 0}, small));
  EXPECT_EQ(t.Count("ConstantOfShape"), 1);
  EXPECT_TRUE(t.ApplyAndCompare("constant_folding"));
  EXPECT_EQ(t.Count("ConstantOfShape"), 0);
}

TEST(ConstantFoldingTest, SkipsRandomOpsAndWorksWithoutEvaluatorOnlyForShapes) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  auto* rnd = t.Op("RandomNormal", {}, {{"shape", IntsAttr({2, 3})}});
  auto* c = t.Op("Neg", {t.Const("c", RandomTensor({2, 3}, 5))});
  t.Output(t.Op("Add", {t.Op("Mul", {x, rnd}), c}));
  t.Prepare();
  auto changed = t.Apply("constant_folding", graph::PassContext{});  // no evaluator
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(t.Count("Neg"), 1);
  changed = t.Apply("constant_folding");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(t.Count("Neg"), 0);
  EXPECT_EQ(t.Count("RandomNormal"), 1);
}

}  // namespace
}  // namespace trt::testing
