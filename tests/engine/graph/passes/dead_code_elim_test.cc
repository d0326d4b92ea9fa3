// Tests for dead_code_elim: unreachable nodes and unused constants are removed; live nodes,
// graph inputs and values captured by subgraphs stay.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

TEST(DeadCodeElimTest, RemovesUnreachableNodesAndConstants) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  t.Const("unused_w", RandomTensor({4}, 1));
  auto* w = t.Const("w", RandomTensor({2, 3}, 2));
  t.Op("Neg", {t.Op("Sigmoid", {t.Op("Mul", {x, w})})});  // dead chain
  t.Output(t.Op("Relu", {x}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("dead_code_elim"));
  EXPECT_EQ(t.OpList(), "Relu,");
  EXPECT_EQ(t.g().FindValue("unused_w"), nullptr);
  EXPECT_EQ(t.g().FindValue("w"), nullptr);
  EXPECT_NE(t.g().FindValue("x"), nullptr);
}

TEST(DeadCodeElimTest, LiveGraphIsUnchanged) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  graph::Node* split = t.Node("Split", {x}, 3, {{"axis", IntAttr(1)}});
  t.Output(t.Op("Add", {split->outputs[0], split->outputs[2]}));  // output 1 unused: node lives
  t.Prepare();
  EXPECT_FALSE(t.ApplyAndCompare("dead_code_elim"));
  EXPECT_EQ(t.OpList(), "Split,Add,");
}

TEST(DeadCodeElimTest, KeepsValuesCapturedBySubgraphs) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2});
  auto* cond = t.Const("cond", Tensor::FromVector<bool>({true}, Shape{}));
  auto* neg = t.Op("Neg", {x});  // read only inside the If branches, by name
  auto* k = t.Const("k", RandomTensor({2}, 4));
  // A branch whose only content is one captured outer value, returned as its output.
  auto branch = [&](const std::string& captured) {
    graph::Attribute a;
    a.kind = graph::Attribute::Kind::kGraph;
    a.g = std::make_shared<graph::Graph>(&t.g());
    a.g->name = "branch_" + captured;
    graph::Value* v = a.g->AddOuterScopeValue(captured);
    v->is_graph_output = true;
    a.g->outputs().push_back(v);
    return a;
  };
  graph::Attribute tb = branch(neg->name), eb = branch("k");
  t.Output(t.Op("If", {cond}, {{"then_branch", tb}, {"else_branch", eb}}));
  (void)k;
  t.Prepare();
  EXPECT_FALSE(t.ApplyAndCompare("dead_code_elim"));
  EXPECT_EQ(t.Count("Neg"), 1);
  EXPECT_NE(t.g().FindValue("k"), nullptr);
}

}  // namespace
}  // namespace trt::testing
