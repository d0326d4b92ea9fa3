// Test helper: builds a subgraph attribute (If branches, Loop/Scan bodies) for NodeRunner.
//
//   SubgraphBuilder body("body");
//   body.Input("i", DType::kInt64, {}).Input("cond", DType::kBool, {})
//       .OuterValue("a")                       // captured from the enclosing graph
//       .Node("Identity", 13, {"a"}, {"a2"})   // optional nodes
//       .Output("cond").Output("a2");
//   runner.Attr("body", body.Build());
//
// Outputs may name formal inputs or captures directly (no node needed), which keeps
// control-flow tests independent of other op families. The subgraph's parent pointer is
// left null: the executor resolves captures by name through the running scopes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace trt::testing {

class SubgraphBuilder {
 public:
  explicit SubgraphBuilder(std::string name) : g_(std::make_shared<graph::Graph>()) {
    g_->name = std::move(name);
  }

  SubgraphBuilder& Input(const std::string& name, DType dtype, std::vector<int64_t> shape) {
    graph::Value* v = g_->AddValue(name);
    v->dtype = dtype;
    v->shape = graph::SymShape(shape.begin(), shape.end());
    v->is_graph_input = true;
    g_->inputs().push_back(v);
    return *this;
  }
  SubgraphBuilder& OuterValue(const std::string& name) {
    g_->AddOuterScopeValue(name);
    return *this;
  }
  // A constant (initializer) of the subgraph.
  SubgraphBuilder& Constant(const std::string& name, Tensor t) {
    graph::Value* v = g_->AddValue(name);
    v->dtype = t.dtype();
    v->shape = graph::SymShape(t.shape().begin(), t.shape().end());
    v->constant = std::move(t);
    return *this;
  }
  SubgraphBuilder& Node(const std::string& op, int opset, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs,
                        std::map<std::string, graph::Attribute, std::less<>> attrs = {}) {
    std::vector<graph::Value*> in_vals, out_vals;
    for (const auto& n : ins) in_vals.push_back(n.empty() ? nullptr : g_->FindValue(n));
    for (const auto& n : outs) out_vals.push_back(g_->AddValue(n));
    graph::Node* node = g_->AddNode(op, "", opset, in_vals, out_vals, op + "_in_" + g_->name);
    node->attrs = std::move(attrs);
    return *this;
  }
  // Marks an existing value (input, capture, constant or node output) as the next output.
  SubgraphBuilder& Output(const std::string& name) {
    graph::Value* v = g_->FindValue(name);
    v->is_graph_output = true;
    g_->outputs().push_back(v);
    return *this;
  }

  graph::Attribute Build() const {
    graph::Attribute a;
    a.kind = graph::Attribute::Kind::kGraph;
    a.g = g_;
    return a;
  }

 private:
  std::shared_ptr<graph::Graph> g_;
};

}  // namespace trt::testing
