// fuse_activation: Conv/Gemm/FusedMatMul + activation -> FusedConv/FusedGemm with the
// activation attributes; the fused graph must give bit-identical outputs.
#include <limits>

#include "tests/engine/graph/passes/fusion_test_util.h"

namespace trt::graph {
namespace {

using namespace fusion_test;  // NOLINT(build/namespaces)
constexpr int kFloat = onnx::TensorProto::FLOAT;

struct ActCase {
  std::string op;
  std::string domain;
  std::vector<float> attr_or_bounds;  // LeakyRelu/HardSigmoid attrs; Clip bound inputs
  std::vector<float> want_params;
};

std::vector<ActCase> Cases() {
  return {
      {"Relu", "", {}, {}},
      {"Clip", "", {0.0f, 6.0f}, {0.0f, 6.0f}},
      {"LeakyRelu", "", {0.1f}, {0.1f}},
      {"Sigmoid", "", {}, {}},
      {"HardSigmoid", "", {0.3f, 0.4f}, {0.3f, 0.4f}},
      {"HardSwish", "", {}, {}},
      {"Gelu", "com.microsoft", {}, {}},
      {"Tanh", "", {}, {}},
  };
}

// Adds `act` reading `in` and writing `out`.
void AddActivation(OnnxBuilder& b, const ActCase& act, const std::string& in,
                   const std::string& out) {
  std::vector<std::string> inputs = {in};
  if (act.op == "Clip") {
    b.FloatInitializer("clip_min", {}, {act.attr_or_bounds[0]});
    b.FloatInitializer("clip_max", {}, {act.attr_or_bounds[1]});
    inputs = {in, "clip_min", "clip_max"};
  }
  auto* n = b.Node(act.op, inputs, {out}, "act");
  n->set_domain(act.domain);
  if (act.op == "LeakyRelu") FloatAttr(n, "alpha", act.attr_or_bounds[0]);
  if (act.op == "HardSigmoid") {
    FloatAttr(n, "alpha", act.attr_or_bounds[0]);
    FloatAttr(n, "beta", act.attr_or_bounds[1]);
  }
}

OnnxBuilder ConvModel(const ActCase& act, bool conv_output_is_graph_output = false) {
  OnnxBuilder b(14);
  AddOpset(b, "com.microsoft", 1);
  b.Input("x", kFloat, {std::string("n"), int64_t{3}, int64_t{7}, int64_t{5}});
  b.FloatInitializer("w", {4, 3, 3, 3}, RandomTensorValues(4 * 3 * 3 * 3, 11));
  b.FloatInitializer("b", {4}, {0.5f, -0.25f, 0.0f, 1.0f});
  auto* conv = b.Node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  OnnxBuilder::IntsAttr(conv, "pads", {1, 1, 1, 1});
  AddActivation(b, act, "c", "y");
  b.Output("y", kFloat, {std::string("n"), int64_t{4}, int64_t{7}, int64_t{5}});
  if (conv_output_is_graph_output) {
    b.Output("c", kFloat, {std::string("n"), int64_t{4}, int64_t{7}, int64_t{5}});
  }
  return b;
}

OnnxBuilder GemmModel(const ActCase& act) {
  OnnxBuilder b(14);
  AddOpset(b, "com.microsoft", 1);
  b.Input("a", kFloat, {std::string("m"), int64_t{5}});
  b.FloatInitializer("bm", {3, 5}, RandomTensorValues(15, 12));
  b.FloatInitializer("c", {3}, {0.5f, -1.0f, 2.0f});
  auto* gemm = b.Node("Gemm", {"a", "bm", "c"}, {"g"}, "gemm");
  OnnxBuilder::IntAttr(gemm, "transB", 1);
  FloatAttr(gemm, "alpha", 0.75f);
  AddActivation(b, act, "g", "y");
  b.Output("y", kFloat, {std::string("m"), int64_t{3}});
  return b;
}

void ExpectActivationAttrs(const Node* n, const ActCase& act) {
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->opset, 1);
  const Attribute* a = n->FindAttr("activation");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->s, act.op);
  const Attribute* p = n->FindAttr("activation_params");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->floats, act.want_params);
}

TEST(FuseActivationTest, ConvPlusEachActivation) {
  for (const ActCase& act : Cases()) {
    SCOPED_TRACE(act.op);
    auto pass = CreateFuseActivationPass();
    bool changed = false;
    auto m = RunPassAndCompare(ConvModel(act), *pass, {{"x", RandomTensor(Shape{2, 3, 7, 5}, 1)}},
                               &changed, {0, 0});
    ASSERT_TRUE(changed);
    EXPECT_EQ(m->graph->num_nodes(), 1u);
    const Node* fused = FindOp(*m->graph, kTrtDomain, "FusedConv");
    ExpectActivationAttrs(fused, act);
    EXPECT_EQ(fused->name, "conv");
    EXPECT_EQ(fused->inputs.size(), 3u);
    EXPECT_EQ(fused->FindAttr("pads")->ints, (std::vector<int64_t>{1, 1, 1, 1}));
    EXPECT_EQ(m->graph->FindValue("c"), nullptr);  // the intermediate is gone
  }
}

