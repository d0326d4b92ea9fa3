#include "engine/graph/graph.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace trt::graph {

std::string_view AttributeKindName(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kFloat:
      return "float";
    case Attribute::Kind::kInt:
      return "int";
    case Attribute::Kind::kString:
      return "string";
    case Attribute::Kind::kTensor:
      return "tensor";
    case Attribute::Kind::kGraph:
      return "graph";
    case Attribute::Kind::kFloats:
      return "floats";
    case Attribute::Kind::kInts:
      return "ints";
    case Attribute::Kind::kStrings:
      return "strings";
    case Attribute::Kind::kTensors:
      return "tensors";
    case Attribute::Kind::kGraphs:
      return "graphs";
  }
  return "?";
}

std::string Value::TypeString() const {
  std::string s(DTypeName(dtype));
  if (!shape) return s + "[?]";
  return s + SymShapeToString(*shape);
}

const Attribute* Node::FindAttr(std::string_view attr_name) const {
  auto it = attrs.find(attr_name);
  return it == attrs.end() ? nullptr : &it->second;
}

std::string Node::Describe() const {
  std::string s = name.empty() ? "node #" + std::to_string(index) : "node '" + name + "'";
  s += " (";
  if (!domain.empty()) s += domain + ".";
  s += op_type + ", opset " + std::to_string(opset) + ")";
  return s;
}

std::vector<const Graph*> Subgraphs(const Node& n) {
  std::vector<const Graph*> out;
  for (const auto& [attr_name, a] : n.attrs) {
    if (a.g) out.push_back(a.g.get());
    for (const auto& sg : a.graphs) {
      if (sg) out.push_back(sg.get());
    }
  }
  return out;
}

namespace {

void AddOuterScopeNames(const Graph& g, std::vector<std::string>* out,
                        std::unordered_set<std::string>* seen) {
  for (const Value* v : g.outer_scope_values()) {
    if (seen->insert(v->name).second) out->push_back(v->name);
  }
  for (const Node* n : g.nodes()) {
    for (const Graph* sg : Subgraphs(*n)) {
      for (std::string& name : OuterScopeNames(*sg)) {
        const Value* local = g.FindValue(name);
        if ((local == nullptr || local->is_outer_scope) && seen->insert(name).second) {
          out->push_back(std::move(name));
        }
      }
    }
  }
}

}  // namespace

std::vector<std::string> OuterScopeNames(const Graph& g) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  AddOuterScopeNames(g, &out, &seen);
  return out;
}

