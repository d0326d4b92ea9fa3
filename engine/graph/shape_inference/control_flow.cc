// Shape inference for recurrent ops (RNN, GRU, LSTM) and control flow (If, Loop, Scan).
// Control-flow bodies are inferred recursively with InferShapes() after their inputs are
// typed from the node; If merges its branches' output shapes.
#include <algorithm>
#include <tuple>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status Recurrent(InferContext& ctx) {
  auto x = ctx.input_shape(0);
  const int64_t dirs = ctx.AttrString("direction", "forward") == "bidirectional" ? 2 : 1;
  Dim hidden = Dim(ctx.AttrInt("hidden_size", 0));
  if (auto r = ctx.input_shape(2); !ctx.attr("hidden_size") && r && r->size() == 3) {
    hidden = (*r)[2];
  }
  const bool batch_first = ctx.AttrInt("layout", 0) != 0;
  const DType dt = ctx.input_dtype(0);
  if (!x || x->size() != 3) {
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.SetOutput(i, dt, std::nullopt);
    return Status::Ok();
  }
  const Dim seq = (*x)[batch_first ? 1 : 0], batch = (*x)[batch_first ? 0 : 1];
  if (auto w = ctx.input_shape(1);
      w && w->size() == 3 && (*w)[2].is_known() && (*x)[2].is_known() && (*w)[2] != (*x)[2]) {
    return ctx.Error("W expects input size " + (*w)[2].ToString() + ", X has " +
                     (*x)[2].ToString());
  }
  ctx.SetOutput(0, dt,
                batch_first ? SymShape{batch, seq, Dim(dirs), hidden}
                            : SymShape{seq, Dim(dirs), batch, hidden});
  const SymShape state =
      batch_first ? SymShape{batch, Dim(dirs), hidden} : SymShape{Dim(dirs), batch, hidden};
  for (int i = 1; i < ctx.num_outputs(); ++i) ctx.SetOutput(i, dt, state);
  return Status::Ok();
}

// Dims equal in both -> kept; otherwise a fresh unknown (or unknown rank).
std::optional<SymShape> MergeShapes(const std::optional<SymShape>& a,
                                    const std::optional<SymShape>& b) {
  if (!a || !b || a->size() != b->size()) return std::nullopt;
  SymShape out = *a;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != (*b)[i]) out[i] = Dim::Unknown();
  }
  return out;
}

const Graph* GraphAttr(const InferContext& ctx, const char* name) {
  const Attribute* a = ctx.attr(name);
  return a && a->kind == Attribute::Kind::kGraph ? a->g.get() : nullptr;
}

// Types of every value in a graph and its nested subgraphs, to re-infer a body from scratch.
class TypeSnapshot {
 public:
  explicit TypeSnapshot(const Graph& g) { Save(g); }
  void Restore() const {
    for (const auto& [v, dtype, shape, sym] : saved_) {
      v->dtype = dtype;
      v->shape = shape;
      v->sym_value = sym;
    }
  }

 private:
  void Save(const Graph& g) {
    for (const auto& v : g.values()) saved_.emplace_back(v.get(), v->dtype, v->shape, v->sym_value);
    for (const Node* n : g.nodes()) {
      for (const auto& [name, a] : n->attrs) {
        if (a.g) Save(*a.g);
        for (const auto& sub : a.graphs) Save(*sub);
      }
    }
  }
  std::vector<std::tuple<Value*, DType, std::optional<SymShape>, std::optional<std::vector<Dim>>>>
      saved_;
};

Status InferBody(const InferContext& ctx, Graph& body, const char* what) {
  Status s = InferShapes(body);
  if (!s.ok()) return s.WithContext(ctx.node().Describe() + " " + what);
  return s;
}

Status If(InferContext& ctx) {
  Graph* then_g = const_cast<Graph*>(GraphAttr(ctx, "then_branch"));
  Graph* else_g = const_cast<Graph*>(GraphAttr(ctx, "else_branch"));
  if (!then_g || !else_g) return ctx.Error("If needs then_branch and else_branch graphs");
  TRT_RETURN_IF_ERROR(InferBody(ctx, *then_g, "then_branch"));
  TRT_RETURN_IF_ERROR(InferBody(ctx, *else_g, "else_branch"));
  if (then_g->outputs().size() != else_g->outputs().size() ||
      static_cast<int>(then_g->outputs().size()) != ctx.num_outputs()) {
    return ctx.Error("branches and node have different numbers of outputs");
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const Value* a = then_g->outputs()[i];
    const Value* b = else_g->outputs()[i];
    if (a->dtype != DType::kUndefined && b->dtype != DType::kUndefined && a->dtype != b->dtype) {
      return ctx.Error("output " + std::to_string(i) + " is " + a->TypeString() +
                       " in then_branch but " + b->TypeString() + " in else_branch");
    }
    ctx.SetOutput(i, a->dtype != DType::kUndefined ? a->dtype : b->dtype,
                  MergeShapes(a->shape, b->shape));
  }
  return Status::Ok();
}

