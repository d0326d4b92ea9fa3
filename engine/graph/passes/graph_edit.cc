// Rewrite helpers shared by the graph passes: capture tracking, unique naming, constants
// and output-preserving node removal. See graph_edit.h.
#include "engine/graph/passes/graph_edit.h"

#include <utility>
#include <vector>

namespace trt::graph {
namespace {

void CollectCaptures(const Graph& g, std::set<std::string, std::less<>>* out);

void CollectNodeCaptures(const Node& n, std::set<std::string, std::less<>>* out) {
  for (const auto& [name, a] : n.attrs) {
    if (a.g) {
      for (const Value* v : a.g->outer_scope_values()) out->insert(v->name);
      CollectCaptures(*a.g, out);
    }
    for (const auto& sub : a.graphs) {
      if (!sub) continue;
      for (const Value* v : sub->outer_scope_values()) out->insert(v->name);
      CollectCaptures(*sub, out);
    }
  }
}

void CollectCaptures(const Graph& g, std::set<std::string, std::less<>>* out) {
  for (const Node* n : g.nodes()) CollectNodeCaptures(*n, out);
}

}  // namespace

std::set<std::string, std::less<>> CapturedNames(const Graph& g) {
  std::set<std::string, std::less<>> out;
  CollectCaptures(g, &out);
  return out;
}

std::set<std::string, std::less<>> CapturedNames(const Node& n) {
  std::set<std::string, std::less<>> out;
  CollectNodeCaptures(n, &out);
  return out;
}

bool HasSubgraph(const Node& n) {
  for (const auto& [name, a] : n.attrs) {
    if (a.g || !a.graphs.empty()) return true;
  }
  return false;
}

std::string UniqueValueName(const Graph& g, std::string_view base) {
  std::string name(base);
  for (int i = 1; g.FindValue(name) != nullptr; ++i) {
    name = std::string(base) + "_" + std::to_string(i);
  }
  return name;
}

Value* AddConstant(Graph& g, std::string_view base_name, Tensor t) {
  Value* v = g.AddValue(UniqueValueName(g, base_name));
  v->dtype = t.dtype();
  v->shape = SymShape(t.shape().begin(), t.shape().end());
  v->constant = std::move(t);
  return v;
}

std::optional<Shape> StaticShape(const Value& v) {
  if (v.constant) return v.constant->shape();
  if (!v.shape) return std::nullopt;
  std::vector<int64_t> dims;
  for (const Dim& d : *v.shape) {
    if (!d.is_known()) return std::nullopt;
    dims.push_back(d.value());
  }
  return Shape(dims);
}

Node* SoleConsumer(const Value& v, const std::set<std::string, std::less<>>& captured) {
  if (v.uses.size() != 1 || v.is_graph_output || captured.count(v.name)) return nullptr;
  return v.uses[0].node;
}

void MoveOutput(Graph& g, Node* producer, int index, Value* to) {
  (void)g;
  Value* old = producer->outputs[index];
  if (old && old->producer == producer) {
    old->producer = nullptr;
    old->producer_output = -1;
  }
  producer->outputs[index] = to;
  to->producer = producer;
  to->producer_output = index;
}

bool BypassNode(Graph& g, Node* node, Value* in, Value* out,
                const std::set<std::string, std::less<>>& captured) {
  if (captured.count(out->name)) return false;
  if (!out->is_graph_output) {
    g.RemoveNode(node);
    g.ReplaceAllUses(out, in);
    return true;
  }
  // `out` keeps its name: `in`'s producer takes it over and `in`'s other readers follow.
  if (!in->producer || in->is_graph_input || in->is_graph_output || in->is_constant() ||
      in->is_outer_scope || captured.count(in->name)) {
    return false;
  }
  Node* producer = in->producer;
  const int index = in->producer_output;
  g.RemoveNode(node);
  g.ReplaceAllUses(in, out);
  MoveOutput(g, producer, index, out);
  return true;
}

void RemoveUnusedValuesExcept(Graph& g, const std::set<std::string, std::less<>>& keep) {
  // Graph offers no per-value removal; protected values are flagged as outputs meanwhile.
  std::vector<Value*> flagged;
  for (const auto& v : g.values()) {
    if (!v->is_graph_output && keep.count(v->name)) {
      v->is_graph_output = true;
      flagged.push_back(v.get());
    }
  }
  g.RemoveUnusedValues();
  for (Value* v : flagged) v->is_graph_output = false;
}

int64_t AttrIntOr(const Node& n, std::string_view name, int64_t def) {
  const Attribute* a = n.FindAttr(name);
  return a && a->kind == Attribute::Kind::kInt ? a->i : def;
}

void SetIntAttr(Node& n, const std::string& name, int64_t v) { n.attrs[name] = Attribute::Int(v); }

bool RewriteEachNode(Graph& g, NodeRewrite rewrite) {
  const auto captured = CapturedNames(g);
  bool changed = false;
  std::set<const Node*> removed;
  const std::vector<Node*> nodes = g.nodes();  // the rewrite edits g.nodes()
  for (Node* n : nodes) {
    if (!removed.count(n)) changed = rewrite(g, n, captured, &removed) || changed;
  }
  if (changed) RemoveUnusedValuesExcept(g, captured);
  return changed;
}

}  // namespace trt::graph
