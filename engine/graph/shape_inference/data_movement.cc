// Shape inference for ops that move data between shapes: Concat, Split, Slice, Pad,
// Resize/Upsample, DepthToSpace/SpaceToDepth. Slice and Concat also operate on sym_value
// (e.g. Shape -> Slice -> Concat chains).
#include <algorithm>
#include <cmath>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

// Slice bounds at or beyond this mean "to the end" (exporters use INT64_MAX or INT32_MAX).
constexpr int64_t kSliceToEnd = int64_t{1} << 30;

Status Concat(InferContext& ctx) {
  std::optional<SymShape> out;
  int64_t axis = ctx.AttrInt("axis", 0), ax = 0;
  bool unknown_rank = false;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    auto s = ctx.input_shape(i);
    if (!ctx.has_input(i)) continue;
    if (!s) {
      unknown_rank = true;
      continue;
    }
    if (!out) {
      TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(axis, s->size(), &ax));
      out = *s;
      continue;
    }
    if (s->size() != out->size()) return ctx.Error("inputs have different ranks");
    for (size_t d = 0; d < s->size(); ++d) {
      Dim& o = (*out)[d];
      const Dim& x = (*s)[d];
      if (static_cast<int64_t>(d) == ax) {
        o = o + x;
      } else if (o.is_known() && x.is_known() && o != x) {
        return ctx.Error("non-axis dim " + std::to_string(d) + " differs: " + o.ToString() +
                         " vs " + x.ToString());
      } else if (!o.is_known() && (x.is_known() || o.HasUnknown())) {
        o = x;  // all inputs agree at run time: keep the most informative dim
      }
    }
  }
  if (unknown_rank && out) (*out)[ax] = Dim::Unknown();
  DType dt = DType::kUndefined;
  for (int i = 0; i < ctx.num_inputs() && dt == DType::kUndefined; ++i) dt = ctx.input_dtype(i);
  ctx.SetOutput(0, dt, out);
  std::vector<Dim> sym;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    auto v = ctx.InputSymInts(i);
    if (!v) return Status::Ok();
    sym.insert(sym.end(), v->begin(), v->end());
  }
  ctx.SetOutputSymValue(0, std::move(sym));
  return Status::Ok();
}

Status Split(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  const DType dt = ctx.input_dtype(0);
  const int n = ctx.num_outputs();
  if (!in) {
    for (int i = 0; i < n; ++i) ctx.SetOutput(i, dt, std::nullopt);
    return Status::Ok();
  }
  int64_t ax;
  TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", 0), in->size(), &ax));
  const Dim d = (*in)[ax];
  std::optional<std::vector<Dim>> sizes;
  if (ctx.opset() >= 13 && ctx.has_input(1)) {
    sizes = ctx.InputSymInts(1);
  } else if (auto a = ctx.AttrInts("split"); a && ctx.opset() < 13) {
    sizes = std::vector<Dim>(a->begin(), a->end());
  } else if (ctx.attr("num_outputs") || ctx.opset() >= 18) {
    const Dim chunk = CeilDiv(d, Dim(n));
    sizes = std::vector<Dim>(n, chunk);
    sizes->back() = d - chunk * Dim(n - 1);
  } else {
    if (d.is_known() && d.value() % n != 0) {
      return ctx.Error("dim " + d.ToString() + " does not split evenly into " + std::to_string(n) +
                       " outputs");
    }
    sizes = std::vector<Dim>(n, FloorDiv(d, Dim(n)));
  }
  if (sizes && static_cast<int>(sizes->size()) != n) {
    return ctx.Error("split has " + std::to_string(sizes->size()) + " sizes for " +
                     std::to_string(n) + " outputs");
  }
  if (sizes && d.is_known()) {
    Dim total(0);
    for (const Dim& s : *sizes) total = total + s;
    if (total.is_known() && total != d) {
      return ctx.Error("split sizes sum to " + total.ToString() + ", dim is " + d.ToString());
    }
  }
  for (int i = 0; i < n; ++i) {
    SymShape s = *in;
    s[ax] = sizes ? (*sizes)[i] : Dim::Unknown();
    ctx.SetOutput(i, dt, s);
  }
  return Status::Ok();
}

