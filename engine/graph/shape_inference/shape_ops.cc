// Shape inference for ops that compute or reinterpret shapes: Shape, Size, Reshape, Flatten,
// Squeeze, Unsqueeze, Transpose, Expand, Tile, ConstantOfShape, Range, EyeLike. These read
// and write sym_value so that PyTorch's shape arithmetic stays symbolic.
#include <algorithm>
#include <cmath>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

void ForwardSym(InferContext& ctx) {
  if (auto v = ctx.InputSymInts(0)) ctx.SetOutputSymValue(0, *v);
}

Status ShapeOp(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  if (!in) {
    ctx.SetOutput(0, DType::kInt64, SymShape{Dim::Unknown()});
    return Status::Ok();
  }
  const int64_t r = static_cast<int64_t>(in->size());
  int64_t start = ctx.AttrInt("start", 0), end = ctx.AttrInt("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  std::vector<Dim> dims(in->begin() + start, in->begin() + end);
  ctx.SetOutput(0, DType::kInt64, SymShape{Dim(end - start)});
  ctx.SetOutputSymValue(0, std::move(dims));
  return Status::Ok();
}

Status Size(InferContext& ctx) {
  ctx.SetOutput(0, DType::kInt64, SymShape{});
  if (auto in = ctx.input_shape(0)) ctx.SetOutputSymValue(0, {DimProduct(*in)});
  return Status::Ok();
}

// Splits a product of dims into its known constant and its symbolic factors.
void Factorize(const SymShape& dims, int64_t* constant, std::vector<Dim>* symbolic) {
  for (const Dim& d : dims) {
    for (const Dim& f : d.Factors()) {
      if (f.is_known()) {
        *constant *= f.value();
      } else {
        symbolic->push_back(f);
      }
    }
  }
}

Status Reshape(InferContext& ctx) {
  const DType dt = ctx.input_dtype(0);
  auto in = ctx.input_shape(0);
  std::optional<std::vector<Dim>> target;
  if (ctx.opset() < 5) {
    if (auto a = ctx.AttrInts("shape")) target = std::vector<Dim>(a->begin(), a->end());
  } else {
    target = ctx.InputSymInts(1);
  }
  if (!target) {
    auto ts = ctx.input_shape(1);
    const bool rank_known = ts && ts->size() == 1 && (*ts)[0].is_known();
    ctx.SetOutput(0, dt, rank_known ? std::optional(UnknownDims((*ts)[0].value())) : std::nullopt);
    return Status::Ok();
  }
  const bool allowzero = ctx.AttrInt("allowzero", 0) != 0;
  SymShape out;
  int infer_at = -1;
  for (size_t i = 0; i < target->size(); ++i) {
    const Dim& t = (*target)[i];
    if (!t.is_known() || t.value() > 0 || (t.value() == 0 && allowzero)) {
      out.push_back(t);
    } else if (t.value() == -1) {
      if (infer_at >= 0) return ctx.Error("shape has more than one -1");
      infer_at = static_cast<int>(i);
      out.push_back(Dim(1));
    } else if (t.value() == 0) {
      if (in && i >= in->size()) {
        return ctx.Error("shape[" + std::to_string(i) + "] = 0 copies a dim the input lacks");
      }
      out.push_back(in ? (*in)[i] : Dim::Unknown());
    } else {
      return ctx.Error("shape has invalid value " + t.ToString());
    }
  }
  if (!in) {
    if (infer_at >= 0) out[infer_at] = Dim::Unknown();
    ctx.SetOutput(0, dt, out);
    return Status::Ok();
  }
  // Cancel the symbolic factors shared by input and output, then compare the rest.
  int64_t num_c = 1, den_c = 1;
  std::vector<Dim> num_sym, den_sym;
  Factorize(*in, &num_c, &num_sym);
  Factorize(out, &den_c, &den_sym);
  bool cancelled = true;
  for (const Dim& d : den_sym) {
    auto it = std::find(num_sym.begin(), num_sym.end(), d);
    if (it == num_sym.end()) {
      cancelled = false;
    } else {
      num_sym.erase(it);
    }
  }
  const std::string mismatch = "cannot reshape " + SymShapeToString(*in) + " to " +
                               SymShapeToString(out) + (infer_at >= 0 ? " (with -1)" : "");
  if (infer_at < 0) {
    if (cancelled && num_sym.empty() && num_c != den_c) return ctx.Error(mismatch);
  } else if (!cancelled || den_c == 0) {
    out[infer_at] = Dim::Unknown();
  } else if (num_sym.empty()) {
    if (num_c % den_c != 0) return ctx.Error(mismatch);
    out[infer_at] = Dim(num_c / den_c);
  } else {
    Dim rest(1);
    for (const Dim& d : num_sym) rest = rest * d;
    out[infer_at] =
        num_c % den_c == 0 ? rest * Dim(num_c / den_c) : FloorDiv(rest * Dim(num_c), Dim(den_c));
  }
  ctx.SetOutput(0, dt, out);
  ForwardSym(ctx);
  return Status::Ok();
}

Status Flatten(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  if (!in) {
    ctx.SetOutput(0, ctx.input_dtype(0), UnknownDims(2));
    return Status::Ok();
  }
  const int64_t r = static_cast<int64_t>(in->size());
  int64_t axis = ctx.AttrInt("axis", 1);
  if (axis < -r || axis > r) return ctx.Error("axis " + std::to_string(axis) + " out of range");
  if (axis < 0) axis += r;
  ctx.SetOutput(0, ctx.input_dtype(0),
                SymShape{DimProduct(*in, 0, axis), DimProduct(*in, axis, r)});
  ForwardSym(ctx);
  return Status::Ok();
}

std::optional<std::vector<int64_t>> AxesOf(const InferContext& ctx, int since_opset_input) {
  if (ctx.opset() >= since_opset_input) {
    if (!ctx.has_input(1)) return std::vector<int64_t>{};
    return ctx.InputInts(1);
  }
  auto a = ctx.AttrInts("axes");
  return a ? *a : std::vector<int64_t>{};
}

Status Squeeze(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  auto axes = AxesOf(ctx, 13);
  std::optional<SymShape> out;
  if (in && axes) {
    const int64_t r = static_cast<int64_t>(in->size());
    std::vector<bool> drop(r, false);
    if (axes->empty()) {
      for (int64_t i = 0; i < r; ++i) {
        if (!(*in)[i].is_known()) {  // could be 1 at run time: do not guess
          ctx.SetOutput(0, ctx.input_dtype(0), std::nullopt);
          return Status::Ok();
        }
        drop[i] = (*in)[i].value() == 1;
      }
    }
    for (int64_t a : *axes) {
      int64_t ax;
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(a, r, &ax));
      if ((*in)[ax].is_known() && (*in)[ax].value() != 1) {
        return ctx.Error("cannot squeeze axis " + std::to_string(a) + " of size " +
                         (*in)[ax].ToString());
      }
      drop[ax] = true;
    }
    out.emplace();
    for (int64_t i = 0; i < r; ++i) {
      if (!drop[i]) out->push_back((*in)[i]);
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  ForwardSym(ctx);
  return Status::Ok();
}

Status Unsqueeze(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  auto axes = AxesOf(ctx, 13);
  std::optional<SymShape> out;
  if (in && axes) {
    const int64_t r = static_cast<int64_t>(in->size() + axes->size());
    std::vector<bool> inserted(r, false);
    for (int64_t a : *axes) {
      int64_t ax;
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(a, r, &ax));
      if (inserted[ax]) return ctx.Error("axes contain " + std::to_string(a) + " twice");
      inserted[ax] = true;
    }
    out.emplace();
    size_t k = 0;
    for (int64_t i = 0; i < r; ++i) out->push_back(inserted[i] ? Dim(1) : (*in)[k++]);
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  ForwardSym(ctx);
  return Status::Ok();
}

Status Transpose(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<SymShape> out;
  if (in) {
    const size_t r = in->size();
    std::vector<int64_t> perm(r);
    for (size_t i = 0; i < r; ++i) perm[i] = static_cast<int64_t>(r - 1 - i);
    if (auto p = ctx.AttrInts("perm")) perm = *p;
    std::vector<bool> seen(r, false);
    if (perm.size() != r) return ctx.Error("perm has the wrong length");
    out.emplace();
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[p]) return ctx.Error("perm is invalid");
      seen[p] = true;
      out->push_back((*in)[p]);
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

Status Expand(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  auto shape = ctx.InputSymInts(1);
  std::optional<SymShape> out;
  if (in && shape) {
    auto b = BroadcastShapes(*in, SymShape(shape->begin(), shape->end()));
    if (!b.ok()) return ctx.Error(b.status().message());
    out = *b;
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  if (auto v = ctx.InputSymInts(0); v && v->size() == 1 && out) {
    const Dim n = DimProduct(*out);
    if (n.is_known() && n.value() <= kMaxSymValueElements) {
      ctx.SetOutputSymValue(0, std::vector<Dim>(n.value(), (*v)[0]));
    }
  }
  return Status::Ok();
}

Status Tile(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  auto reps = ctx.InputSymInts(1);
  std::optional<SymShape> out;
  if (in && reps) {
    if (reps->size() != in->size()) return ctx.Error("repeats length differs from input rank");
    out.emplace();
    for (size_t i = 0; i < in->size(); ++i) out->push_back((*in)[i] * (*reps)[i]);
  } else if (in) {
    out = UnknownDims(in->size());
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

Status ConstantOfShape(InferContext& ctx) {
  DType dt = DType::kFloat32;
  std::optional<int64_t> fill = 0;
  if (const Attribute* a = ctx.attr("value"); a && a->kind == Attribute::Kind::kTensor) {
    dt = a->t.dtype();
    fill = IsFloatingPoint(dt) ? std::nullopt : std::optional(a->t.GetAsInt64(0));
  }
  auto shape = ctx.InputSymInts(0);
  if (!shape) {
    auto s = ctx.input_shape(0);
    const bool rank_known = s && s->size() == 1 && (*s)[0].is_known();
    ctx.SetOutput(0, dt, rank_known ? std::optional(UnknownDims((*s)[0].value())) : std::nullopt);
    return Status::Ok();
  }
  SymShape out(shape->begin(), shape->end());
  ctx.SetOutput(0, dt, out);
  const Dim n = DimProduct(out);
  if (fill && n.is_known() && n.value() <= kMaxSymValueElements) {
    ctx.SetOutputSymValue(0, std::vector<Dim>(n.value(), Dim(*fill)));
  }
  return Status::Ok();
}

Status Range(InferContext& ctx) {
  const DType dt = ctx.input_dtype(0);
  auto fs = ctx.InputFloats(0), fl = ctx.InputFloats(1), fd = ctx.InputFloats(2);
  if (fs && fl && fd && fs->size() == 1 && fl->size() == 1 && fd->size() == 1) {
    if ((*fd)[0] == 0) return ctx.Error("delta is 0");
    const int64_t n =
        std::max<int64_t>(0, static_cast<int64_t>(std::ceil(((*fl)[0] - (*fs)[0]) / (*fd)[0])));
    ctx.SetOutput(0, dt, SymShape{Dim(n)});
    if (n <= kMaxSymValueElements && !IsFloatingPoint(dt)) {
      std::vector<Dim> v;
      for (int64_t i = 0; i < n; ++i)
        v.push_back(Dim(static_cast<int64_t>((*fs)[0]) + i * static_cast<int64_t>((*fd)[0])));
      ctx.SetOutputSymValue(0, std::move(v));
    }
    return Status::Ok();
  }
  auto s = ctx.InputSymInts(0), l = ctx.InputSymInts(1);
  auto d = ctx.InputInts(2);
  Dim n = Dim::Unknown();
  if (s && l && d && s->size() == 1 && l->size() == 1 && d->size() == 1 && (*d)[0] != 0) {
    const Dim start = (*s)[0], limit = (*l)[0];
    const int64_t delta = (*d)[0];
    const Dim span = delta > 0 ? limit - start : start - limit;
    const Dim steps = CeilDiv(span, Dim(delta > 0 ? delta : -delta));
    n = start.is_known() && start.value() == 0 && delta > 0 ? steps : Max(steps, Dim(0));
  }
  ctx.SetOutput(0, dt, SymShape{n});
  return Status::Ok();
}

Status EyeLike(InferContext& ctx) {
  const int64_t to = ctx.AttrInt("dtype", 0);
  ctx.SetOutput(0, to ? static_cast<DType>(to) : ctx.input_dtype(0), ctx.input_shape(0));
  return Status::Ok();
}

}  // namespace

void RegisterShapeOpsInfer(InferTable& t) {
  t.emplace_back(":Shape", ShapeOp);
  t.emplace_back(":Size", Size);
  t.emplace_back(":Reshape", Reshape);
  t.emplace_back(":Flatten", Flatten);
  t.emplace_back(":Squeeze", Squeeze);
  t.emplace_back(":Unsqueeze", Unsqueeze);
  t.emplace_back(":Transpose", Transpose);
  t.emplace_back(":Expand", Expand);
  t.emplace_back(":Tile", Tile);
  t.emplace_back(":ConstantOfShape", ConstantOfShape);
  t.emplace_back(":Range", Range);
  t.emplace_back(":EyeLike", EyeLike);
}

}  // namespace trt::graph
