// Shape inference for reductions and indexing: Reduce*, ArgMax/ArgMin, TopK, Gather (also
// on sym_value), GatherElements, GatherND, Scatter*, OneHot and the data-dependent ops
// (NonZero, Unique, NonMaxSuppression, Compress) whose sizes stay unknown.
#include <algorithm>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status Reduce(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  const DType dt = ctx.input_dtype(0);
  const bool keepdims = ctx.AttrInt("keepdims", 1) != 0;
  const bool axes_as_input =
      ctx.opset() >= 18 || (ctx.node().op_type == "ReduceSum" && ctx.opset() >= 13);
  std::optional<std::vector<int64_t>> axes;
  bool axes_known = true;
  if (axes_as_input) {
    if (ctx.has_input(1)) {
      axes = ctx.InputInts(1);
      axes_known = axes.has_value();
    }
  } else {
    axes = ctx.AttrInts("axes");
  }
  if (!in) {
    ctx.SetOutput(0, dt, std::nullopt);
    return Status::Ok();
  }
  const int64_t r = static_cast<int64_t>(in->size());
  if (!axes_known) {
    ctx.SetOutput(0, dt, keepdims ? std::optional(UnknownDims(r)) : std::nullopt);
    return Status::Ok();
  }
  std::vector<bool> reduce(r, false);
  if (!axes || axes->empty()) {
    const bool noop = ctx.AttrInt("noop_with_empty_axes", 0) != 0;
    std::fill(reduce.begin(), reduce.end(), !noop);
  } else {
    for (int64_t a : *axes) {
      int64_t ax;
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(a, r, &ax));
      reduce[ax] = true;
    }
  }
  SymShape out;
  for (int64_t i = 0; i < r; ++i) {
    if (!reduce[i]) {
      out.push_back((*in)[i]);
    } else if (keepdims) {
      out.push_back(Dim(1));
    }
  }
  ctx.SetOutput(0, dt, out);
  return Status::Ok();
}

Status ArgMaxMin(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<SymShape> out;
  if (in) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", 0), in->size(), &ax));
    out = *in;
    if (ctx.AttrInt("keepdims", 1) != 0) {
      (*out)[ax] = Dim(1);
    } else {
      out->erase(out->begin() + ax);
    }
  }
  ctx.SetOutput(0, DType::kInt64, out);
  return Status::Ok();
}

Status TopK(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<SymShape> out;
  if (in) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", -1), in->size(), &ax));
    Dim k = Dim::Unknown();
    if (ctx.opset() < 10) {
      k = Dim(ctx.AttrInt("k", 0));
    } else if (auto kv = ctx.InputSymInts(1); kv && kv->size() == 1) {
      k = (*kv)[0];
    }
    const Dim& d = (*in)[ax];
    if (k.is_known() && d.is_known() && k.value() > d.value()) {
      return ctx.Error("k = " + k.ToString() + " exceeds the axis size " + d.ToString());
    }
    out = *in;
    (*out)[ax] = k;
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  ctx.SetOutput(1, DType::kInt64, out);
  return Status::Ok();
}

