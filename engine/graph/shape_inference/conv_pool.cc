// Shape inference for the convolution and pooling family: Conv, ConvTranspose, Max/Average/
// LpPool and the global pools. Spatial output sizes are FloorDiv/CeilDiv expressions of the
// input dims, honouring pads, strides, dilations, auto_pad and ceil_mode.
#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

// Reads an ints attribute of length n (default filled with `def`); error on wrong length.
StatusOr<std::vector<int64_t>> IntsAttr(const InferContext& ctx, const char* name, size_t n,
                                        int64_t def) {
  auto v = ctx.AttrInts(name);
  if (!v) return std::vector<int64_t>(n, def);
  if (v->size() != n) {
    return ctx.Error(std::string("attribute '") + name + "' has " + std::to_string(v->size()) +
                     " values, expected " + std::to_string(n));
  }
  return *v;
}

// Spatial output dims for a sliding window over x[2:], windows of size `kernel`.
StatusOr<SymShape> SpatialDims(const InferContext& ctx, const SymShape& x, const SymShape& kernel,
                               bool ceil_mode) {
  const size_t n = x.size() - 2;
  if (kernel.size() != n) {
    return ctx.Error("kernel has " + std::to_string(kernel.size()) + " spatial dims, input has " +
                     std::to_string(n));
  }
  TRT_ASSIGN_OR_RETURN(auto strides, IntsAttr(ctx, "strides", n, 1));
  TRT_ASSIGN_OR_RETURN(auto dilations, IntsAttr(ctx, "dilations", n, 1));
  TRT_ASSIGN_OR_RETURN(auto pads, IntsAttr(ctx, "pads", 2 * n, 0));
  const std::string auto_pad = ctx.AttrString("auto_pad", "NOTSET");
  SymShape out;
  for (size_t i = 0; i < n; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0) return ctx.Error("strides and dilations must be > 0");
    const Dim& d = x[i + 2];
    const Dim eff = Dim(dilations[i]) * (kernel[i] - Dim(1)) + Dim(1);
    Dim o;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      o = CeilDiv(d, Dim(strides[i]));
    } else if (auto_pad == "VALID") {
      o = FloorDiv(d + (Dim(0) - eff), Dim(strides[i])) + Dim(1);
    } else {
      const Dim num = d + (Dim(pads[i] + pads[i + n]) - eff);
      o = (ceil_mode ? CeilDiv(num, Dim(strides[i])) : FloorDiv(num, Dim(strides[i]))) + Dim(1);
      // The last window must start inside the (left-padded) input.
      if (ceil_mode && o.is_known() && d.is_known() &&
          (o.value() - 1) * strides[i] >= d.value() + pads[i]) {
        o = Dim(o.value() - 1);
      }
    }
    if (o.is_known() && o.value() <= 0) {
      return ctx.Error("spatial dim " + std::to_string(i) + " of size " + d.ToString() +
                       " is smaller than the window " + eff.ToString() + " (output would be " +
                       o.ToString() + ")");
    }
    out.push_back(o);
  }
  return out;
}

Status Conv(InferContext& ctx) {
  auto x = ctx.input_shape(0), w = ctx.input_shape(1);
  if (!x || !w) {
    ctx.SetOutput(0, ctx.input_dtype(0), x ? std::optional(UnknownDims(x->size())) : std::nullopt);
    return Status::Ok();
  }
  TRT_ASSIGN_OR_RETURN(SymShape y, ConvShape(ctx, *x, *w));
  if (auto b = ctx.input_shape(2);
      b && b->size() == 1 && b->at(0).is_known() && y[1].is_known() && b->at(0) != y[1]) {
    return ctx.Error("bias has " + b->at(0).ToString() + " elements, output has " +
                     y[1].ToString() + " channels");
  }
  ctx.SetOutput(0, ctx.input_dtype(0), y);
  return Status::Ok();
}