// Length of x[s:e:step] along a dim of size d (ONNX clamping rules).
Dim SliceDim(const Dim& d, const Dim& s, const Dim& e, int64_t step) {
  if (d.is_known() && s.is_known() && e.is_known()) {
    const int64_t n = d.value();
    int64_t a = s.value() < 0 ? s.value() + n : s.value();
    int64_t b = e.value() < 0 ? e.value() + n : e.value();
    if (step > 0) {
      a = std::clamp<int64_t>(a, 0, n);
      b = std::clamp<int64_t>(b, 0, n);
      return Dim(std::max<int64_t>(0, (b - a + step - 1) / step));
    }
    a = std::clamp<int64_t>(a, 0, n - 1);
    b = std::clamp<int64_t>(b, -1, n - 1);
    return Dim(std::max<int64_t>(0, (a - b + (-step) - 1) / (-step)));
  }
  const bool to_end = e.is_known() && e.value() >= kSliceToEnd;
  const bool from_zero = s.is_known() && s.value() == 0;
  if (step > 1 && from_zero && to_end) return CeilDiv(d, Dim(step));
  if (step != 1) return Dim::Unknown();
  if (s.is_known() && s.value() < 0) {
    return to_end ? Min(Dim(-s.value()), d) : Dim::Unknown();
  }
  if (e.is_known() && e.value() < 0) return Max(d + Dim(e.value()) - s, Dim(0));
  const Dim end = to_end ? d : Min(e, d);
  return from_zero ? end : Max(end - s, Dim(0));
}

Status Slice(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<std::vector<Dim>> starts, ends;
  std::optional<std::vector<int64_t>> axes, steps;
  if (ctx.opset() < 10) {
    if (auto a = ctx.AttrInts("starts")) starts = std::vector<Dim>(a->begin(), a->end());
    if (auto a = ctx.AttrInts("ends")) ends = std::vector<Dim>(a->begin(), a->end());
    axes = ctx.AttrInts("axes");
  } else {
    starts = ctx.InputSymInts(1);
    ends = ctx.InputSymInts(2);
    if (ctx.has_input(3)) axes = ctx.InputInts(3);
    if (ctx.has_input(4)) steps = ctx.InputInts(4);
  }
  if (!in) {
    ctx.SetOutput(0, ctx.input_dtype(0), std::nullopt);
    return Status::Ok();
  }
  const bool axes_given = ctx.opset() < 10 ? ctx.attr("axes") != nullptr : ctx.has_input(3);
  const bool steps_given = ctx.opset() >= 10 && ctx.has_input(4);
  const size_t k = starts ? starts->size() : ends ? ends->size() : 0;
  if (!axes && !axes_given) {
    axes.emplace(k);
    for (size_t i = 0; i < k; ++i) (*axes)[i] = static_cast<int64_t>(i);
  }
  if (!steps && !steps_given) steps = std::vector<int64_t>(k, 1);
  if (!axes || !steps || !starts || !ends) {
    SymShape out = *in;
    for (size_t i = 0; i < out.size(); ++i) {
      const bool sliced = !axes || std::count(axes->begin(), axes->end(), int64_t(i)) ||
                          std::count(axes->begin(), axes->end(), int64_t(i) - int64_t(out.size()));
      if (sliced) out[i] = Dim::Unknown();
    }
    ctx.SetOutput(0, ctx.input_dtype(0), out);
    return Status::Ok();
  }
  if (starts->size() != axes->size() || ends->size() != axes->size() ||
      steps->size() != axes->size()) {
    return ctx.Error("starts, ends, axes and steps must have the same length");
  }
  SymShape out = *in;
  std::vector<int64_t> norm_axes;
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis((*axes)[i], in->size(), &ax));
    if ((*steps)[i] == 0) return ctx.Error("slice step is 0");
    out[ax] = SliceDim((*in)[ax], (*starts)[i], (*ends)[i], (*steps)[i]);
    norm_axes.push_back(ax);
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  // Slicing symbolic contents of a 1-D tensor (e.g. Shape -> Slice).
  auto sym = ctx.InputSymInts(0);
  if (!sym || in->size() != 1 || norm_axes.size() != 1) return Status::Ok();
  const Dim len =
      SliceDim(Dim(static_cast<int64_t>(sym->size())), (*starts)[0], (*ends)[0], (*steps)[0]);
  if (!len.is_known() || !(*starts)[0].is_known()) return Status::Ok();
  const int64_t n = static_cast<int64_t>(sym->size()), step = (*steps)[0];
  int64_t a = (*starts)[0].value();
  if (a < 0) a += n;
  a = step > 0 ? std::clamp<int64_t>(a, 0, n) : std::clamp<int64_t>(a, 0, n - 1);
  std::vector<Dim> v;
  for (int64_t i = 0; i < len.value(); ++i) v.push_back((*sym)[a + i * step]);
  ctx.SetOutputSymValue(0, std::move(v));
  return Status::Ok();
}

