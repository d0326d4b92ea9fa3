// Tests for the eliminate_identity pass: pass-through nodes disappear, graph output names
// stay, and nodes that are not provably pass-through (or cannot be removed) are kept.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

using graph::Dim;

TEST(EliminateIdentityTest, RemovesIdentityChainAndKeepsOutputName) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  auto* a = t.Op("Identity", {x});
  auto* b = t.Op("Relu", {a});
  auto* y = t.Op("Identity", {b});
  t.Output(y);
  t.Prepare();
  const std::string out_name = y->name;
  EXPECT_TRUE(t.ApplyAndCompare("eliminate_identity"));
  EXPECT_EQ(t.OpList(), "Relu,");
  ASSERT_EQ(t.g().outputs().size(), 1u);
  EXPECT_EQ(t.g().outputs()[0]->name, out_name);
}

TEST(EliminateIdentityTest, RemovesDropoutSameCastSameReshapeAndExpand) {
  PassTestGraph t(13);
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  auto* d = t.Node("Dropout", {x}, 2)->outputs[0];  // mask output unused
  auto* c = t.Op("Cast", {d}, {{"to", IntAttr(static_cast<int64_t>(DType::kFloat32))}});
  auto* r = t.Op("Reshape", {c, t.Const("shape", Tensor::FromVector<int64_t>({2, -1}))});
  auto* e = t.Op("Expand", {r, t.Const("eshape", Tensor::FromVector<int64_t>({1, 3}))});
  t.Output(t.Op("Sigmoid", {e}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("eliminate_identity"));
  EXPECT_EQ(t.OpList(), "Sigmoid,");
  EXPECT_EQ(t.g().FindValue("shape"), nullptr);  // unused constants go too
}

TEST(EliminateIdentityTest, SymbolicSameShapeReshapeIsRemoved) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {Dim::Symbol("batch"), 4});
  auto* s = t.Op("Shape", {x});
  auto* r = t.Op("Reshape", {x, s});
  t.Output(t.Op("Relu", {r}));
  t.Prepare();
  t.SetFeed("x", RandomTensor({3, 4}, 1));
  EXPECT_TRUE(t.ApplyAndCompare("eliminate_identity"));
  EXPECT_EQ(t.Count("Reshape"), 0);
}

TEST(EliminateIdentityTest, KeepsNodesThatAreNotPassThrough) {
  PassTestGraph t(13);
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  // Graph input straight to graph output: the node must stay to keep both names.
  t.Output(t.Op("Identity", {x}));
  // Dropout whose mask is a graph output.
  graph::Node* drop = t.Node("Dropout", {x}, 2);
  t.Output(drop->outputs[0]);
  t.Output(drop->outputs[1]);
  // Dropout in training mode (constant true).
  auto* train = t.Const("train", Tensor::FromVector<bool>({true}, Shape{}));
  auto* ratio = t.Const("ratio", Tensor::FromVector<float>({0.0f}, Shape{}));
  t.Output(t.Node("Dropout", {x, ratio, train}, 1)->outputs[0]);
  // Cast to another dtype; Reshape to another shape.
  t.Output(t.Op("Cast", {x}, {{"to", IntAttr(static_cast<int64_t>(DType::kFloat64))}}));
  t.Output(t.Op("Reshape", {x, t.Const("shape", Tensor::FromVector<int64_t>({3, 2}))}));
  t.Prepare();
  const std::string ops = t.OpList();
  EXPECT_FALSE(t.ApplyAndCompare("eliminate_identity"));
  EXPECT_EQ(t.OpList(), ops);
}

TEST(EliminateIdentityTest, OutputOfGraphOutputProducerKeepsBothNames) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 3});
  auto* r = t.Op("Relu", {x});
  t.Output(r);                      // r is a graph output itself ...
  t.Output(t.Op("Identity", {r}));  // ... so Identity(r) must stay as a second name.
  t.Prepare();
  EXPECT_FALSE(t.ApplyAndCompare("eliminate_identity"));
  EXPECT_EQ(t.Count("Identity"), 1);
}

}  // namespace
}  // namespace trt::testing
