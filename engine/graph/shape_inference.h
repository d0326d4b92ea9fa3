// Symbolic shape and type inference over the graph IR.
//
// Contract of InferShapes(g):
// - Walks g.nodes() in order (which must be topological, as after Graph::Toposort()) and
//   sets every node output's `dtype` and `shape`. Shapes are symbolic, expressed in the dims
//   of the graph inputs (e.g. [batch, seq, 768]); graph inputs and constants are not changed.
// - For small integer tensors (at most kMaxSymValueElements elements) whose contents are
//   derivable it also sets `sym_value` (Shape(x) -> x's dims; Gather/Slice/Concat/Unsqueeze/
//   Squeeze/Reshape/Cast/Add/Sub/Mul/Div/... propagate it). Integer constants count as known
//   sym_values. Shape-consuming ops (Reshape, Expand, Tile, ConstantOfShape, Range, Slice,
//   Resize, ...) read these to produce symbolic output shapes, so PyTorch's
//   Shape -> Gather -> Concat -> Reshape chains come out as [batch, seq, 12, 64].
// - What it cannot infer (unknown ops, data-dependent sizes such as NonZero or TopK with a
//   runtime k) becomes Dim::Unknown() dims or an unknown rank; that is never an error.
// - It fails with INVALID_ARGUMENT only on provable inconsistencies between known dims
//   (e.g. MatMul K mismatch, broadcasting 3 against 4, Concat non-axis dims, Reshape of a
//   known size to an incompatible known shape, Conv channel mismatch). The message names the
//   node, op, opset and the input names and types.
// - Declared types (value_info, graph outputs) are merged: a conflict between a declared and
//   an inferred known dim, dtype or rank is an error; otherwise the inferred dim wins unless
//   it is anonymous (Dim::Unknown()), in which case the declared dim (e.g. a dim_param name)
//   is kept.
// - Subgraphs (If/Loop/Scan bodies) are inferred recursively with their inputs typed from
//   the node; outer-scope captures take the types of the enclosing graphs' values.
// - Symbolic Slice/Range/Reshape bounds are assumed non-negative, as they come from dims.
// Thread safety: mutates the graph; callers serialize access. The op table is immutable
// after static initialization and safe to read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/graph/graph.h"

namespace trt::graph {

// Largest tensor whose contents shape inference tracks in Value::sym_value.
inline constexpr int64_t kMaxSymValueElements = 64;

Status InferShapes(Graph& g);
// Infers the root graph; errors are prefixed with the model name.
Status InferShapes(Model& m);

// ---- The per-op table ------------------------------------------------------------------
// Each op is one function taking an InferContext. It reads the node's inputs/attributes and
// calls SetOutput*(); it returns an error only for provable inconsistencies (ctx.Error()).

// Typed access to one node during inference. Borrows the node; lives for one call.
class InferContext {
 public:
  explicit InferContext(Node& node) : node_(node) {}

  Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  // nullptr when absent or out of range.
  const Value* input(int i) const;
  bool has_input(int i) const { return input(i) != nullptr; }
  bool has_output(int i) const;
  DType input_dtype(int i) const;
  // nullopt when absent or of unknown rank.
  std::optional<SymShape> input_shape(int i) const;
  // Contents of an integer input known symbolically: its sym_value, or an integer constant
  // with at most kMaxSymValueElements elements.
  std::optional<std::vector<Dim>> InputSymInts(int i) const;
  // Like InputSymInts() but only when every element is a known integer.
  std::optional<std::vector<int64_t>> InputInts(int i) const;
  // Contents of a constant numeric input (any dtype).
  std::optional<std::vector<double>> InputFloats(int i) const;

  const Attribute* attr(std::string_view name) const { return node_.FindAttr(name); }
  int64_t AttrInt(std::string_view name, int64_t def) const;
  float AttrFloat(std::string_view name, float def) const;
  std::string AttrString(std::string_view name, std::string def) const;
  std::optional<std::vector<int64_t>> AttrInts(std::string_view name) const;

  // Sets output i's type (ignored when the output is absent). A sym_value is recorded only
  // for integer dtypes and shapes with at most kMaxSymValueElements known elements.
  void SetOutput(int i, DType dtype, std::optional<SymShape> shape);
  void SetOutputSymValue(int i, std::vector<Dim> v);
  // Copies input `from`'s dtype and shape to output i.
  void PassThrough(int i, int from) { SetOutput(i, input_dtype(from), input_shape(from)); }

  // INVALID_ARGUMENT "<node>: <msg>; inputs: x: float32[batch, 3], w: float32[8, 4]".
  Status Error(std::string_view msg) const;
  // Normalizes a possibly negative axis against `rank`; error when out of range.
  Status NormalizeAxis(int64_t axis, int64_t rank, int64_t* out) const;

 private:
  Node& node_;
};

using InferFn = Status (*)(InferContext&);
// nullptr if no inference function is registered for (domain, op_type).
InferFn FindInferFn(std::string_view domain, std::string_view op_type);

// ---- Helpers shared by the op groups ---------------------------------------------------

// Numpy-style broadcast. Equal dims -> that dim; 1 and d -> d; known a vs known b (both
// != 1, different) -> error; known k vs symbolic -> k; different symbolic dims -> a fresh
// Dim::Unknown(). The error message names both shapes; callers wrap it with ctx.Error().
StatusOr<SymShape> BroadcastShapes(const SymShape& a, const SymShape& b);
// Product of dims (1 for an empty shape).
Dim DimProduct(const SymShape& s, size_t begin, size_t end);
inline Dim DimProduct(const SymShape& s) { return DimProduct(s, 0, s.size()); }
// A value's integer contents known symbolically: its sym_value, or the elements of an
// integer constant with at most kMaxSymValueElements elements.
std::optional<std::vector<Dim>> SymIntsOf(const Value& v);
// A shape of `rank` fresh unknown dims.
SymShape UnknownDims(int64_t rank);
// Shape of MatMul(a, b) with numpy semantics (1-D promotion, batch broadcast).
StatusOr<SymShape> MatMulShape(const InferContext& ctx, const SymShape& a, const SymShape& b);
// Output shape of Conv-like ops: x [N, C, D...], w [M, C/group, K...], reading the pads,
// strides, dilations, auto_pad and group attributes of ctx's node.
StatusOr<SymShape> ConvShape(const InferContext& ctx, const SymShape& x, const SymShape& w);

// Registration of the op groups (one per shape_inference/*.cc file).
using InferTable = std::vector<std::pair<std::string, InferFn>>;  // "domain:op" -> fn
void RegisterElementwiseInfer(InferTable& t);
void RegisterConvPoolInfer(InferTable& t);
void RegisterShapeOpsInfer(InferTable& t);
void RegisterDataMovementInfer(InferTable& t);
void RegisterReduceIndexInfer(InferTable& t);
void RegisterLinalgNormInfer(InferTable& t);
void RegisterControlFlowInfer(InferTable& t);
void RegisterQuantizedInfer(InferTable& t);
void RegisterFusedInfer(InferTable& t);
void RegisterFusedOpsInfer(InferTable& t);

}  // namespace trt::graph
