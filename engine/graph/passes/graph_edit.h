// Rewrite helpers shared by the graph passes.
//
// Contracts common to every helper: they keep Graph's use lists consistent and never change
// the name of a graph output. Values referenced by name from subgraphs (If/Loop/Scan bodies
// capture outer values by name, not through use lists) are reported by CapturedNames();
// passes must not remove or rename them.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace trt::graph {

// Names that subgraphs of g's nodes (recursively) capture from enclosing scopes.
std::set<std::string, std::less<>> CapturedNames(const Graph& g);
// Names that the subgraphs of one node (recursively) capture.
std::set<std::string, std::less<>> CapturedNames(const Node& n);

// True if some attribute of n holds a graph (If/Loop/Scan).
bool HasSubgraph(const Node& n);

// A name not yet used in g, derived from `base` ("base", "base_1", "base_2", ...).
std::string UniqueValueName(const Graph& g, std::string_view base);

// Adds a constant Value holding t (dtype and shape filled in) under a unique name.
Value* AddConstant(Graph& g, std::string_view base_name, Tensor t);

// The known static shape of v, or nullopt when its rank or any dim is not known.
std::optional<Shape> StaticShape(const Value& v);

// The single node reading v, or nullptr if v has zero or several uses, is a graph output,
// or is captured by a subgraph (see CapturedNames).
Node* SoleConsumer(const Value& v, const std::set<std::string, std::less<>>& captured);

// Makes `producer` produce `to` as its output `index` instead of its current output, which
// is left without producer. Precondition: `to` has no producer.
void MoveOutput(Graph& g, Node* producer, int index, Value* to);

// Removes `node`, whose output `out` equals its input `in`, so that consumers of `out` read
// the same data. Graph output names are preserved: when `out` is a graph output, `in`'s
// producer is made to produce `out` directly. Returns false (graph unchanged) when that is
// not possible: `out` is a graph output and `in` is a graph input, graph output, constant,
// outer-scope value or captured name, or `out` is captured.
bool BypassNode(Graph& g, Node* node, Value* in, Value* out,
                const std::set<std::string, std::less<>>& captured);

// Graph::RemoveUnusedValues(), except that values named in `keep` (captured names) survive.
void RemoveUnusedValuesExcept(Graph& g, const std::set<std::string, std::less<>>& keep);

// Integer/boolean attribute helpers for rewrites.
int64_t AttrIntOr(const Node& n, std::string_view name, int64_t def);
void SetIntAttr(Node& n, const std::string& name, int64_t v);

}  // namespace trt::graph