Status ConvTranspose(InferContext& ctx) {
  auto x = ctx.input_shape(0), w = ctx.input_shape(1);
  if (!x || !w || x->size() < 3 || w->size() != x->size()) {
    ctx.SetOutput(0, ctx.input_dtype(0), x ? std::optional(UnknownDims(x->size())) : std::nullopt);
    return Status::Ok();
  }
  const size_t n = x->size() - 2;
  const int64_t group = ctx.AttrInt("group", 1);
  if ((*x)[1].is_known() && (*w)[0].is_known() && (*x)[1] != (*w)[0]) {
    return ctx.Error("X has " + (*x)[1].ToString() + " channels but W expects " +
                     (*w)[0].ToString());
  }
  SymShape y{(*x)[0], (*w)[1] * Dim(group)};
  if (auto os = ctx.AttrInts("output_shape"); os && os->size() >= n) {
    for (size_t i = os->size() - n; i < os->size(); ++i) y.push_back(Dim((*os)[i]));
    ctx.SetOutput(0, ctx.input_dtype(0), y);
    return Status::Ok();
  }
  SymShape kernel(w->begin() + 2, w->end());
  if (auto ks = ctx.AttrInts("kernel_shape"); ks && ks->size() == n) {
    kernel.assign(ks->begin(), ks->end());
  }
  TRT_ASSIGN_OR_RETURN(auto strides, IntsAttr(ctx, "strides", n, 1));
  TRT_ASSIGN_OR_RETURN(auto dilations, IntsAttr(ctx, "dilations", n, 1));
  TRT_ASSIGN_OR_RETURN(auto pads, IntsAttr(ctx, "pads", 2 * n, 0));
  TRT_ASSIGN_OR_RETURN(auto out_pad, IntsAttr(ctx, "output_padding", n, 0));
  const std::string auto_pad = ctx.AttrString("auto_pad", "NOTSET");
  for (size_t i = 0; i < n; ++i) {
    const Dim& d = (*x)[i + 2];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      y.push_back(d * Dim(strides[i]));
      continue;
    }
    const Dim eff = Dim(dilations[i]) * (kernel[i] - Dim(1)) + Dim(1);
    const Dim c =
        eff + Dim(out_pad[i] - strides[i] - (auto_pad == "VALID" ? 0 : pads[i] + pads[i + n]));
    y.push_back(d * Dim(strides[i]) + c);
  }
  ctx.SetOutput(0, ctx.input_dtype(0), y);
  return Status::Ok();
}

Status Pool(InferContext& ctx) {
  auto x = ctx.input_shape(0);
  auto ks = ctx.AttrInts("kernel_shape");
  std::optional<SymShape> y;
  if (x && x->size() >= 3) {
    if (!ks) return ctx.Error("pooling requires the 'kernel_shape' attribute");
    TRT_ASSIGN_OR_RETURN(SymShape sp, SpatialDims(ctx, *x, SymShape(ks->begin(), ks->end()),
                                                  ctx.AttrInt("ceil_mode", 0) != 0));
    y = SymShape{(*x)[0], (*x)[1]};
    y->insert(y->end(), sp.begin(), sp.end());
  } else if (x) {
    return ctx.Error("pooling input must have rank >= 3");
  }
  ctx.SetOutput(0, ctx.input_dtype(0), y);
  ctx.SetOutput(1, DType::kInt64, y);
  return Status::Ok();
}

Status GlobalPool(InferContext& ctx) {
  auto x = ctx.input_shape(0);
  if (x && x->size() >= 2) {
    for (size_t i = 2; i < x->size(); ++i) (*x)[i] = Dim(1);
  }
  ctx.SetOutput(0, ctx.input_dtype(0), x);
  return Status::Ok();
}

}  // namespace

StatusOr<SymShape> ConvShape(const InferContext& ctx, const SymShape& x, const SymShape& w) {
  if (x.size() < 3) return ctx.Error("X must have rank >= 3 (N, C, spatial...)");
  if (w.size() != x.size()) return ctx.Error("W and X must have the same rank");
  const int64_t group = ctx.AttrInt("group", 1);
  if (group <= 0) return ctx.Error("group must be > 0");
  if (x[1].is_known() && w[1].is_known() && x[1].value() != w[1].value() * group) {
    return ctx.Error("channel mismatch: X has " + x[1].ToString() + " channels but W expects " +
                     w[1].ToString() + " x group " + std::to_string(group));
  }
  if (w[0].is_known() && w[0].value() % group != 0) {
    return ctx.Error("W has " + w[0].ToString() + " output channels, not divisible by group " +
                     std::to_string(group));
  }
  SymShape kernel(w.begin() + 2, w.end());
  if (auto ks = ctx.AttrInts("kernel_shape"); ks && ks->size() == kernel.size()) {
    for (size_t i = 0; i < ks->size(); ++i) {
      if (kernel[i].is_known() && kernel[i].value() != (*ks)[i]) {
        return ctx.Error("kernel_shape does not match W's spatial dims");
      }
      kernel[i] = Dim((*ks)[i]);
    }
  }
  TRT_ASSIGN_OR_RETURN(SymShape sp, SpatialDims(ctx, x, kernel, false));
  SymShape y{x[0], w[0]};
  y.insert(y.end(), sp.begin(), sp.end());
  return y;
}

void RegisterConvPoolInfer(InferTable& t) {
  t.emplace_back(":Conv", Conv);
  t.emplace_back(":ConvTranspose", ConvTranspose);
  for (const char* op : {"MaxPool", "AveragePool", "LpPool"}) {
    t.emplace_back(std::string(":") + op, Pool);
  }
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) {
    t.emplace_back(std::string(":") + op, GlobalPool);
  }
}

}  // namespace trt::graph
