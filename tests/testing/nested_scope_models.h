// Test helper: ONNX models (built in code) whose If/Loop/Scan subgraphs are nested several
// levels deep and capture values from one, two, three or more scopes up, with the plain C++
// computation of what each model returns. Shared by the graph and runtime tests.
//
// Every intermediate branch lists its nodes as [local cond, captured value, If] so that a
// topological sort ignoring subgraph captures would run the If before the value it captures.
// All arithmetic is on small integers, so results compare exactly.
#pragma once

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/testing/onnx_builder.h"

namespace trt::testing::nested {

inline onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op,
                                const std::vector<std::string>& inputs,
                                const std::vector<std::string>& outputs,
                                const std::string& name = "") {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? op + "_" + outputs.front() : name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

// Adds a GRAPH attribute to `n` and returns the (empty) graph to fill.
inline onnx::GraphProto* AddGraphAttr(onnx::NodeProto* n, const std::string& attr,
                                      const std::string& graph_name) {
  auto* a = n->add_attribute();
  a->set_name(attr);
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name(graph_name);
  return a->mutable_g();
}

// Subgraph outputs and Loop/Scan body inputs: untyped outputs, typed inputs.
inline void AddGraphOutput(onnx::GraphProto* g, const std::string& name) {
  g->add_output()->set_name(name);
}
inline void AddGraphInput(onnx::GraphProto* g, const std::string& name, int elem_type,
                          const std::vector<DimSpec>& dims) {
  auto* vi = g->add_input();
  vi->set_name(name);
  OnnxBuilder::SetType(vi, elem_type, dims);
}

// A Constant node with a float32 tensor value.
inline void AddFloatConstant(onnx::GraphProto* g, const std::string& name,
                             const std::vector<int64_t>& dims, const std::vector<float>& values) {
  auto* n = AddNode(g, "Constant", {}, {name});
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

using Vec = std::vector<float>;
inline Vec Plus(const Vec& a, const Vec& b) {
  Vec r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = a[i] + b[i];
  return r;
}
inline Vec Minus(const Vec& a, const Vec& b) {
  Vec r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = a[i] - b[i];
  return r;
}

// ---- If nested `depth` deep -------------------------------------------------------------
// Inputs: x float[2], c1..c<depth> bool scalars. Root initializer w (used only by branches)
// and v0 = x + x. Level L (1..depth) is the then_branch of If_L, nested in level L-1:
//   - L < depth: k<L> = Identity(c<L+1>), v<L> = v<L-1> + x, r<L> = If_<L+1>(k<L>).
//     Level 1 also holds a Constant kc that only the deepest branch reads.
//   - L == depth: v<D-1> + v<D-2> + v<D-3> + w + kc + x (captures 1, 2, 3 and more up).
// The else_branch of If_L returns v<max(L-2, 0)> - w (a capture two scopes up).
inline constexpr float kW[] = {1, 2};
inline constexpr float kKc[] = {10, 20};

inline std::string V(int level) { return "v" + std::to_string(level); }

inline void FillNestedIfLevel(onnx::GraphProto* g, int level, int depth) {
  const std::string lv = std::to_string(level);
  if (level == depth) {
    const int up3 = std::max(depth - 3, 0);
    AddNode(g, "Add", {V(depth - 1), V(depth - 2)}, {"s1_" + lv});
    AddNode(g, "Add", {"s1_" + lv, V(up3)}, {"s2_" + lv});
    AddNode(g, "Add", {"s2_" + lv, "w"}, {"s3_" + lv});
    AddNode(g, "Add", {"s3_" + lv, "kc"}, {"s4_" + lv});
    AddNode(g, "Add", {"s4_" + lv, "x"}, {"deep_out"});
    AddGraphOutput(g, "deep_out");
    return;
  }
  const std::string next = std::to_string(level + 1);
  if (level == 1) AddFloatConstant(g, "kc", {2}, {kKc[0], kKc[1]});
  AddNode(g, "Identity", {"c" + next}, {"k" + lv});
  AddNode(g, "Add", {V(level - 1), "x"}, {V(level)});
  auto* n = AddNode(g, "If", {"k" + lv}, {"r" + lv}, "If_" + next);
  FillNestedIfLevel(AddGraphAttr(n, "then_branch", "then_" + next), level + 1, depth);
  auto* e = AddGraphAttr(n, "else_branch", "else_" + next);
  AddNode(e, "Sub", {V(std::max(level + 1 - 2, 0)), "w"}, {"else_out_" + next});
  AddGraphOutput(e, "else_out_" + next);
  AddGraphOutput(g, "r" + lv);
}

inline std::string NestedIfModel(int depth) {
  OnnxBuilder b(16);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{2}});
  for (int l = 1; l <= depth; ++l) b.Input("c" + std::to_string(l), onnx::TensorProto::BOOL, {});
  b.FloatInitializer("w", {2}, {kW[0], kW[1]});
  AddNode(&b.graph(), "Add", {"x", "x"}, {"v0"});
  auto* n = AddNode(&b.graph(), "If", {"c1"}, {"y"}, "If_1");
  FillNestedIfLevel(AddGraphAttr(n, "then_branch", "then_1"), 1, depth);
  auto* e = AddGraphAttr(n, "else_branch", "else_1");
  AddNode(e, "Sub", {"v0", "w"}, {"else_out_1"});
  AddGraphOutput(e, "else_out_1");
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{2}});
  return b.Serialize();
}

