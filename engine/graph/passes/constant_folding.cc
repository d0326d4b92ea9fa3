// constant_folding: (a) evaluates deterministic, subgraph-free nodes whose inputs are all
// constants through PassContext::evaluate and turns their outputs into constants; (b) turns
// integer values whose contents shape inference knows exactly (Value::sym_value, e.g.
// Shape -> Gather of a static dim) into constants. Outputs keep their Value and name.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

bool IsNondeterministic(std::string_view op) {
  return op.starts_with("Random") || op == "Bernoulli" || op == "Multinomial";
}

// Ops whose values are not plain tensors (sequences, optionals) cannot become constants.
bool ProducesNonTensor(std::string_view op) {
  return op.starts_with("Sequence") || op.starts_with("Optional") || op == "SplitToSequence";
}

bool AllInputsConstant(const Node& n) {
  for (const Value* in : n.inputs) {
    if (in && !in->is_constant()) return false;
  }
  return true;
}

// Bytes of v when its shape and dtype are known statically, else -1.
int64_t KnownBytes(const Value& v) {
  auto shape = StaticShape(v);
  if (!shape || DTypeSize(v.dtype) == 0) return -1;
  return shape->NumElements() * static_cast<int64_t>(DTypeSize(v.dtype));
}

// Turns every present output of n into the matching tensor and removes n.
void ReplaceWithConstants(Graph& g, Node* n, std::vector<Tensor> results) {
  std::vector<Value*> outs = n->outputs;
  g.RemoveNode(n);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!outs[i]) continue;
    outs[i]->dtype = results[i].dtype();
    outs[i]->shape = SymShape(results[i].shape().begin(), results[i].shape().end());
    outs[i]->sym_value.reset();
    outs[i]->constant = std::move(results[i]);
  }
}

// (a): returns true if n was folded.
bool FoldByEvaluation(Graph& g, Node* n, const PassContext& ctx) {
  if (!ctx.evaluate || HasSubgraph(*n) || IsNondeterministic(n->op_type) ||
      ProducesNonTensor(n->op_type) || !AllInputsConstant(*n)) {
    return false;
  }
  for (const Value* out : n->outputs) {
    if (out && KnownBytes(*out) > ctx.max_folded_bytes) return false;
  }
  std::vector<Tensor> inputs;
  for (const Value* in : n->inputs) inputs.push_back(in ? *in->constant : Tensor());
  auto results = ctx.evaluate(*n, inputs);
  // A node that fails on its constants is left in place: running it reports the error.
  if (!results.ok() || results->size() != n->outputs.size()) return false;
  for (size_t i = 0; i < results->size(); ++i) {
    if (!n->outputs[i]) continue;
    const Tensor& t = (*results)[i];
    if (!t.defined() || static_cast<int64_t>(t.nbytes()) > ctx.max_folded_bytes) return false;
  }
  ReplaceWithConstants(g, n, std::move(*results));
  return true;
}

// The contents of v as a tensor when sym_value fixes every element, else an undefined Tensor.
Tensor KnownContents(const Value& v) {
  if (v.is_constant() || !v.sym_value) return Tensor();
  if (v.dtype != DType::kInt64 && v.dtype != DType::kInt32) return Tensor();
  auto shape = StaticShape(v);
  if (!shape || shape->NumElements() != static_cast<int64_t>(v.sym_value->size())) {
    return Tensor();
  }
  std::vector<int64_t> vals;
  for (const Dim& d : *v.sym_value) {
    if (!d.is_known()) return Tensor();
    vals.push_back(d.value());
  }
  if (v.dtype == DType::kInt64) return Tensor::FromVector(vals, *shape);
  std::vector<int32_t> narrow(vals.begin(), vals.end());
  return Tensor::FromVector(narrow, *shape);
}

// (b): returns true if every present output of n has known contents and n was replaced.
bool FoldBySymValue(Graph& g, Node* n) {
  if (HasSubgraph(*n) || IsNondeterministic(n->op_type)) return false;
  std::vector<Tensor> results(n->outputs.size());
  bool any = false;
  for (size_t i = 0; i < n->outputs.size(); ++i) {
    if (!n->outputs[i]) continue;
    results[i] = KnownContents(*n->outputs[i]);
    if (!results[i].defined()) return false;
    any = true;
  }
  if (!any) return false;
  ReplaceWithConstants(g, n, std::move(results));
  return true;
}

class ConstantFoldingPass final : public Pass {
 public:
  std::string_view Name() const override { return "constant_folding"; }
  std::string_view Description() const override {
    return "evaluates nodes with constant inputs and materializes statically known shapes";
  }
  StatusOr<bool> Run(Graph& g, const PassContext& ctx) override {
    bool changed = false;
    // Topological order: a folded node's consumers see its outputs as constants already.
    const std::vector<Node*> nodes = g.nodes();
    for (Node* n : nodes) {
      if (FoldBySymValue(g, n) || FoldByEvaluation(g, n, ctx)) changed = true;
    }
    if (changed) RemoveUnusedValuesExcept(g, CapturedNames(g));
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateConstantFoldingPass() {
  return std::make_unique<ConstantFoldingPass>();
}

}  // namespace trt::graph
