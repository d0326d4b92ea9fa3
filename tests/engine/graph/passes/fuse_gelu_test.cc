// fuse_gelu: erf GELU (every placement of the 0.5, Div or Mul scaling) becomes
// com.microsoft Gelu, the tanh approximation ai.trtserve Gelu(approximate="tanh").
#include "tests/engine/graph/passes/fusion_test_util.h"

namespace trt::graph {
namespace {

using namespace fusion_test;  // NOLINT(build/namespaces)
constexpr int kFloat = onnx::TensorProto::FLOAT;

enum class Half { kOnX, kOnOnePlus, kOnProduct };

struct GeluOptions {
  bool tanh = false;
  bool mul_scale = false;  // erf: Mul(x, 0.70710678) instead of Div(x, 1.4142135)
  Half half = Half::kOnX;
  bool swap_operands = false;
  bool pow_cube = true;  // tanh: Pow(x, 3) or Mul(x, Mul(x, x))
  float sqrt2 = 1.4142135f;
  bool extra_use = false;  // the Erf/Tanh output is also a graph output
};

OnnxBuilder GeluModel(const GeluOptions& o) {
  OnnxBuilder b(13);
  const std::vector<DimSpec> dims = {std::string("batch"), int64_t{7}};
  b.Input("x", kFloat, dims);
  b.FloatInitializer("half", {}, {0.5f});
  b.FloatInitializer("one", {1}, {1.0f});
  auto bin = [&](const std::string& op, std::string a, std::string c, const std::string& out) {
    if (o.swap_operands && op != "Div" && op != "Pow") std::swap(a, c);
    b.Node(op, {a, c}, {out});
  };
  if (o.tanh) {
    b.FloatInitializer("k", {1}, {0.7978845608f});
    b.FloatInitializer("c", {}, {0.044715f});
    if (o.pow_cube) {
      b.FloatInitializer("three", {}, {3.0f});
      bin("Pow", "x", "three", "x3");
    } else {
      bin("Mul", "x", "x", "x2");
      bin("Mul", "x", "x2", "x3");
    }
    bin("Mul", "c", "x3", "cx3");
    bin("Add", "x", "cx3", "inner");
    bin("Mul", "k", "inner", "arg");
    b.Node("Tanh", {"arg"}, {"e"});
  } else {
    if (o.mul_scale) {
      b.FloatInitializer("s", {}, {0.70710678f});
      bin("Mul", "x", "s", "arg");
    } else {
      b.FloatInitializer("s", {}, {o.sqrt2});
      bin("Div", "x", "s", "arg");
    }
    b.Node("Erf", {"arg"}, {"e"});
  }
  bin("Add", "e", "one", "ope");
  switch (o.half) {
    case Half::kOnX:
      bin("Mul", "x", "half", "hx");
      bin("Mul", "hx", "ope", "y");
      break;
    case Half::kOnOnePlus:
      bin("Mul", "ope", "half", "hope");
      bin("Mul", "x", "hope", "y");
      break;
    case Half::kOnProduct:
      bin("Mul", "x", "ope", "p");
      bin("Mul", "p", "half", "y");
      break;
  }
  b.Output("y", kFloat, dims);
  if (o.extra_use) b.Output("e", kFloat, dims);
  return b;
}

TEST(FuseGeluTest, ErfArrangements) {
  for (Half half : {Half::kOnX, Half::kOnOnePlus, Half::kOnProduct}) {
    for (bool mul_scale : {false, true}) {
      for (bool swap : {false, true}) {
        GeluOptions o{.mul_scale = mul_scale, .half = half, .swap_operands = swap};
        SCOPED_TRACE(::testing::Message() << "half " << static_cast<int>(half) << " mul_scale "
                                          << mul_scale << " swap " << swap);
        auto pass = CreateFuseGeluPass();
        bool changed = false;
        auto m = RunPassAndCompare(GeluModel(o), *pass, {{"x", RandomTensor(Shape{3, 7}, 31)}},
                                   &changed, {1e-4, 1e-6});
        ASSERT_TRUE(changed);
        EXPECT_EQ(m->graph->num_nodes(), 1u);
        const Node* gelu = FindOp(*m->graph, kMsDomain, "Gelu");
        ASSERT_NE(gelu, nullptr);
        EXPECT_EQ(gelu->inputs[0]->name, "x");
        EXPECT_EQ(gelu->outputs[0]->name, "y");
        EXPECT_EQ(m->graph->values().size(), 2u);  // x and y
      }
    }
  }
}

TEST(FuseGeluTest, TanhApproximation) {
  for (bool pow_cube : {true, false}) {
    for (bool swap : {false, true}) {
      GeluOptions o{.tanh = true, .swap_operands = swap, .pow_cube = pow_cube};
      SCOPED_TRACE(::testing::Message() << "pow_cube " << pow_cube << " swap " << swap);
      auto pass = CreateFuseGeluPass();
      bool changed = false;
      auto m = RunPassAndCompare(GeluModel(o), *pass, {{"x", RandomTensor(Shape{3, 7}, 32)}},
                                 &changed, {1e-4, 1e-6});
      ASSERT_TRUE(changed);
      EXPECT_EQ(m->graph->num_nodes(), 1u);
      const Node* gelu = FindOp(*m->graph, kTrtDomain, "Gelu");
      ASSERT_NE(gelu, nullptr);
      EXPECT_EQ(gelu->FindAttr("approximate")->s, "tanh");
    }
  }
}

TEST(FuseGeluTest, NearMissesAreUnchanged) {
  std::vector<std::pair<std::string, GeluOptions>> cases = {
      {"wrong_sqrt2", {.sqrt2 = 1.5f}},
      {"erf_output_is_graph_output", {.extra_use = true}},
      {"tanh_output_is_graph_output", {.tanh = true, .extra_use = true}},
  };
  for (const auto& [name, o] : cases) {
    SCOPED_TRACE(name);
    auto pass = CreateFuseGeluPass();
    bool changed = true;
    auto m =
        RunPassAndCompare(GeluModel(o), *pass, {{"x", RandomTensor(Shape{3, 7}, 33)}}, &changed);
    EXPECT_FALSE(changed);
    EXPECT_EQ(CountOps(*m->graph, kMsDomain, "Gelu") + CountOps(*m->graph, kTrtDomain, "Gelu"), 0);
  }
  // 0.5 replaced by 0.6: the tail does not match.
  OnnxBuilder b = GeluModel({});
  b.graph().mutable_initializer(0)->set_raw_data(std::string("\x9a\x99\x19\x3f", 4));  // 0.6f
  auto pass = CreateFuseGeluPass();
  bool changed = true;
  RunPassAndCompare(b, *pass, {{"x", RandomTensor(Shape{3, 7}, 34)}}, &changed);
  EXPECT_FALSE(changed);
}

}  // namespace
}  // namespace trt::graph
