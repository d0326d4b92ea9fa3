// Tests for fuse_conv_add: Add(Conv(x), shortcut) becomes FusedConv(x, W, B, Z=shortcut), and
// fuse_activation then folds the Relu after the sum into it (resnet's residual block). Inputs
// and weights are small integers, so the fused and unfused graphs must agree exactly.
#include <gtest/gtest.h>

#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

using graph::Attribute;
using AttrMap = std::map<std::string, Attribute, std::less<>>;

AttrMap Pads(int64_t p) { return {{"pads", Attribute::Ints({p, p, p, p})}}; }

const graph::Node* Producer(const graph::Value* v) { return v->producer; }

TEST(FuseConvAddTest, ResidualAddThenReluBecomesOneFusedConv) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {2, 4, 6, 5});
  auto* w = t.Const("w", RandomTensor({4, 4, 3, 3}, 1, true));
  auto* b = t.Const("b", RandomTensor({4}, 2, true));
  auto* conv = t.Op("Conv", {x, w, b}, Pads(1));
  auto* sum = t.Op("Add", {conv, x});  // identity shortcut
  auto* y = t.Op("Relu", {sum});
  t.Output(y);
  t.Prepare();
  const std::string conv_name = conv->name;
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), "FusedConv,Relu,");
  const graph::Node* fused = t.g().nodes()[0];
  EXPECT_EQ(fused->domain, "ai.trtserve");
  ASSERT_EQ(fused->inputs.size(), 4u);
  EXPECT_EQ(fused->inputs[2], b);
  EXPECT_EQ(fused->inputs[3], x);
  EXPECT_EQ(fused->FindAttr("pads")->ints, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(t.g().FindValue(conv_name), nullptr);  // the intermediate is gone
  // The activation pass then takes the Relu: one node computes relu(conv + b + x).
  EXPECT_TRUE(t.ApplyAndCompare("fuse_activation", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), "FusedConv,");
  EXPECT_EQ(t.g().nodes()[0]->FindAttr("activation")->s, "Relu");
  EXPECT_EQ(t.g().nodes()[0]->inputs.size(), 4u);
  EXPECT_EQ(t.g().outputs()[0], y);
}

TEST(FuseConvAddTest, ProjectionShortcutFusesTheLaterConvAndKeepsAbsentBias) {
  // resnet's downsampling block: Add(conv_main(...), conv_shortcut(x)); either conv could take
  // the other as Z. Neither has a bias here: the fused node keeps input 2 absent.
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1, 3, 8, 8});
  auto* main1 =
      t.Op("Conv", {x, t.Const("w1", RandomTensor({6, 3, 3, 3}, 1, true))},
           {{"pads", Attribute::Ints({1, 1, 1, 1})}, {"strides", Attribute::Ints({2, 2})}});
  auto* main2 = t.Op("Conv", {main1, t.Const("w2", RandomTensor({6, 6, 1, 1}, 2, true))});
  auto* shortcut = t.Op("Conv", {x, t.Const("w3", RandomTensor({6, 3, 1, 1}, 3, true))},
                        {{"strides", Attribute::Ints({2, 2})}});
  t.Output(t.Op("Add", {main2, shortcut}));
  t.Prepare();
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.Count("Conv"), 2);
  EXPECT_EQ(t.Count("FusedConv"), 1);
  EXPECT_EQ(t.Count("Add"), 0);
  const graph::Node* fused = Producer(t.g().outputs()[0]);
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->op_type, "FusedConv");
  ASSERT_EQ(fused->inputs.size(), 4u);
  EXPECT_EQ(fused->inputs[2], nullptr);
  // Z is the other conv's output, computed before the fused node.
  ASSERT_NE(fused->inputs[3]->producer, nullptr);
  EXPECT_EQ(fused->inputs[3]->producer->op_type, "Conv");
  EXPECT_LT(fused->inputs[3]->producer->index, fused->index);
}

TEST(FuseConvAddTest, KeepsInapplicablePatterns) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {1, 4, 5, 5});
  auto* w = t.Const("w", RandomTensor({4, 4, 3, 3}, 1, true));
  // Broadcast Add of a per-channel constant: not a residual.
  t.Output(t.Op(
      "Add", {t.Op("Conv", {x, w}, Pads(1)), t.Const("c", RandomTensor({1, 4, 1, 1}, 2, true))}));
  // Conv output read twice.
  auto* shared = t.Op("Conv", {x, w}, Pads(1));
  t.Output(t.Op("Add", {shared, x}));
  t.Output(t.Op("Relu", {shared}));
  // Activation before the sum: FusedConv adds Z before its activation, so this must stay.
  auto* act =
      t.Node("FusedConv", {x, w}, 1,
             {{"pads", Attribute::Ints({1, 1, 1, 1})}, {"activation", Attribute::String("Relu")}},
             "ai.trtserve")
          ->outputs[0];
  t.Output(t.Op("Add", {act, x}));
  // Conv output is a graph output.
  auto* visible = t.Op("Conv", {x, w}, Pads(1));
  t.Output(visible);
  t.Output(t.Op("Add", {visible, x}));
  // Add(y, y).
  auto* twice = t.Op("Conv", {x, w}, Pads(1));
  t.Output(t.Op("Add", {twice, twice}));
  t.Prepare();
  const std::string ops = t.OpList();
  EXPECT_FALSE(t.ApplyAndCompare("fuse_conv_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), ops);
}

TEST(FuseConvAddTest, SymbolicBatchMatchesWhenBothSidesShareIt) {
  PassTestGraph t;
  auto* x = t.Input("x", DType::kFloat32, {graph::Dim::Symbol("n"), 3, 4, 4});
  auto* conv = t.Op("Conv", {x, t.Const("w", RandomTensor({3, 3, 1, 1}, 4, true))});
  t.Output(t.Op("Add", {x, conv}));
  t.Prepare();
  t.SetFeed("x", RandomTensor({2, 3, 4, 4}, 5, true));
  EXPECT_TRUE(t.ApplyAndCompare("fuse_conv_add", {0, 0}, PassTestGraph::DefaultContext(), true));
  EXPECT_EQ(t.OpList(), "FusedConv,");
}

}  // namespace
}  // namespace trt::testing