TEST(FuseActivationTest, GemmPlusEachActivation) {
  for (const ActCase& act : Cases()) {
    SCOPED_TRACE(act.op);
    auto pass = CreateFuseActivationPass();
    bool changed = false;
    auto m = RunPassAndCompare(GemmModel(act), *pass, {{"a", RandomTensor(Shape{4, 5}, 2)}},
                               &changed, {0, 0});
    ASSERT_TRUE(changed);
    EXPECT_EQ(m->graph->num_nodes(), 1u);
    const Node* fused = FindOp(*m->graph, kTrtDomain, "FusedGemm");
    ExpectActivationAttrs(fused, act);
    EXPECT_EQ(fused->FindAttr("transB")->i, 1);
    EXPECT_EQ(fused->FindAttr("alpha")->f, 0.75f);
  }
}

TEST(FuseActivationTest, ClipAttributesBeforeOpset11AndOpenBounds) {
  // Opset 10: bounds are attributes; Relu6 = Clip(0, 6).
  OnnxBuilder b(10);
  b.Input("a", kFloat, {int64_t{4}, int64_t{5}});
  b.FloatInitializer("bm", {5, 3}, RandomTensorValues(15, 3));
  b.FloatInitializer("c", {1, 3}, {0.5f, -1.0f, 2.0f});
  b.Node("Gemm", {"a", "bm", "c"}, {"g"});
  auto* clip = b.Node("Clip", {"g"}, {"y"});
  FloatAttr(clip, "min", 0.0f);
  FloatAttr(clip, "max", 6.0f);
  b.Output("y", kFloat, {int64_t{4}, int64_t{3}});
  auto pass = CreateFuseActivationPass();
  bool changed = false;
  auto m = RunPassAndCompare(b, *pass, {{"a", RandomTensor(Shape{4, 5}, 4)}}, &changed, {0, 0});
  ASSERT_TRUE(changed);
  ExpectActivationAttrs(FindOp(*m->graph, kTrtDomain, "FusedGemm"), {"Clip", "", {}, {0, 6}});

  // Opset 13 with only `min`: max is +inf.
  OnnxBuilder b13(13);
  b13.Input("x", kFloat, {int64_t{1}, int64_t{2}, int64_t{4}});
  b13.FloatInitializer("w", {3, 2, 2}, RandomTensorValues(12, 5));
  b13.FloatInitializer("lo", {1}, {-0.5f});
  b13.Node("Conv", {"x", "w"}, {"c"});
  b13.Node("Clip", {"c", "lo", ""}, {"y"});
  b13.Output("y", kFloat, {int64_t{1}, int64_t{3}, int64_t{3}});
  auto pass13 = CreateFuseActivationPass();
  m = RunPassAndCompare(b13, *pass13, {{"x", RandomTensor(Shape{1, 2, 4}, 6)}}, &changed, {0, 0});
  ASSERT_TRUE(changed);
  ExpectActivationAttrs(FindOp(*m->graph, kTrtDomain, "FusedConv"),
                        {"Clip", "", {}, {-0.5f, std::numeric_limits<float>::infinity()}});
}

TEST(FuseActivationTest, ConvOutputIsGraphOutputIsNotFused) {
  auto pass = CreateFuseActivationPass();
  bool changed = true;
  auto m = RunPassAndCompare(ConvModel(Cases()[0], /*conv_output_is_graph_output=*/true), *pass,
                             {{"x", RandomTensor(Shape{1, 3, 7, 5}, 7)}}, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOps(*m->graph, "", "Conv"), 1);
  EXPECT_EQ(CountOps(*m->graph, "", "Relu"), 1);
}

TEST(FuseActivationTest, ConvOutputReadBySubgraphIsNotFused) {
  // An If body reads `c` by name: no use-list entry, but fusing would remove `c`.
  OnnxBuilder b = ConvModel(Cases()[0]);
  b.Input("cond", onnx::TensorProto::BOOL, {});
  auto* if_node = b.Node("If", {"cond"}, {"z"}, "if");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = if_node->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* g = a->mutable_g();
    auto* n = g->add_node();
    n->set_op_type("Identity");
    n->add_input("c");
    n->add_output(std::string(branch) + "_z");
    g->add_output()->set_name(std::string(branch) + "_z");
  }
  b.Output("z", kFloat, {std::string("n"), int64_t{4}, int64_t{7}, int64_t{5}});
  auto pass = CreateFuseActivationPass();
  bool changed = true;
  auto m = RunPassAndCompare(
      b, *pass, {{"x", RandomTensor(Shape{1, 3, 7, 5}, 7)}, {"cond", Tensor::Scalar<bool>(true)}},
      &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOps(*m->graph, "", "Conv"), 1);
  EXPECT_EQ(CountOps(*m->graph, "", "Relu"), 1);
}