// What NestedIfModel(depth) returns for x and conds[l - 1] = c<l>.
inline Vec NestedIfExpected(int depth, const Vec& x, const std::vector<bool>& conds) {
  const Vec w(std::begin(kW), std::end(kW)), kc(std::begin(kKc), std::end(kKc));
  std::vector<Vec> v = {Plus(x, x)};
  for (int level = 1; level <= depth; ++level) {
    if (!conds[level - 1]) return Minus(v[std::max(level - 2, 0)], w);
    if (level == depth) {
      Vec s = Plus(Plus(v[depth - 1], v[depth - 2]), v[std::max(depth - 3, 0)]);
      return Plus(Plus(Plus(s, w), kc), x);
    }
    v.push_back(Plus(v[level - 1], x));
  }
  return {};
}

// ---- The voice-activity model's shape (issue 10) ---------------------------------------
// Inputs x float[2], c0, c1, c4, c2 bool. If_0(c0).then holds If_1(c1); If_1.then computes
// V = x + x after k4 = Identity(c4) and holds If_4(k4), whose else_branch reads V (one up)
// and whose then_branch holds If_2(c2), whose branches read V (two up). Every other branch
// returns x.
inline constexpr char kVadValue[] = "/decoder/rnn/Squeeze_output_0";

inline std::string VadLikeModel() {
  OnnxBuilder b(16);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{2}});
  for (const char* c : {"c0", "c1", "c4", "c2"}) b.Input(c, onnx::TensorProto::BOOL, {});
  auto pass_x = [](onnx::GraphProto* g, const std::string& out) {
    AddNode(g, "Identity", {"x"}, {out});
    AddGraphOutput(g, out);
  };
  auto* if0 = AddNode(&b.graph(), "If", {"c0"}, {"y"}, "If_0");
  pass_x(AddGraphAttr(if0, "else_branch", "else_0"), "e0");
  auto* a = AddGraphAttr(if0, "then_branch", "then_0");
  auto* if1 = AddNode(a, "If", {"c1"}, {"r1"}, "If_1");
  AddGraphOutput(a, "r1");
  pass_x(AddGraphAttr(if1, "else_branch", "else_1"), "e1");
  auto* bb = AddGraphAttr(if1, "then_branch", "sub_graph12");
  AddNode(bb, "Identity", {"c4"}, {"k4"});
  AddNode(bb, "Add", {"x", "x"}, {kVadValue});
  auto* if4 = AddNode(bb, "If", {"k4"}, {"r4"}, "If_4");
  AddGraphOutput(bb, "r4");
  auto* c = AddGraphAttr(if4, "else_branch", "else_4");
  AddNode(c, "Mul", {kVadValue, "x"}, {"e4"});
  AddGraphOutput(c, "e4");
  auto* d = AddGraphAttr(if4, "then_branch", "then_4");
  auto* if2 = AddNode(d, "If", {"c2"}, {"r2"}, "If_2");
  AddGraphOutput(d, "r2");
  auto* e = AddGraphAttr(if2, "then_branch", "then_2");
  AddNode(e, "Add", {kVadValue, "x"}, {"t2"});
  AddGraphOutput(e, "t2");
  auto* f = AddGraphAttr(if2, "else_branch", "else_2");
  AddNode(f, "Sub", {kVadValue, "x"}, {"f2"});
  AddGraphOutput(f, "f2");
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{2}});
  return b.Serialize();
}

inline Vec VadLikeExpected(const Vec& x, bool c0, bool c1, bool c4, bool c2) {
  if (!c0 || !c1) return x;
  const Vec v = Plus(x, x);
  if (!c4) {
    Vec r(x.size());
    for (size_t i = 0; i < x.size(); ++i) r[i] = v[i] * x[i];
    return r;
  }
  return c2 ? Plus(v, x) : Minus(v, x);
}

