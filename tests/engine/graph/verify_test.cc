// VerifyGraph: accepts well-formed graphs and names the node/value of each broken invariant.
#include "engine/graph/verify.h"

#include <gtest/gtest.h>

namespace trt::graph {
namespace {

TEST(VerifyTest, AcceptsWellFormedGraph) {
  Graph g;
  Value* x = g.AddValue("x");
  x->is_graph_input = true;
  g.inputs().push_back(x);
  Value* y = g.AddValue("y");
  g.AddNode("Relu", "", 13, {x}, {y}, "relu");
  y->is_graph_output = true;
  g.outputs().push_back(y);
  EXPECT_TRUE(VerifyGraph(g).ok());
}

TEST(VerifyTest, RejectsDuplicateNames) {
  Graph g;
  g.AddValue("v");
  g.AddValue("v");
  Status s = VerifyGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'v' is defined more than once"), std::string::npos) << s;
}

TEST(VerifyTest, RejectsUndefinedInput) {
  Graph g;
  Value* dangling = g.AddValue("dangling");
  Value* y = g.AddValue("y");
  g.AddNode("Relu", "", 13, {dangling}, {y}, "relu");
  Status s = VerifyGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'relu' (Relu, opset 13) input 'dangling'"), std::string::npos)
      << s;
}

TEST(VerifyTest, RejectsCycle) {
  Graph g;
  Value* a = g.AddValue("a");
  Value* b = g.AddValue("b");
  g.AddNode("Relu", "", 13, {b}, {a}, "first");
  g.AddNode("Relu", "", 13, {a}, {b}, "second");
  Status s = VerifyGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'first'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("not in topological order"), std::string::npos) << s;
}

TEST(VerifyTest, RejectsUndefinedGraphOutputAndBrokenUses) {
  Graph g;
  Value* out = g.AddValue("out");
  g.outputs().push_back(out);
  Status s = VerifyGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("graph output 'out' is never defined"), std::string::npos) << s;

  Graph h;
  Value* x = h.AddValue("x");
  x->is_graph_input = true;
  Value* y = h.AddValue("y");
  h.AddNode("Relu", "", 13, {x}, {y}, "relu");
  x->uses.clear();
  s = VerifyGraph(h);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("consumes 'x' but is not in its uses"), std::string::npos) << s;
}

TEST(VerifyTest, ChecksSubgraphCaptures) {
  Graph g;
  auto sub = std::make_shared<Graph>(&g);
  sub->name = "body";
  sub->AddOuterScopeValue("missing");
  Value* y = g.AddValue("y");
  Node* n = g.AddNode("If", "", 13, {}, {y}, "if");
  Attribute a;
  a.kind = Attribute::Kind::kGraph;
  a.g = sub;
  n->attrs["then_branch"] = a;
  Status s = VerifyGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("graph 'body': outer-scope value 'missing'"), std::string::npos) << s;
}

}  // namespace
}  // namespace trt::graph