Status Pad(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  std::optional<std::vector<Dim>> pads;
  if (ctx.opset() < 11) {
    if (auto a = ctx.AttrInts("pads")) pads = std::vector<Dim>(a->begin(), a->end());
  } else {
    pads = ctx.InputSymInts(1);
  }
  std::optional<SymShape> out;
  if (in) {
    const size_t r = in->size();
    std::vector<int64_t> axes(r);
    for (size_t i = 0; i < r; ++i) axes[i] = static_cast<int64_t>(i);
    if (ctx.opset() >= 18 && ctx.has_input(3)) {
      auto a = ctx.InputInts(3);
      if (!a)
        pads.reset();
      else
        axes = *a;
    }
    if (!pads) {
      out = UnknownDims(r);
    } else {
      if (pads->size() != 2 * axes.size()) return ctx.Error("pads has the wrong length");
      out = *in;
      for (size_t i = 0; i < axes.size(); ++i) {
        int64_t ax;
        TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(axes[i], r, &ax));
        (*out)[ax] = (*in)[ax] + (*pads)[i] + (*pads)[i + axes.size()];
      }
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

// Resize (opset 10: X, scales; 11+: X, roi, scales, sizes) and Upsample.
Status Resize(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  const DType dt = ctx.input_dtype(0);
  if (!in) {
    ctx.SetOutput(0, dt, std::nullopt);
    return Status::Ok();
  }
  const bool upsample = ctx.node().op_type == "Upsample";
  const int scales_at = (upsample || ctx.opset() < 11) ? 1 : 2;
  std::optional<std::vector<double>> scales;
  if (upsample && ctx.opset() < 9) {
    if (const Attribute* a = ctx.attr("scales")) {
      scales = std::vector<double>(a->floats.begin(), a->floats.end());
    }
  } else {
    scales = ctx.InputFloats(scales_at);
  }
  std::optional<std::vector<Dim>> sizes;
  if (!upsample && ctx.opset() >= 11 && ctx.has_input(3)) sizes = ctx.InputSymInts(3);
  std::vector<int64_t> axes(in->size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  if (auto a = ctx.AttrInts("axes")) axes = *a;
  const bool stretch = ctx.AttrString("keep_aspect_ratio_policy", "stretch") == "stretch";
  SymShape out = *in;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(axes[i], in->size(), &ax));
    const Dim& d = (*in)[ax];
    if (sizes && sizes->size() == axes.size() && stretch) {
      out[ax] = (*sizes)[i];
    } else if (scales && scales->size() == axes.size() && !(sizes && !sizes->empty())) {
      const double s = (*scales)[i];
      if (d.is_known()) {
        out[ax] = Dim(static_cast<int64_t>(std::floor(static_cast<double>(d.value()) * s)));
      } else if (s >= 1 && s == std::floor(s)) {
        out[ax] = d * Dim(static_cast<int64_t>(s));
      } else {
        out[ax] = Dim::Unknown();
      }
    } else {
      out[ax] = Dim::Unknown();
    }
  }
  ctx.SetOutput(0, dt, out);
  return Status::Ok();
}

Status DepthSpace(InferContext& ctx) {
  auto in = ctx.input_shape(0);
  const int64_t b = ctx.AttrInt("blocksize", 0);
  if (b <= 0) return ctx.Error("blocksize must be > 0");
  std::optional<SymShape> out;
  if (in) {
    if (in->size() != 4) return ctx.Error("input must be 4-D");
    const Dim c = (*in)[1];
    if (ctx.node().op_type == "DepthToSpace") {
      if (c.is_known() && c.value() % (b * b) != 0) {
        return ctx.Error("channels " + c.ToString() + " not divisible by blocksize^2");
      }
      out = SymShape{(*in)[0], FloorDiv(c, Dim(b * b)), (*in)[2] * Dim(b), (*in)[3] * Dim(b)};
    } else {
      out = SymShape{(*in)[0], c * Dim(b * b), FloorDiv((*in)[2], Dim(b)),
                     FloorDiv((*in)[3], Dim(b))};
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

}  // namespace

void RegisterDataMovementInfer(InferTable& t) {
  t.emplace_back(":Concat", Concat);
  t.emplace_back(":Split", Split);
  t.emplace_back(":Slice", Slice);
  t.emplace_back(":Pad", Pad);
  t.emplace_back(":Resize", Resize);
  t.emplace_back(":Upsample", Resize);
  t.emplace_back(":DepthToSpace", DepthSpace);
  t.emplace_back(":SpaceToDepth", DepthSpace);
}

}  // namespace trt::graph