// ---- Loop inside If, If inside the Loop body --------------------------------------------
// Inputs: x float[2], c bool, n int64. a = x + x. If(c):
//   then: b = a + x; Loop(n, "", x) with body (iter, cond_in, v_in):
//           k = iter < 1; v_out = v_in + b (1 up);
//           t = If(k) { then: v_out + b (1 and 2 up)  else: v_out - a (1 and 3 up) }
//         -> (cond_in, v_out, t); the branch returns (v_final, t stacked [n, 2]).
//   else: (a, a) as captures returned directly.
inline std::string LoopInIfModel() {
  OnnxBuilder b(16);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{2}});
  b.Input("c", onnx::TensorProto::BOOL, {});
  b.Input("n", onnx::TensorProto::INT64, {});
  AddNode(&b.graph(), "Add", {"x", "x"}, {"a"});
  auto* n = AddNode(&b.graph(), "If", {"c"}, {"y_final", "y_scan"}, "If_outer");
  auto* t = AddGraphAttr(n, "then_branch", "then_outer");
  AddNode(t, "Add", {"a", "x"}, {"b"});
  auto* loop = AddNode(t, "Loop", {"n", "", "x"}, {"v_final", "t_scan"}, "Loop_inner");
  auto* body = AddGraphAttr(loop, "body", "loop_body");
  AddGraphInput(body, "iter", onnx::TensorProto::INT64, {});
  AddGraphInput(body, "cond_in", onnx::TensorProto::BOOL, {});
  AddGraphInput(body, "v_in", onnx::TensorProto::FLOAT, {int64_t{2}});
  auto* one = AddNode(body, "Constant", {}, {"one"});
  OnnxBuilder::IntAttr(one, "value_int", 1);
  AddNode(body, "Less", {"iter", "one"}, {"k"});
  AddNode(body, "Add", {"v_in", "b"}, {"v_out"});
  auto* inner = AddNode(body, "If", {"k"}, {"t"}, "If_in_body");
  auto* it = AddGraphAttr(inner, "then_branch", "body_then");
  AddNode(it, "Add", {"v_out", "b"}, {"bt"});
  AddGraphOutput(it, "bt");
  auto* ie = AddGraphAttr(inner, "else_branch", "body_else");
  AddNode(ie, "Sub", {"v_out", "a"}, {"be"});
  AddGraphOutput(ie, "be");
  AddGraphOutput(body, "cond_in");
  AddGraphOutput(body, "v_out");
  AddGraphOutput(body, "t");
  AddGraphOutput(t, "v_final");
  AddGraphOutput(t, "t_scan");
  auto* e = AddGraphAttr(n, "else_branch", "else_outer");
  AddGraphOutput(e, "a");
  AddGraphOutput(e, "a");
  b.Output("y_final", onnx::TensorProto::FLOAT, {int64_t{2}});
  b.Output("y_scan", onnx::TensorProto::FLOAT, {});
  b.graph().mutable_output(1)->mutable_type()->mutable_tensor_type()->clear_shape();
  return b.Serialize();
}

inline void LoopInIfExpected(const Vec& x, bool c, int64_t n, Vec* final_v, Vec* scan) {
  const Vec a = Plus(x, x), b = Plus(a, x);
  scan->clear();
  if (!c) {
    *final_v = a;
    *scan = a;
    return;
  }
  Vec v = x;
  for (int64_t i = 0; i < n; ++i) {
    v = Plus(v, b);
    const Vec t = i < 1 ? Plus(v, b) : Minus(v, a);
    scan->insert(scan->end(), t.begin(), t.end());
  }
  *final_v = v;
}

// ---- Scan inside If ----------------------------------------------------------------------
// Inputs: X float[3, 2], s0 float[2], c bool. Initializer w, a = s0 + s0. If(c):
//   then: b = a + s0; Scan(a, X) with body (s_in, x_i): s_out = s_in + x_i,
//         y_i = (x_i + b) + w (1 and 2 up) -> branch returns (s_final, ys).
//   else: (a, X).
inline std::string ScanInIfModel() {
  OnnxBuilder b(16);
  b.Input("X", onnx::TensorProto::FLOAT, {int64_t{3}, int64_t{2}});
  b.Input("s0", onnx::TensorProto::FLOAT, {int64_t{2}});
  b.Input("c", onnx::TensorProto::BOOL, {});
  b.FloatInitializer("w", {2}, {kW[0], kW[1]});
  AddNode(&b.graph(), "Add", {"s0", "s0"}, {"a"});
  auto* n = AddNode(&b.graph(), "If", {"c"}, {"s_final", "ys"}, "If_scan");
  auto* t = AddGraphAttr(n, "then_branch", "then_scan");
  AddNode(t, "Add", {"a", "s0"}, {"b"});
  auto* scan = AddNode(t, "Scan", {"a", "X"}, {"sf", "ys_t"}, "Scan_inner");
  OnnxBuilder::IntAttr(scan, "num_scan_inputs", 1);
  auto* body = AddGraphAttr(scan, "body", "scan_body");
  AddGraphInput(body, "s_in", onnx::TensorProto::FLOAT, {int64_t{2}});
  AddGraphInput(body, "x_i", onnx::TensorProto::FLOAT, {int64_t{2}});
  AddNode(body, "Add", {"s_in", "x_i"}, {"s_out"});
  AddNode(body, "Add", {"x_i", "b"}, {"xb"});
  AddNode(body, "Add", {"xb", "w"}, {"y_i"});
  AddGraphOutput(body, "s_out");
  AddGraphOutput(body, "y_i");
  AddGraphOutput(t, "sf");
  AddGraphOutput(t, "ys_t");
  auto* e = AddGraphAttr(n, "else_branch", "else_scan");
  AddGraphOutput(e, "a");
  AddGraphOutput(e, "X");
  b.Output("s_final", onnx::TensorProto::FLOAT, {int64_t{2}});
  b.Output("ys", onnx::TensorProto::FLOAT, {});
  b.graph().mutable_output(1)->mutable_type()->mutable_tensor_type()->clear_shape();
  return b.Serialize();
}

}  // namespace trt::testing::nested
