// Helpers for tests that build graph::Graph objects by hand (shape inference, verification):
// add graph inputs, constants and single-output nodes, build attributes, and print a value's
// inferred shape.
//
//   graph::Graph g;
//   graph::Value* x = Input(g, "x", DType::kFloat32, {graph::Dim::Symbol("batch"), 768});
//   graph::Value* y = Op(g, "Relu", {x}, "y");
//   ASSERT_TRUE(graph::InferShapes(g).ok());
//   EXPECT_EQ(ShapeOf(y), "[batch, 768]");
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace trt::testing {

// Adds a graph input `name` with dtype `dt` and (possibly symbolic) shape `s`.
inline graph::Value* Input(graph::Graph& g, const std::string& name, DType dt, graph::SymShape s) {
  graph::Value* v = g.AddValue(name);
  v->dtype = dt;
  v->shape = std::move(s);
  v->is_graph_input = true;
  g.inputs().push_back(v);
  return v;
}

// Adds a constant value `name` holding `t` (its dtype and shape are t's).
inline graph::Value* Const(graph::Graph& g, const std::string& name, Tensor t) {
  graph::Value* v = g.AddValue(name);
  v->dtype = t.dtype();
  v->shape = graph::SymShape(t.shape().begin(), t.shape().end());
  v->constant = std::move(t);
  return v;
}

// Adds a default-domain, opset 13 node `op` reading `in` and writing one new value `out`;
// the node is named `out` + "_node". Returns the output value (dtype and shape unset).
inline graph::Value* Op(graph::Graph& g, const std::string& op, std::vector<graph::Value*> in,
                        const std::string& out) {
  graph::Value* v = g.AddValue(out);
  g.AddNode(op, "", 13, std::move(in), {v}, out + "_node");
  return v;
}

// An INT attribute.
inline graph::Attribute Int(int64_t v) { return graph::Attribute::Int(v); }

// An INTS attribute.
inline graph::Attribute Ints(std::vector<int64_t> v) {
  return graph::Attribute::Ints(std::move(v));
}

// The value's shape as SymShapeToString prints it, or "?" when the value is null or its
// shape is unknown.
inline std::string ShapeOf(const graph::Value* v) {
  return v && v->shape ? graph::SymShapeToString(*v->shape) : "?";
}

}  // namespace trt::testing
