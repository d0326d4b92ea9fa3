// Registry-backed node evaluation for constant folding: one node is copied into a throwaway
// model with constant inputs and run by the reference Executor. See node_evaluator.h.
#include "engine/runtime/node_evaluator.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/executor.h"

namespace trt::runtime {
namespace {

StatusOr<std::vector<Tensor>> EvaluateNode(const graph::Node& node,
                                           const std::vector<Tensor>& inputs) {
  for (const auto& [name, a] : node.attrs) {
    if (a.g || !a.graphs.empty()) {
      return InvalidArgument(node.Describe() + ": nodes with subgraphs are not evaluated");
    }
  }
  if (inputs.size() != node.inputs.size()) {
    return InvalidArgument(node.Describe() + ": expected " + std::to_string(node.inputs.size()) +
                           " inputs, got " + std::to_string(inputs.size()));
  }
  auto model = std::make_shared<graph::Model>();
  model->name = "constant_folding";
  model->opsets[""] = node.domain.empty() ? node.opset : 1;
  model->opsets[node.domain] = node.opset;
  model->graph = std::make_shared<graph::Graph>();
  graph::Graph& g = *model->graph;
  std::vector<graph::Value*> ins, outs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      ins.push_back(nullptr);
      continue;
    }
    graph::Value* v = g.AddValue("in" + std::to_string(i));
    v->dtype = inputs[i].dtype();
    v->shape = graph::SymShape(inputs[i].shape().begin(), inputs[i].shape().end());
    v->constant = inputs[i];
    ins.push_back(v);
  }
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (!node.outputs[i]) {
      outs.push_back(nullptr);
      continue;
    }
    graph::Value* v = g.AddValue("out" + std::to_string(i));
    v->is_graph_output = true;
    g.outputs().push_back(v);
    outs.push_back(v);
  }
  graph::Node* copy = g.AddNode(node.op_type, node.domain, node.opset, ins, outs, node.name);
  copy->attrs = node.attrs;
  TRT_ASSIGN_OR_RETURN(auto exec, Executor::Create(model));
  TRT_ASSIGN_OR_RETURN(NamedTensors result, exec->Run({}));
  std::vector<Tensor> out(node.outputs.size());
  size_t next = 0;
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i]) out[i] = std::move(result[next++].second);
  }
  return out;
}

}  // namespace

graph::NodeEvaluator MakeRegistryEvaluator() { return EvaluateNode; }

}  // namespace trt::runtime