Status Gather(InferContext& ctx) {
  auto data = ctx.input_shape(0), idx = ctx.input_shape(1);
  std::optional<SymShape> out;
  int64_t ax = 0;
  if (data) {
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", 0), data->size(), &ax));
    if (idx) {
      out = SymShape(data->begin(), data->begin() + ax);
      out->insert(out->end(), idx->begin(), idx->end());
      out->insert(out->end(), data->begin() + ax + 1, data->end());
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  // Gather on symbolic contents: Shape(x) -> Gather(i) gives x's dim i.
  auto sym = ctx.InputSymInts(0);
  auto indices = ctx.InputInts(1);
  if (!sym || !indices || !data || data->size() != 1) return Status::Ok();
  const int64_t n = static_cast<int64_t>(sym->size());
  std::vector<Dim> v;
  for (int64_t i : *indices) {
    if (i < -n || i >= n) {
      return ctx.Error("index " + std::to_string(i) + " is out of range for size " +
                       std::to_string(n));
    }
    v.push_back((*sym)[i < 0 ? i + n : i]);
  }
  ctx.SetOutputSymValue(0, std::move(v));
  return Status::Ok();
}

Status GatherElements(InferContext& ctx) {
  auto data = ctx.input_shape(0), idx = ctx.input_shape(1);
  if (data && idx && data->size() != idx->size()) {
    return ctx.Error("data and indices must have the same rank");
  }
  ctx.SetOutput(0, ctx.input_dtype(0), idx);
  return Status::Ok();
}

Status GatherND(InferContext& ctx) {
  auto data = ctx.input_shape(0), idx = ctx.input_shape(1);
  const int64_t b = ctx.AttrInt("batch_dims", 0);
  std::optional<SymShape> out;
  if (data && idx && !idx->empty() && idx->back().is_known()) {
    const int64_t last = idx->back().value();
    if (b + last > static_cast<int64_t>(data->size())) {
      return ctx.Error("indices' last dim " + std::to_string(last) + " + batch_dims exceeds " +
                       "the data rank");
    }
    out = SymShape(idx->begin(), idx->end() - 1);
    out->insert(out->end(), data->begin() + b + last, data->end());
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

Status OneHot(InferContext& ctx) {
  auto idx = ctx.input_shape(0);
  std::optional<SymShape> out;
  if (idx) {
    Dim depth = Dim::Unknown();
    if (auto f = ctx.InputFloats(1); f && f->size() == 1) {
      depth = Dim(static_cast<int64_t>((*f)[0]));
    } else if (auto s = ctx.InputSymInts(1); s && s->size() == 1) {
      depth = (*s)[0];
    }
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", -1), idx->size() + 1, &ax));
    out = *idx;
    out->insert(out->begin() + ax, depth);
  }
  ctx.SetOutput(0, ctx.input_dtype(2), out);
  return Status::Ok();
}

Status NonZero(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  ctx.SetOutput(
      0, DType::kInt64,
      SymShape{in ? Dim(static_cast<int64_t>(in->size())) : Dim::Unknown(), Dim::Unknown()});
  return Status::Ok();
}

Status Unique(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  const Dim u = Dim::Unknown();
  Dim total = Dim::Unknown();
  std::optional<SymShape> y;
  if (const Attribute* axis = ctx.attr("axis"); !axis) {
    y = SymShape{u};
    if (in) total = DimProduct(*in);
  } else if (in) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(axis->i, in->size(), &ax));
    y = *in;
    total = (*in)[ax];
    (*y)[ax] = u;
  }
  ctx.SetOutput(0, ctx.input_dtype(0), y);
  ctx.SetOutput(1, DType::kInt64, SymShape{u});
  ctx.SetOutput(2, DType::kInt64, SymShape{total});
  ctx.SetOutput(3, DType::kInt64, SymShape{u});
  return Status::Ok();
}

Status NonMaxSuppression(InferContext& ctx) {
  ctx.SetOutput(0, DType::kInt64, SymShape{Dim::Unknown(), Dim(3)});
  return Status::Ok();
}

Status Compress(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<SymShape> out;
  if (const Attribute* axis = ctx.attr("axis"); axis && in) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(axis->i, in->size(), &ax));
    out = *in;
    (*out)[ax] = Dim::Unknown();
  } else if (!ctx.attr("axis")) {
    out = SymShape{Dim::Unknown()};
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

}  // namespace

void RegisterReduceIndexInfer(InferTable& t) {
  for (const char* op :
       {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}) {
    t.emplace_back(std::string(":") + op, Reduce);
  }
  t.emplace_back(":ArgMax", ArgMaxMin);
  t.emplace_back(":ArgMin", ArgMaxMin);
  t.emplace_back(":TopK", TopK);
  t.emplace_back(":Gather", Gather);
  t.emplace_back(":GatherElements", GatherElements);
  t.emplace_back(":GatherND", GatherND);
  for (const char* op : {"ScatterND", "ScatterElements", "Scatter"}) {
    t.emplace_back(std::string(":") + op, [](InferContext& ctx) {
      ctx.PassThrough(0, 0);
      return Status::Ok();
    });
  }
  t.emplace_back(":OneHot", OneHot);
  t.emplace_back(":NonZero", NonZero);
  t.emplace_back(":Unique", Unique);
  t.emplace_back(":NonMaxSuppression", NonMaxSuppression);
  t.emplace_back(":Compress", Compress);
}

}  // namespace trt::graph
