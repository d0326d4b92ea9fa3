// The trtserve graph IR.
//
// A Model owns a root Graph. A Graph owns its Values and Nodes. Values are SSA: each has at
// most one producer (a Node output) or is a graph input, an initializer (constant), or an
// outer-scope capture (in If/Loop/Scan bodies, a name defined by an enclosing graph).
// Optional inputs/outputs that are absent are nullptr entries in Node::inputs/outputs.
//
// Ownership: Graph owns Value and Node objects (stable addresses for the Graph's lifetime,
// until RemoveNode/RemoveValue). Subgraphs are owned by their node's attributes and point
// to their parent graph.
// Thread safety: a Graph is not synchronized. Once built it is read-only and may be shared
// by executors on several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/graph/sym_dim.h"

namespace trt::graph {

class Graph;
class Node;

// "" is the default ONNX domain (also spelled "ai.onnx" in files; import normalizes it).
inline constexpr std::string_view kOnnxDomain = "";
inline constexpr std::string_view kOnnxMlDomain = "ai.onnx.ml";
inline constexpr std::string_view kMsDomain = "com.microsoft";

struct Attribute {
  enum class Kind {
    kFloat,
    kInt,
    kString,
    kTensor,
    kGraph,
    kFloats,
    kInts,
    kStrings,
    kTensors,
    kGraphs
  };
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;

  // Constructors for the common kinds (used by passes and tests).
  static Attribute Int(int64_t v) {
    Attribute a;
    a.kind = Kind::kInt;
    a.i = v;
    return a;
  }
  static Attribute Float(float v) {
    Attribute a;
    a.kind = Kind::kFloat;
    a.f = v;
    return a;
  }
  static Attribute String(std::string v) {
    Attribute a;
    a.kind = Kind::kString;
    a.s = std::move(v);
    return a;
  }
  static Attribute Ints(std::vector<int64_t> v) {
    Attribute a;
    a.kind = Kind::kInts;
    a.ints = std::move(v);
    return a;
  }
  static Attribute Floats(std::vector<float> v) {
    Attribute a;
    a.kind = Kind::kFloats;
    a.floats = std::move(v);
    return a;
  }
};
std::string_view AttributeKindName(Attribute::Kind k);

struct Use {
  Node* node;
  int input_index;
};

class Value {
 public:
  std::string name;
  DType dtype = DType::kUndefined;
  // Symbolic shape; nullopt means the rank is unknown.
  std::optional<SymShape> shape;
  // For small integer tensors whose contents are known symbolically (results of Shape and
  // arithmetic on them): element i of the flattened tensor. Filled by shape inference.
  std::optional<std::vector<Dim>> sym_value;
  // Set for initializers and folded constants.
  std::optional<Tensor> constant;

  Node* producer = nullptr;  // null for graph inputs, constants, captures
  int producer_output = -1;
  std::vector<Use> uses;  // maintained by Graph

  bool is_graph_input = false;
  bool is_graph_output = false;
  bool is_outer_scope = false;  // captured from an enclosing graph (subgraphs only)

  bool is_constant() const { return constant.has_value(); }
  // "float32[batch, 3, 224, 224]" or "float32[?]" (unknown rank).
  std::string TypeString() const;
};

class Node {
 public:
  std::string name;
  std::string op_type;
  std::string domain;           // normalized: "" for ai.onnx
  int opset = 0;                // the model's opset for `domain`
  std::vector<Value*> inputs;   // nullptr = absent optional input
  std::vector<Value*> outputs;  // nullptr = absent optional output
  std::map<std::string, Attribute, std::less<>> attrs;

  const Attribute* FindAttr(std::string_view attr_name) const;
  // "node 'conv1' (Conv, opset 13)" or "node #7 (Conv, opset 13)" when unnamed.
  std::string Describe() const;
  size_t index = 0;  // position in Graph::nodes() at the last Toposort/AddNode
  Graph* owner = nullptr;
};

class Graph {
 public:
  explicit Graph(Graph* parent = nullptr) : parent_(parent) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  std::string name;
  Graph* parent() const { return parent_; }

  // Creates a new Value. Names must be unique within the graph (not checked here; the
  // verifier checks).
  Value* AddValue(std::string value_name);
  Value* FindValue(std::string_view value_name) const;
  // Creates a node and wires up producers/uses. Outputs must not yet have a producer.
  Node* AddNode(std::string op_type, std::string domain, int opset, std::vector<Value*> inputs,
                std::vector<Value*> outputs, std::string node_name = "");
  // Removes a node (its outputs keep existing but lose their producer).
  void RemoveNode(Node* node);
  // Re-points every use of `from` (and graph outputs) to `to`.
  void ReplaceAllUses(Value* from, Value* to);
  // Sets node->inputs[i] = v, maintaining use lists.
  void SetNodeInput(Node* node, int i, Value* v);
  // Removes values that have no producer, no uses and are not graph inputs/outputs.
  void RemoveUnusedValues();

  // Nodes in topological order (valid after Toposort(), which import calls).
  const std::vector<Node*>& nodes() const { return order_; }
  // Sorts nodes topologically; fails with the names of nodes in a cycle or with inputs
  // nobody produces.
  Status Toposort();

  std::vector<Value*>& inputs() { return inputs_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  std::vector<Value*>& outputs() { return outputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // Values captured from enclosing graphs, in first-use order.
  const std::vector<Value*>& outer_scope_values() const { return captures_; }
  Value* AddOuterScopeValue(std::string value_name);

  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }
  size_t num_nodes() const { return order_.size(); }

 private:
  Graph* parent_;
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Node>> node_storage_;
  std::vector<Node*> order_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::vector<Value*> captures_;
  std::map<std::string, Value*, std::less<>> by_name_;
};

// Outer-scope helpers. A subgraph reads enclosing values by name; import declares every
// name a subgraph needs (including names only its own nested subgraphs read) as a capture
// of that subgraph, so each capture resolves in the immediate parent graph.

// The attribute subgraphs of `n` (If branches, Loop/Scan bodies), in attribute order.
std::vector<const Graph*> Subgraphs(const Node& n);
// Names that `g` and the subgraphs nested in it read from scopes enclosing `g`: g's declared
// captures first, then names captured deeper that g does not define. No duplicates.
std::vector<std::string> OuterScopeNames(const Graph& g);
// The values of n's graph that n's subgraphs (at any depth) capture: n's implicit inputs.
// They must be computed before n runs and stay alive until it has run.
std::vector<Value*> ImplicitInputs(const Node& n);

struct Model {
  std::string name;  // file stem or graph name; used in error messages
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int> opsets;  // normalized domain -> version
  std::shared_ptr<Graph> graph;
};

}  // namespace trt::graph
