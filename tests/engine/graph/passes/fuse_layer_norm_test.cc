// fuse_layer_norm: the decomposed ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add layer norm becomes
// one ai.trtserve LayerNormalization; near-misses stay untouched.
#include "tests/engine/graph/passes/fusion_test_util.h"

namespace trt::graph {
namespace {

using namespace fusion_test;  // NOLINT(build/namespaces)
constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int64_t kC = 8;

struct LnOptions {
  int opset = 13;              // 18: ReduceMean axes as input
  bool two_subs = false;       // (x - mu) computed twice, as torch traces it
  bool mul_square = false;     // Mul(d, d) instead of Pow(d, 2)
  bool swap_operands = false;  // gamma * n, beta + m, eps + var
  bool scalar_beta = false;    // beta as a 1-element tensor
  bool gamma_is_input = false;
  bool no_sqrt = false;           // divides by var + eps (wrong pattern)
  bool var_is_output = false;     // an intermediate is a graph output
  bool extra_use_of_d = false;    // D read by another node
  bool mean_over_axis_1 = false;  // normalizes the wrong axis
};

void Reduce(OnnxBuilder& b, const LnOptions& o, const std::string& in, const std::string& out) {
  const int64_t axis = o.mean_over_axis_1 ? 1 : -1;
  if (o.opset >= 18) {
    auto* n = b.Node("ReduceMean", {in, "axes"}, {out});
    OnnxBuilder::IntAttr(n, "keepdims", 1);
  } else {
    auto* n = b.Node("ReduceMean", {in}, {out});
    OnnxBuilder::IntsAttr(n, "axes", {axis});
  }
}

OnnxBuilder LnModel(const LnOptions& o) {
  OnnxBuilder b(o.opset);
  const std::vector<DimSpec> x_dims = {std::string("batch"), std::string("seq"), kC};
  b.Input("x", kFloat, x_dims);
  if (o.opset >= 18) b.Int64Initializer("axes", {1}, {o.mean_over_axis_1 ? 1 : -1});
  b.FloatInitializer("two", {}, {2.0f});
  b.FloatInitializer("eps", {1}, {1e-12f});
  if (o.gamma_is_input) {
    b.Input("gamma", kFloat, {kC});
  } else {
    b.FloatInitializer("gamma", {kC}, RandomTensorValues(kC, 21));
  }
  if (o.scalar_beta) {
    b.FloatInitializer("beta", {1}, {0.25f});
  } else {
    b.FloatInitializer("beta", {1, 1, kC}, RandomTensorValues(kC, 22));
  }
  auto bin = [&](const std::string& op, std::string a, std::string c, const std::string& out) {
    if (o.swap_operands) std::swap(a, c);
    b.Node(op, {a, c}, {out});
  };
  Reduce(b, o, "x", "mu");
  b.Node("Sub", {"x", "mu"}, {"d"});
  std::string d2 = "d";
  if (o.two_subs) {
    b.Node("Sub", {"x", "mu"}, {"d2"});
    d2 = "d2";
  }
  if (o.mul_square) {
    b.Node("Mul", {"d", "d"}, {"sq"});
  } else {
    b.Node("Pow", {"d", "two"}, {"sq"});
  }
  Reduce(b, o, "sq", "var");
  bin("Add", "var", "eps", "ve");
  if (o.no_sqrt) {
    b.Node("Div", {d2, "ve"}, {"n"});
  } else {
    b.Node("Sqrt", {"ve"}, {"sd"});
    b.Node("Div", {d2, "sd"}, {"n"});
  }
  bin("Mul", "n", "gamma", "m");
  bin("Add", "m", "beta", "y");
  b.Output("y", kFloat, x_dims);
  if (o.var_is_output) b.Output("var", kFloat, {std::string("batch"), std::string("seq"), 1});
  if (o.extra_use_of_d) {
    b.Node("Relu", {"d"}, {"r"});
    b.Output("r", kFloat, x_dims);
  }
  return b;
}

NamedTensors LnInputs(const LnOptions& o) {
  NamedTensors in = {{"x", RandomTensor(Shape{2, 3, kC}, 23)}};
  if (o.gamma_is_input) in.emplace_back("gamma", RandomTensor(Shape{kC}, 24));
  return in;
}

TEST(FuseLayerNormTest, FusesEveryArrangement) {
  std::vector<std::pair<std::string, LnOptions>> cases = {
      {"opset13", {}},
      {"opset18_axes_input", {.opset = 18}},
      {"two_subs", {.two_subs = true}},
      {"mul_square", {.mul_square = true}},
      {"swapped_operands", {.swap_operands = true}},
      {"scalar_beta", {.scalar_beta = true}},
      {"all", {.opset = 18, .two_subs = true, .mul_square = true, .swap_operands = true}},
  };
  for (const auto& [name, o] : cases) {
    SCOPED_TRACE(name);
    auto pass = CreateFuseLayerNormPass();
    bool changed = false;
    auto m = RunPassAndCompare(LnModel(o), *pass, LnInputs(o), &changed, {1e-5, 1e-5});
    ASSERT_TRUE(changed);
    EXPECT_EQ(m->graph->num_nodes(), 1u);
    const Node* ln = FindOp(*m->graph, kTrtDomain, "LayerNormalization");
    ASSERT_NE(ln, nullptr);
    EXPECT_EQ(ln->opset, 1);
    EXPECT_EQ(ln->FindAttr("axis")->i, -1);
    EXPECT_FLOAT_EQ(ln->FindAttr("epsilon")->f, 1e-12f);
    ASSERT_EQ(ln->inputs.size(), 3u);
    EXPECT_EQ(ln->inputs[0]->name, "x");
    for (int i = 1; i < 3; ++i) {
      ASSERT_TRUE(ln->inputs[i]->is_constant());
      EXPECT_EQ(ln->inputs[i]->constant->shape(), Shape{kC});
    }
    EXPECT_EQ(ln->outputs[0]->name, "y");
    // Only x, y and the two LayerNormalization parameters remain.
    EXPECT_EQ(m->graph->values().size(), 4u);
  }
}

TEST(FuseLayerNormTest, NearMissesAreUnchanged) {
  std::vector<std::pair<std::string, LnOptions>> cases = {
      {"gamma_not_constant", {.gamma_is_input = true}},
      {"no_sqrt", {.no_sqrt = true}},
      {"intermediate_is_graph_output", {.var_is_output = true}},
      {"multi_use_d", {.extra_use_of_d = true}},
      {"wrong_axis", {.mean_over_axis_1 = true}},
      {"wrong_axis_opset18", {.opset = 18, .mean_over_axis_1 = true}},
  };
  for (const auto& [name, o] : cases) {
    SCOPED_TRACE(name);
    auto pass = CreateFuseLayerNormPass();
    bool changed = true;
    auto m = RunPassAndCompare(LnModel(o), *pass, LnInputs(o), &changed);
    EXPECT_FALSE(changed);
    EXPECT_EQ(CountOps(*m->graph, kTrtDomain, "LayerNormalization"), 0);
  }
}

TEST(FuseLayerNormTest, FusesTwoLayersInOneRun) {
  // Two stacked layer norms (the second reads the first's output).
  OnnxBuilder b = LnModel({});
  auto& g = b.graph();
  const int n = g.node_size();
  for (int i = 0; i < n; ++i) {
    onnx::NodeProto copy = g.node(i);
    for (auto& s : *copy.mutable_input()) {
      if (s == "x")
        s = "y";
      else if (s != "gamma" && s != "beta" && s != "two" && s != "eps")
        s += "_2";
    }
    for (auto& s : *copy.mutable_output()) s += "_2";
    *g.add_node() = copy;
  }
  g.mutable_output(0)->set_name("y_2");
  auto pass = CreateFuseLayerNormPass();
  bool changed = false;
  auto m = RunPassAndCompare(b, *pass, LnInputs({}), &changed, {1e-5, 1e-5});
  ASSERT_TRUE(changed);
  EXPECT_EQ(CountOps(*m->graph, kTrtDomain, "LayerNormalization"), 2);
  EXPECT_EQ(m->graph->num_nodes(), 2u);
}

}  // namespace
}  // namespace trt::graph
