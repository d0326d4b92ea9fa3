// Window attribute parsing and output-shape/padding resolution shared by Conv, ConvInteger,
// QLinearConv, ConvTranspose and pooling (see conv_common.h).

#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels::nn {

std::string DimsToString(std::span<const int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

Status ParseWindowAttrs(const KernelInfo& info, bool require_kernel_shape, WindowAttrs* out) {
  out->kernel_shape = info.GetInts("kernel_shape");
  out->strides = info.GetInts("strides");
  out->pads = info.GetInts("pads");
  out->dilations = info.GetInts("dilations");
  out->ceil_mode = info.GetInt("ceil_mode", 0) != 0;
  const std::string auto_pad = info.GetString("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    out->auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    out->auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    out->auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    out->auto_pad = AutoPad::kValid;
  } else {
    return info.Invalid("attribute auto_pad is '" + auto_pad +
                        "', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  if (require_kernel_shape && out->kernel_shape.empty()) {
    return info.Invalid("attribute kernel_shape is required");
  }
  for (int64_t k : out->kernel_shape) {
    if (k <= 0)
      return info.Invalid("attribute kernel_shape " + DimsToString(out->kernel_shape) +
                          " has a non-positive dim");
  }
  for (int64_t s : out->strides) {
    if (s <= 0)
      return info.Invalid("attribute strides " + DimsToString(out->strides) +
                          " has a non-positive value");
  }
  for (int64_t d : out->dilations) {
    if (d <= 0)
      return info.Invalid("attribute dilations " + DimsToString(out->dilations) +
                          " has a non-positive value");
  }
  for (int64_t p : out->pads) {
    if (p < 0)
      return info.Invalid("attribute pads " + DimsToString(out->pads) + " has a negative value");
  }
  if (out->pads.size() % 2 != 0) {
    return info.Invalid("attribute pads has " + std::to_string(out->pads.size()) +
                        " values, expected twice the number of spatial dims");
  }
  return Status::Ok();
}

namespace {

Status CheckAttrLength(const char* name, const std::vector<int64_t>& v, size_t expected) {
  if (!v.empty() && v.size() != expected) {
    return InvalidArgument("attribute " + std::string(name) + " " + DimsToString(v) + " has " +
                           std::to_string(v.size()) + " values, expected " +
                           std::to_string(expected) + " (one per spatial dim)");
  }
  return Status::Ok();
}

int64_t DivFloorOrCeil(int64_t a, int64_t b, bool ceil) {
  // a may be negative (window larger than the padded input).
  int64_t q = a / b;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) --q;  // floor
  if (ceil && r != 0) ++q;
  return q;
}

}  // namespace

StatusOr<WindowGeometry> ResolveWindow(const WindowAttrs& attrs, std::span<const int64_t> in,
                                       std::span<const int64_t> kernel) {
  const size_t rank = in.size();
  if (rank < 1 || rank > kMaxSpatialRank) {
    return Unimplemented("spatial rank " + std::to_string(rank) +
                         " is not supported (1 to 3 spatial dims)");
  }
  if (kernel.size() != rank) {
    return InvalidArgument("kernel has " + std::to_string(kernel.size()) +
                           " spatial dims, input has " + std::to_string(rank));
  }
  TRT_RETURN_IF_ERROR(CheckAttrLength("strides", attrs.strides, rank));
  TRT_RETURN_IF_ERROR(CheckAttrLength("dilations", attrs.dilations, rank));
  TRT_RETURN_IF_ERROR(CheckAttrLength("pads", attrs.pads, 2 * rank));
  WindowGeometry g;
  g.spatial_rank = static_cast<int>(rank);
  const size_t off = kMaxSpatialRank - rank;
  for (size_t i = 0; i < rank; ++i) {
    const size_t j = off + i;
    g.in[j] = in[i];
    g.kernel[j] = kernel[i];
    g.stride[j] = attrs.strides.empty() ? 1 : attrs.strides[i];
    g.dilation[j] = attrs.dilations.empty() ? 1 : attrs.dilations[i];
    const int64_t span = (g.kernel[j] - 1) * g.dilation[j] + 1;
    switch (attrs.auto_pad) {
      case AutoPad::kNotSet:
      case AutoPad::kValid: {
        const bool explicit_pads = attrs.auto_pad == AutoPad::kNotSet && !attrs.pads.empty();
        g.pad_begin[j] = explicit_pads ? attrs.pads[i] : 0;
        g.pad_end[j] = explicit_pads ? attrs.pads[rank + i] : 0;
        const int64_t avail = g.in[j] + g.pad_begin[j] + g.pad_end[j] - span;
        if (avail < 0) {
          return InvalidArgument("window of extent " + std::to_string(span) + " in spatial dim " +
                                 std::to_string(i) + " exceeds the padded input size " +
                                 std::to_string(g.in[j] + g.pad_begin[j] + g.pad_end[j]));
        }
        g.out[j] = DivFloorOrCeil(avail, g.stride[j], attrs.ceil_mode) + 1;
        if (attrs.ceil_mode && (g.out[j] - 1) * g.stride[j] >= g.in[j] + g.pad_begin[j]) {
          --g.out[j];
        }
        break;
      }
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        g.out[j] = (g.in[j] + g.stride[j] - 1) / g.stride[j];
        const int64_t total = std::max<int64_t>(0, (g.out[j] - 1) * g.stride[j] + span - g.in[j]);
        const int64_t small = total / 2;
        g.pad_begin[j] = attrs.auto_pad == AutoPad::kSameUpper ? small : total - small;
        g.pad_end[j] = total - g.pad_begin[j];
        break;
      }
    }
  }
  return g;
}

StatusOr<WindowGeometry> ResolveConv(const WindowAttrs& attrs, int64_t group, const Shape& x,
                                     const Shape& w, int w_index, ConvShape* conv) {
  if (x.rank() < 3) {
    return InvalidArgument("input 0 (X) has shape " + x.ToString() +
                           ", expected rank >= 3 [N, C, spatial...]");
  }
  if (w.rank() != x.rank()) {
    return InvalidArgument("input " + std::to_string(w_index) + " (W) has shape " + w.ToString() +
                           ", expected rank " + std::to_string(x.rank()) + " like X " +
                           x.ToString());
  }
  conv->batch = x[0];
  conv->in_channels = x[1];
  conv->out_channels = w[0];
  conv->group = group;
  if (x[1] % group != 0 || w[0] % group != 0) {
    return InvalidArgument("group " + std::to_string(group) + " does not divide the channels " +
                           "of X " + x.ToString() + " and W " + w.ToString());
  }
  if (w[1] * group != x[1]) {
    return InvalidArgument("input " + std::to_string(w_index) + " (W) has shape " + w.ToString() +
                           ", expected dim 1 = C / group = " + std::to_string(x[1] / group) +
                           " for X " + x.ToString());
  }
  std::span<const int64_t> kernel = w.dims().subspan(2);
  if (!attrs.kernel_shape.empty() &&
      !std::equal(kernel.begin(), kernel.end(), attrs.kernel_shape.begin(),
                  attrs.kernel_shape.end())) {
    return InvalidArgument("attribute kernel_shape " + DimsToString(attrs.kernel_shape) +
                           " does not match W " + w.ToString());
  }
  return ResolveWindow(attrs, x.dims().subspan(2), kernel);
}

}  // namespace trt::kernels::nn