TEST(FuseActivationTest, MultiUseConvOutputIsNotFused) {
  OnnxBuilder b = ConvModel(Cases()[0]);
  b.Node("Sigmoid", {"c"}, {"z"});
  b.Output("z", kFloat, {std::string("n"), int64_t{4}, int64_t{7}, int64_t{5}});
  auto pass = CreateFuseActivationPass();
  bool changed = true;
  auto m = RunPassAndCompare(b, *pass, {{"x", RandomTensor(Shape{1, 3, 7, 5}, 8)}}, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOps(*m->graph, "", "Conv"), 1);
}

TEST(FuseActivationTest, NonConstantClipBoundIsNotFused) {
  OnnxBuilder b(13);
  b.Input("a", kFloat, {int64_t{2}, int64_t{5}});
  b.Input("hi", kFloat, {});
  b.FloatInitializer("bm", {5, 3}, RandomTensorValues(15, 9));
  b.Node("Gemm", {"a", "bm"}, {"g"});
  b.Node("Clip", {"g", "", "hi"}, {"y"});
  b.Output("y", kFloat, {int64_t{2}, int64_t{3}});
  auto pass = CreateFuseActivationPass();
  bool changed = true;
  Tensor hi(DType::kFloat32, Shape{});
  hi.data<float>()[0] = 0.25f;
  RunPassAndCompare(b, *pass, {{"a", RandomTensor(Shape{2, 5}, 10)}, {"hi", hi}}, &changed);
  EXPECT_FALSE(changed);
}

TEST(FuseActivationTest, UnsupportedAndSecondActivationAreNotFused) {
  OnnxBuilder b(13);
  b.Input("a", kFloat, {int64_t{2}, int64_t{5}});
  b.FloatInitializer("bm", {5, 3}, RandomTensorValues(15, 13));
  b.Node("Gemm", {"a", "bm"}, {"g"});
  b.Node("Softplus", {"g"}, {"y"});
  b.Output("y", kFloat, {int64_t{2}, int64_t{3}});
  auto pass = CreateFuseActivationPass();
  bool changed = true;
  RunPassAndCompare(b, *pass, {{"a", RandomTensor(Shape{2, 5}, 14)}}, &changed);
  EXPECT_FALSE(changed);

  // Conv -> Relu -> Sigmoid: only the first activation is folded.
  ActCase relu = Cases()[0];
  OnnxBuilder b2 = ConvModel(relu);
  b2.graph().mutable_output(0)->set_name("z");
  b2.Node("Sigmoid", {"y"}, {"z"});
  auto pass2 = CreateFuseActivationPass();
  auto m =
      RunPassAndCompare(b2, *pass2, {{"x", RandomTensor(Shape{1, 3, 7, 5}, 15)}}, &changed, {0, 0});
  ASSERT_TRUE(changed);
  EXPECT_EQ(CountOps(*m->graph, "", "Sigmoid"), 1);
  EXPECT_FALSE(ApplyPass(*pass2, *m));  // FusedConv already has an activation
}

TEST(FuseActivationTest, FusedMatMulGetsActivationAttributes) {
  OnnxBuilder b(13);
  AddOpset(b, "ai.trtserve", 1);
  b.Input("a", kFloat, {int64_t{2}, int64_t{5}});
  b.Input("bm", kFloat, {int64_t{5}, int64_t{3}});
  auto* mm = b.Node("FusedMatMul", {"a", "bm"}, {"p"}, "mm");
  mm->set_domain("ai.trtserve");
  auto* lrelu = b.Node("LeakyRelu", {"p"}, {"y"});
  FloatAttr(lrelu, "alpha", 0.2f);
  b.Output("y", kFloat, {int64_t{2}, int64_t{3}});
  auto m = Import(b);
  ASSERT_NE(m, nullptr);
  m->graph->FindValue("p")->dtype = DType::kFloat32;  // in case FusedMatMul has no inference
  auto pass = CreateFuseActivationPass();
  auto changed = pass->Run(*m->graph, PassContext{});
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_TRUE(*changed);
  ASSERT_TRUE(m->graph->Toposort().ok());
  EXPECT_EQ(m->graph->num_nodes(), 1u);
  const Node* n = FindOp(*m->graph, kTrtDomain, "FusedMatMul");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->FindAttr("activation")->s, "LeakyRelu");
  EXPECT_EQ(n->FindAttr("activation_params")->floats, std::vector<float>{0.2f});
  EXPECT_EQ(n->outputs[0]->name, "y");
}

}  // namespace
}  // namespace trt::graph
