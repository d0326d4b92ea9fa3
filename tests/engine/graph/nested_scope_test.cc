// Outer-scope captures of nested subgraphs in the IR: import declares them on every graph in
// between, Toposort orders a subgraph's owner after what it captures, the verifier checks
// both, shape inference types captures from any depth and export keeps constants that only
// subgraphs read.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph/onnx_export.h"
#include "engine/graph/onnx_import.h"
#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"
#include "tests/testing/nested_scope_models.h"

namespace trt::graph {
namespace {

namespace nested = testing::nested;

Model Import(const std::string& bytes, const std::string& name) {
  auto m = ImportOnnxModel(bytes, name, "");
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : Model{};
}

// The subgraph `attr` of the node named `node` in `g`.
Graph* Sub(const Graph& g, const std::string& node, const std::string& attr) {
  for (const Node* n : g.nodes()) {
    if (n->name == node) return n->attrs.at(attr).g.get();
  }
  ADD_FAILURE() << "no node " << node << " in graph " << g.name;
  return nullptr;
}

std::vector<std::string> CaptureNames(const Graph& g) {
  std::vector<std::string> names;
  for (const Value* v : g.outer_scope_values()) names.push_back(v->name);
  std::sort(names.begin(), names.end());
  return names;
}

size_t IndexOf(const Graph& g, const std::string& node) {
  for (const Node* n : g.nodes()) {
    if (n->name == node) return n->index;
  }
  ADD_FAILURE() << "no node " << node;
  return 0;
}

TEST(NestedScopeTest, ImportDeclaresNestedCapturesOnEveryGraphInBetween) {
  Model m = Import(nested::NestedIfModel(3), "nested_if3");
  ASSERT_TRUE(m.graph);
  EXPECT_TRUE(m.graph->outer_scope_values().empty());
  Graph* then1 = Sub(*m.graph, "If_1", "then_branch");
  ASSERT_TRUE(then1);
  Graph* then2 = Sub(*then1, "If_2", "then_branch");
  ASSERT_TRUE(then2);
  Graph* then3 = Sub(*then2, "If_3", "then_branch");
  ASSERT_TRUE(then3);
  // then_3 reads v2 (1 up), v1 (2 up), v0 (3 up), kc (then_1), w and x (root).
  using Names = std::vector<std::string>;
  EXPECT_EQ(CaptureNames(*then3), (Names{"kc", "v0", "v1", "v2", "w", "x"}));
  // then_2 uses v1, x and c3 itself; v0, w and kc it only passes on to then_3.
  EXPECT_EQ(CaptureNames(*then2), (Names{"c3", "kc", "v0", "v1", "w", "x"}));
  // then_1 defines kc and v1; the else branch of If_2 also reads v0 and w.
  EXPECT_EQ(CaptureNames(*then1), (Names{"c2", "c3", "v0", "w", "x"}));
  EXPECT_TRUE(VerifyGraph(*m.graph).ok()) << VerifyGraph(*m.graph);
}

TEST(NestedScopeTest, ToposortRunsTheOwnerAfterWhatItsSubgraphsCapture) {
  // then_1 lists [k1 = Identity(c2), v1 = v0 + x, If_2(k1)]: k1 readies If_2 before v1.
  Model m = Import(nested::NestedIfModel(3), "nested_if3");
  ASSERT_TRUE(m.graph);
  Graph* then1 = Sub(*m.graph, "If_1", "then_branch");
  ASSERT_TRUE(then1);
  EXPECT_LT(IndexOf(*then1, "Add_v1"), IndexOf(*then1, "If_2"));
  Graph* then2 = Sub(*then1, "If_2", "then_branch");
  ASSERT_TRUE(then2);
  EXPECT_LT(IndexOf(*then2, "Add_v2"), IndexOf(*then2, "If_3"));
  // v0 is captured two levels down only: the root If still runs after it.
  EXPECT_LT(IndexOf(*m.graph, "Add_v0"), IndexOf(*m.graph, "If_1"));
}

// Graph: x (input) -> k = Identity(x_cond); v = Relu(x); If(k) whose then_branch has a
// nested If whose branch captures v. Nodes are added If-first; ordered = call Toposort.
struct HandBuilt {
  Graph g;
  Node* relu = nullptr;
  Node* if_node = nullptr;
};

std::unique_ptr<HandBuilt> CaptureTwoLevelsDown(bool declare_in_between) {
  auto h = std::make_unique<HandBuilt>();
  Graph& g = h->g;
  g.name = "root";
  Value* x = g.AddValue("x");
  x->is_graph_input = true;
  g.inputs().push_back(x);
  Value* c = g.AddValue("c");
  c->is_graph_input = true;
  g.inputs().push_back(c);
  Value* v = g.AddValue("v");
  Value* y = g.AddValue("y");
  auto outer = std::make_shared<Graph>(&g);
  outer->name = "outer_then";
  auto inner = std::make_shared<Graph>(outer.get());
  inner->name = "inner_then";
  Value* inner_v = inner->AddOuterScopeValue("v");
  inner_v->is_graph_output = true;
  inner->outputs().push_back(inner_v);
  Value* oc = outer->AddOuterScopeValue("c");
  if (declare_in_between) outer->AddOuterScopeValue("v");
  Value* oy = outer->AddValue("oy");
  Node* inner_if = outer->AddNode("If", "", 16, {oc}, {oy}, "inner_if");
  Attribute ia;
  ia.kind = Attribute::Kind::kGraph;
  ia.g = inner;
  inner_if->attrs["then_branch"] = ia;
  inner_if->attrs["else_branch"] = ia;
  oy->is_graph_output = true;
  outer->outputs().push_back(oy);
  h->if_node = g.AddNode("If", "", 16, {c}, {y}, "outer_if");
  Attribute oa;
  oa.kind = Attribute::Kind::kGraph;
  oa.g = outer;
  h->if_node->attrs["then_branch"] = oa;
  h->if_node->attrs["else_branch"] = oa;
  h->relu = g.AddNode("Relu", "", 16, {x}, {v}, "relu");
  y->is_graph_output = true;
  g.outputs().push_back(y);
  return h;
}

TEST(NestedScopeTest, ImplicitInputsFollowCapturesAtAnyDepth) {
  auto h = CaptureTwoLevelsDown(/*declare_in_between=*/false);
  const auto implicit = ImplicitInputs(*h->if_node);
  ASSERT_EQ(implicit.size(), 2u);
  EXPECT_EQ(implicit[0]->name, "c");
  EXPECT_EQ(implicit[1]->name, "v");
  EXPECT_TRUE(ImplicitInputs(*h->relu).empty());
}

TEST(NestedScopeTest, VerifierRejectsAnOwnerBeforeTheProducerOfItsCapture) {
  auto h = CaptureTwoLevelsDown(/*declare_in_between=*/true);
  Status s = VerifyGraph(h->g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'outer_if' (If, opset 16) has a subgraph that captures 'v', "
                             "but its producer node 'relu' (Relu, opset 16) is not before"),
            std::string::npos)
      << s;
  ASSERT_TRUE(h->g.Toposort().ok());
  EXPECT_LT(h->relu->index, h->if_node->index);
  EXPECT_TRUE(VerifyGraph(h->g).ok()) << VerifyGraph(h->g);
}

TEST(NestedScopeTest, VerifierRequiresCapturesOnTheGraphInBetween) {
  auto h = CaptureTwoLevelsDown(/*declare_in_between=*/false);
  ASSERT_TRUE(h->g.Toposort().ok());
  Status s = VerifyGraph(h->g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("graph 'inner_then': outer-scope value 'v' is defined further out "
                             "but is not a value or capture of the enclosing graph 'outer_then'"),
            std::string::npos)
      << s;
}

TEST(NestedScopeTest, ShapeInferenceTypesCapturesFromEveryEnclosingScope) {
  Model m = Import(nested::NestedIfModel(4), "nested_if4");
  ASSERT_TRUE(m.graph);
  ASSERT_TRUE(InferShapes(m).ok());
  Graph* g = m.graph.get();
  for (int level = 1; level <= 4; ++level) {
    g = Sub(*g, "If_" + std::to_string(level), "then_branch");
    ASSERT_TRUE(g);
    for (const Value* c : g->outer_scope_values()) {
      if (c->name[0] == 'c') continue;  // the bool conditions
      EXPECT_EQ(c->TypeString(), "float32[2]") << g->name << " capture " << c->name;
    }
  }
  EXPECT_EQ(g->outputs()[0]->TypeString(), "float32[2]");
  EXPECT_EQ(m.graph->outputs()[0]->TypeString(), "float32[2]");

  Model loop = Import(nested::LoopInIfModel(), "loop_in_if");
  ASSERT_TRUE(loop.graph);
  ASSERT_TRUE(InferShapes(loop).ok());
  Graph* then_outer = Sub(*loop.graph, "If_outer", "then_branch");
  ASSERT_TRUE(then_outer);
  Graph* body = Sub(*then_outer, "Loop_inner", "body");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->FindValue("t")->TypeString(), "float32[2]");
  const Value* scan = then_outer->FindValue("t_scan");
  ASSERT_TRUE(scan->shape);
  ASSERT_EQ(scan->shape->size(), 2u);
  EXPECT_EQ((*scan->shape)[1], Dim(2));  // dim 0 is the trip count, unknown statically
  EXPECT_EQ(scan->dtype, DType::kFloat32);
}

TEST(NestedScopeTest, ExportKeepsConstantsThatOnlySubgraphsRead) {
  // w (root initializer) and kc (a Constant of then_1) have no direct uses in their graphs.
  Model m = Import(nested::NestedIfModel(3), "nested_if3");
  ASSERT_TRUE(m.graph);
  onnx::ModelProto proto;
  ASSERT_TRUE(ExportOnnxModel(m, &proto).ok());
  auto again = ImportOnnxModel(proto, "nested_if3", "");
  ASSERT_TRUE(again.ok()) << again.status();
  const Value* w = again->graph->FindValue("w");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->is_constant());
  Graph* then1 = Sub(*again->graph, "If_1", "then_branch");
  ASSERT_TRUE(then1);
  ASSERT_TRUE(then1->FindValue("kc"));
  EXPECT_TRUE(then1->FindValue("kc")->is_constant());
  EXPECT_TRUE(VerifyGraph(*again->graph).ok()) << VerifyGraph(*again->graph);
}

}  // namespace
}  // namespace trt::graph