// Loop inputs: M, cond, v_initial...; body: (iter, cond, v...) -> (cond, v..., scan...).
Status Loop(InferContext& ctx) {
  Graph* body = const_cast<Graph*>(GraphAttr(ctx, "body"));
  if (!body) return ctx.Error("Loop needs a body graph");
  const int n_carried = ctx.num_inputs() - 2;
  if (n_carried < 0 || static_cast<int>(body->inputs().size()) != n_carried + 2 ||
      static_cast<int>(body->outputs().size()) < n_carried + 1) {
    return ctx.Error("Loop body signature does not match the node");
  }
  body->inputs()[0]->dtype = DType::kInt64;
  body->inputs()[0]->shape = SymShape{};
  body->inputs()[1]->dtype = DType::kBool;
  body->inputs()[1]->shape = SymShape{};
  std::vector<std::optional<SymShape>> carried(n_carried);
  for (int i = 0; i < n_carried; ++i) {
    Value* in = body->inputs()[i + 2];
    if (in->dtype == DType::kUndefined) in->dtype = ctx.input_dtype(i + 2);
    carried[i] = ctx.input_shape(i + 2);
  }
  const TypeSnapshot snapshot(*body);
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < n_carried; ++i) body->inputs()[i + 2]->shape = carried[i];
    TRT_RETURN_IF_ERROR(InferBody(ctx, *body, "body"));
    bool changed = false;
    for (int i = 0; i < n_carried; ++i) {
      const auto& out = body->outputs()[i + 1]->shape;
      const bool same = carried[i] && out && out->size() == carried[i]->size() &&
                        std::equal(out->begin(), out->end(), carried[i]->begin());
      if (!same) {
        changed = true;
        carried[i] = MergeShapes(carried[i], out);
      }
    }
    if (!changed) break;
    if (pass == 0) snapshot.Restore();
  }
  for (int i = 0; i < n_carried; ++i) ctx.SetOutput(i, ctx.input_dtype(i + 2), carried[i]);
  for (int k = n_carried; k < ctx.num_outputs(); ++k) {
    const Value* out = body->outputs()[k + 1];
    std::optional<SymShape> s;
    if (out->shape) {
      s = SymShape{Dim::Unknown()};
      s->insert(s->end(), out->shape->begin(), out->shape->end());
    }
    ctx.SetOutput(k, out->dtype, s);
  }
  return Status::Ok();
}

// Scan (opset 9+): inputs: N states then M scan inputs; body: (states, elements) ->
// (states, K scan output elements).
Status Scan(InferContext& ctx) {
  Graph* body = const_cast<Graph*>(GraphAttr(ctx, "body"));
  const int m = static_cast<int>(ctx.AttrInt("num_scan_inputs", 0));
  const int n = ctx.num_inputs() - m;
  if (!body || m <= 0 || n < 0 || ctx.opset() < 9 ||
      static_cast<int>(body->inputs().size()) != ctx.num_inputs()) {
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.SetOutput(i, DType::kUndefined, std::nullopt);
    return Status::Ok();
  }
  const auto in_axes = ctx.AttrInts("scan_input_axes").value_or(std::vector<int64_t>(m, 0));
  const auto out_axes =
      ctx.AttrInts("scan_output_axes").value_or(std::vector<int64_t>(ctx.num_outputs() - n, 0));
  Dim seq_len = Dim::Unknown();
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    Value* bin = body->inputs()[i];
    if (bin->dtype == DType::kUndefined) bin->dtype = ctx.input_dtype(i);
    auto s = ctx.input_shape(i);
    if (i >= n && s && static_cast<size_t>(i - n) < in_axes.size()) {
      int64_t ax;
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(in_axes[i - n], s->size(), &ax));
      if (i == n) seq_len = (*s)[ax];
      s->erase(s->begin() + ax);
    }
    bin->shape = s;
  }
  TRT_RETURN_IF_ERROR(InferBody(ctx, *body, "body"));
  for (int i = 0; i < ctx.num_outputs() && i < static_cast<int>(body->outputs().size()); ++i) {
    const Value* out = body->outputs()[i];
    std::optional<SymShape> s = out->shape;
    if (i >= n && s && static_cast<size_t>(i - n) < out_axes.size()) {
      int64_t ax;
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(out_axes[i - n], s->size() + 1, &ax));
      s->insert(s->begin() + ax, seq_len);
    }
    ctx.SetOutput(i, out->dtype, s);
  }
  return Status::Ok();
}

}  // namespace

void RegisterControlFlowInfer(InferTable& t) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) t.emplace_back(std::string(":") + op, Recurrent);
  t.emplace_back(":If", If);
  t.emplace_back(":Loop", Loop);
  t.emplace_back(":Scan", Scan);
}

}  // namespace trt::graph