std::vector<Value*> ImplicitInputs(const Node& n) {
  std::vector<Value*> out;
  if (n.owner == nullptr) return out;
  for (const Graph* sg : Subgraphs(n)) {
    for (const std::string& name : OuterScopeNames(*sg)) {
      Value* v = n.owner->FindValue(name);
      if (v != nullptr && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  return out;
}

Value* Graph::AddValue(std::string value_name) {
  values_.push_back(std::make_unique<Value>());
  Value* v = values_.back().get();
  v->name = std::move(value_name);
  if (!v->name.empty()) by_name_[v->name] = v;
  return v;
}

Value* Graph::FindValue(std::string_view value_name) const {
  auto it = by_name_.find(value_name);
  return it == by_name_.end() ? nullptr : it->second;
}

Value* Graph::AddOuterScopeValue(std::string value_name) {
  Value* v = AddValue(std::move(value_name));
  v->is_outer_scope = true;
  captures_.push_back(v);
  return v;
}

Node* Graph::AddNode(std::string op_type, std::string domain, int opset, std::vector<Value*> inputs,
                     std::vector<Value*> outputs, std::string node_name) {
  node_storage_.push_back(std::make_unique<Node>());
  Node* n = node_storage_.back().get();
  n->op_type = std::move(op_type);
  n->domain = std::move(domain);
  n->opset = opset;
  n->name = std::move(node_name);
  n->inputs = std::move(inputs);
  n->outputs = std::move(outputs);
  n->owner = this;
  n->index = order_.size();
  for (size_t i = 0; i < n->inputs.size(); ++i) {
    if (n->inputs[i]) n->inputs[i]->uses.push_back({n, static_cast<int>(i)});
  }
  for (size_t i = 0; i < n->outputs.size(); ++i) {
    if (n->outputs[i]) {
      n->outputs[i]->producer = n;
      n->outputs[i]->producer_output = static_cast<int>(i);
    }
  }
  order_.push_back(n);
  return n;
}

void Graph::RemoveNode(Node* node) {
  for (Value* in : node->inputs) {
    if (!in) continue;
    auto& u = in->uses;
    u.erase(std::remove_if(u.begin(), u.end(), [&](const Use& x) { return x.node == node; }),
            u.end());
  }
  for (Value* out : node->outputs) {
    if (out && out->producer == node) {
      out->producer = nullptr;
      out->producer_output = -1;
    }
  }
  order_.erase(std::remove(order_.begin(), order_.end(), node), order_.end());
  for (size_t i = 0; i < order_.size(); ++i) order_[i]->index = i;
  node_storage_.erase(std::remove_if(node_storage_.begin(), node_storage_.end(),
                                     [&](const auto& p) { return p.get() == node; }),
                      node_storage_.end());
}

void Graph::SetNodeInput(Node* node, int i, Value* v) {
  Value* old = node->inputs[i];
  if (old) {
    auto& u = old->uses;
    for (auto it = u.begin(); it != u.end(); ++it) {
      if (it->node == node && it->input_index == i) {
        u.erase(it);
        break;
      }
    }
  }
  node->inputs[i] = v;
  if (v) v->uses.push_back({node, i});
}

void Graph::ReplaceAllUses(Value* from, Value* to) {
  std::vector<Use> uses = from->uses;
  for (const Use& u : uses) SetNodeInput(u.node, u.input_index, to);
  for (Value*& o : outputs_) {
    if (o == from) {
      o = to;
      to->is_graph_output = true;
    }
  }
}

void Graph::RemoveUnusedValues() {
  auto dead = [](const std::unique_ptr<Value>& v) {
    return v->producer == nullptr && v->uses.empty() && !v->is_graph_input && !v->is_graph_output &&
           !v->is_outer_scope;
  };
  for (auto& v : values_) {
    if (dead(v) && !v->name.empty()) {
      auto it = by_name_.find(v->name);
      if (it != by_name_.end() && it->second == v.get()) by_name_.erase(it);
    }
  }
  values_.erase(std::remove_if(values_.begin(), values_.end(), dead), values_.end());
}

Status Graph::Toposort() {
  // Kahn's algorithm, stable with respect to the current order. A node depends on the
  // producers of its inputs and of the values its subgraphs capture (implicit inputs): an If
  // must run after whatever its branches read from this graph.
  std::unordered_map<Node*, int> missing;
  std::unordered_map<Node*, std::vector<Node*>> consumers;
  for (Node* n : order_) missing[n] = 0;
  auto depend = [&](Node* n, const Value* in) {
    if (in == nullptr || in->producer == nullptr) return;
    ++missing[n];
    consumers[in->producer].push_back(n);
  };
  for (Node* n : order_) {
    for (const Value* in : n->inputs) depend(n, in);
    for (const Value* in : ImplicitInputs(*n)) depend(n, in);
  }
  std::vector<Node*> sorted;
  sorted.reserve(order_.size());
  std::vector<Node*> ready;
  for (Node* n : order_) {
    if (missing[n] == 0) ready.push_back(n);
  }
  std::reverse(ready.begin(), ready.end());
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    sorted.push_back(n);
    std::vector<Node*> newly;
    for (Node* m : consumers[n]) {
      if (--missing[m] == 0) newly.push_back(m);
    }
    std::sort(newly.begin(), newly.end(), [](Node* a, Node* b) { return a->index > b->index; });
    for (Node* m : newly) ready.push_back(m);
  }
  if (sorted.size() != order_.size()) {
    std::string names;
    int listed = 0;
    for (Node* n : order_) {
      if (missing[n] > 0 && listed++ < 5) names += (names.empty() ? "" : ", ") + n->Describe();
    }
    return InvalidArgument("graph '" + name + "' has a cycle through " + names);
  }
  order_ = std::move(sorted);
  for (size_t i = 0; i < order_.size(); ++i) order_[i]->index = i;
  return Status::Ok();
}

}  // namespace trt::graph
