// Graph IR verifier: SSA, wiring, topological order and subgraph scoping checks.
// See verify.h for the list of invariants.
#include "engine/graph/verify.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace trt::graph {
namespace {

std::string GraphName(const Graph& g) {
  return "graph '" + (g.name.empty() ? std::string("<unnamed>") : g.name) + "'";
}

bool ResolvesInAncestors(const Graph& g, const std::string& name) {
  for (const Graph* p = g.parent(); p != nullptr; p = p->parent()) {
    if (p->FindValue(name)) return true;
  }
  return false;
}

// A capture must name a value (or a capture) of the immediate parent: captures of nested
// subgraphs are declared on every graph in between, which is what lets each graph bind its
// captures from the scope that runs it.
Status CheckCapture(const Graph& g, const Value& v) {
  if (g.parent() != nullptr && g.parent()->FindValue(v.name) != nullptr) return Status::Ok();
  if (!ResolvesInAncestors(g, v.name)) {
    return Internal(GraphName(g) + ": outer-scope value '" + v.name +
                    "' is not defined in an enclosing graph");
  }
  return Internal(GraphName(g) + ": outer-scope value '" + v.name +
                  "' is defined further out but is not a value or capture of the enclosing " +
                  GraphName(*g.parent()));
}

}  // namespace

Status VerifyGraph(const Graph& g) {
  const std::string gname = GraphName(g);
  auto fail = [&](const std::string& msg) { return Internal(gname + ": " + msg); };
  std::unordered_set<const Value*> owned;
  std::set<std::string, std::less<>> names;
  for (const auto& v : g.values()) {
    owned.insert(v.get());
    if (!v->name.empty() && !names.insert(v->name).second) {
      return fail("value name '" + v->name + "' is defined more than once");
    }
    if (v->is_outer_scope) TRT_RETURN_IF_ERROR(CheckCapture(g, *v));
    for (const Use& u : v->uses) {
      if (!u.node || u.input_index < 0 ||
          u.input_index >= static_cast<int>(u.node->inputs.size()) ||
          u.node->inputs[u.input_index] != v.get()) {
        return fail("value '" + v->name + "' lists a use that does not consume it");
      }
    }
  }
  for (const Value* in : g.inputs()) {
    if (!owned.count(in)) return fail("a graph input does not belong to the graph");
    if (in->producer) return fail("graph input '" + in->name + "' has a producer");
  }
  std::unordered_map<const Node*, size_t> position;
  for (size_t i = 0; i < g.nodes().size(); ++i) position[g.nodes()[i]] = i;
  std::unordered_set<const Value*> produced;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node* n = g.nodes()[i];
    const std::string where = n->Describe();
    if (n->owner != &g) return fail(where + " belongs to another graph");
    for (size_t k = 0; k < n->inputs.size(); ++k) {
      const Value* in = n->inputs[k];
      if (!in) continue;
      if (!owned.count(in)) {
        return fail(where + " input " + std::to_string(k) + " ('" + in->name +
                    "') belongs to another graph");
      }
      const bool listed = std::any_of(in->uses.begin(), in->uses.end(), [&](const Use& u) {
        return u.node == n && u.input_index == static_cast<int>(k);
      });
      if (!listed) return fail(where + " consumes '" + in->name + "' but is not in its uses");
      if (in->producer) {
        auto it = position.find(in->producer);
        if (it == position.end()) {
          return fail(where + " input '" + in->name + "' is produced by a removed node");
        }
        if (it->second >= i) {
          return fail(where + " input '" + in->name + "' is produced by " +
                      in->producer->Describe() + ", which is not before it (cycle or " +
                      "nodes not in topological order)");
        }
      } else if (!in->is_constant() && !in->is_graph_input && !in->is_outer_scope) {
        return fail(where + " input '" + in->name + "' is not produced by any node and is " +
                    "not a constant, graph input or outer-scope value");
      }
    }
    for (size_t k = 0; k < n->outputs.size(); ++k) {
      const Value* out = n->outputs[k];
      if (!out) continue;
      if (!owned.count(out)) return fail(where + " output '" + out->name + "' is foreign");
      if (out->producer != n || out->producer_output != static_cast<int>(k)) {
        return fail(where + " output '" + out->name + "' has an inconsistent producer link");
      }
      if (!produced.insert(out).second) {
        return fail("value '" + out->name + "' is produced twice");
      }
    }
    // Values the node's subgraphs capture from this graph are inputs too (implicit ones).
    for (const Value* in : ImplicitInputs(*n)) {
      if (in->producer == nullptr) {
        if (in->is_constant() || in->is_graph_input || in->is_outer_scope) continue;
        return fail(where + " has a subgraph that captures '" + in->name +
                    "', which is not produced by any node and is not a constant, graph input " +
                    "or outer-scope value");
      }
      auto it = position.find(in->producer);
      if (it == position.end() || it->second >= i) {
        return fail(where + " has a subgraph that captures '" + in->name + "', but its producer " +
                    in->producer->Describe() + " is not before the node (nodes not in " +
                    "topological order, or a cycle through the subgraph)");
      }
    }
    for (const auto& [attr_name, a] : n->attrs) {
      std::vector<const Graph*> subs;
      if (a.g) subs.push_back(a.g.get());
      for (const auto& s : a.graphs) subs.push_back(s.get());
      for (const Graph* sub : subs) {
        if (sub->parent() != &g) {
          return fail(where + " subgraph '" + attr_name + "' does not point at its parent");
        }
        Status s = VerifyGraph(*sub);
        if (!s.ok()) return s.WithContext(where + " attribute '" + attr_name + "'");
      }
    }
  }
  for (const auto& v : g.values()) {
    if (v->producer && !position.count(v->producer)) {
      return fail("value '" + v->name + "' points at a producer that is not in the graph");
    }
  }
  for (const Value* out : g.outputs()) {
    if (!out) return fail("a graph output is null");
    if (!owned.count(out)) return fail("graph output '" + out->name + "' is foreign");
    if (!out->producer && !out->is_constant() && !out->is_graph_input && !out->is_outer_scope) {
      return fail("graph output '" + out->name + "' is never defined");
    }
  }
  return Status::Ok();
}

}  // namespace trt::graph
