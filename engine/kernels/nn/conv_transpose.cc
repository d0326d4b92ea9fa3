// ConvTranspose (ai.onnx 1+): 1-D to 3-D transposed convolution with group, dilations,
// strides, pads, output_padding, output_shape and auto_pad. Scatter formulation: every input
// pixel adds x * W[c, m, taps] into the output window it maps to. Accumulates in float
// (double for double) in a scratch buffer, then converts.

#include <vector>

#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels {
namespace {

using nn::WindowAttrs;
using nn::WindowGeometry;

class ConvTransposeKernel : public Kernel {
 public:
  ConvTransposeKernel(WindowAttrs attrs, int64_t group, std::vector<int64_t> output_padding,
                      std::vector<int64_t> output_shape)
      : attrs_(std::move(attrs)),
        group_(group),
        output_padding_(std::move(output_padding)),
        output_shape_(std::move(output_shape)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* w = ctx.Input(1);
    const Tensor* b = ctx.Input(2);
    if (!x || !w) return ctx.Invalid("inputs X and W are required");
    const Shape& xs = x->shape();
    const Shape& ws = w->shape();
    if (xs.rank() < 3 || xs.rank() > 2 + nn::kMaxSpatialRank) {
      return ctx.Invalid("input 0 (X) has shape " + xs.ToString() + ", expected rank 3 to 5");
    }
    if (w->dtype() != x->dtype() || ws.rank() != xs.rank()) {
      return ctx.Invalid("input 1 (W) is " + w->Description() + ", expected " +
                         std::string(DTypeName(x->dtype())) + " of rank " +
                         std::to_string(xs.rank()));
    }
    if (xs[1] % group_ != 0 || ws[0] != xs[1]) {
      return ctx.Invalid("input 1 (W) has shape " + ws.ToString() + ", expected dim 0 = C = " +
                         std::to_string(xs[1]) + " divisible by group " + std::to_string(group_));
    }
    const int64_t n_batch = xs[0], c_in = xs[1], m_per_group = ws[1];
    const int64_t m_out = m_per_group * group_;
    if (b && (b->dtype() != x->dtype() || b->rank() != 1 || b->shape()[0] != m_out)) {
      return ctx.Invalid("input 2 (B) is " + b->Description() + ", expected " +
                         std::string(DTypeName(x->dtype())) + "[" + std::to_string(m_out) + "]");
    }
    WindowGeometry g;
    TRT_RETURN_IF_ERROR(Resolve(ctx, xs, ws, &g));
    Shape y_shape{n_batch, m_out};
    for (int64_t d : g.OutDims()) y_shape.push_back(d);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
    if (y->NumElements() == 0) return Status::Ok();
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
        using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
        Scatter<T, Acc>(*x, *w, b, g, n_batch, c_in, m_per_group, y);
      }
    });
    return Status::Ok();
  }

 private:
  // Output dims and pads (see the ConvTranspose spec): explicit output_shape (attribute)
  // or SAME_* derive the total padding; otherwise the pads attribute applies.
  Status Resolve(KernelContext& ctx, const Shape& xs, const Shape& ws, WindowGeometry* g) const {
    const int rank = xs.rank() - 2;
    auto check_len = [&](const char* name, const std::vector<int64_t>& v, size_t n) {
      if (v.empty() || v.size() == n) return Status::Ok();
      return ctx.Invalid("attribute " + std::string(name) + " " + nn::DimsToString(v) + " has " +
                         std::to_string(v.size()) + " values, expected " + std::to_string(n));
    };
    TRT_RETURN_IF_ERROR(check_len("strides", attrs_.strides, rank));
    TRT_RETURN_IF_ERROR(check_len("dilations", attrs_.dilations, rank));
    TRT_RETURN_IF_ERROR(check_len("pads", attrs_.pads, 2 * rank));
    TRT_RETURN_IF_ERROR(check_len("output_padding", output_padding_, rank));
    std::vector<int64_t> out_shape = output_shape_;
    if (out_shape.size() == static_cast<size_t>(rank + 2))
      out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
    TRT_RETURN_IF_ERROR(check_len("output_shape", out_shape, rank));
    if (!attrs_.kernel_shape.empty() &&
        !std::equal(ws.begin() + 2, ws.end(), attrs_.kernel_shape.begin(),
                    attrs_.kernel_shape.end())) {
      return ctx.Invalid("attribute kernel_shape " + nn::DimsToString(attrs_.kernel_shape) +
                         " does not match W " + ws.ToString());
    }
    g->spatial_rank = rank;
    const int off = nn::kMaxSpatialRank - rank;
    for (int i = 0; i < rank; ++i) {
      const int j = off + i;
      g->in[j] = xs[2 + i];
      g->kernel[j] = ws[2 + i];
      g->stride[j] = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      g->dilation[j] = attrs_.dilations.empty() ? 1 : attrs_.dilations[i];
      const int64_t opad = output_padding_.empty() ? 0 : output_padding_[i];
      const int64_t full =
          g->stride[j] * (g->in[j] - 1) + opad + (g->kernel[j] - 1) * g->dilation[j] + 1;
      const bool same =
          attrs_.auto_pad == nn::AutoPad::kSameUpper || attrs_.auto_pad == nn::AutoPad::kSameLower;
      if (!out_shape.empty() || same) {
        const int64_t target = !out_shape.empty() ? out_shape[i] : g->in[j] * g->stride[j];
        const int64_t total = std::max<int64_t>(0, full - target);
        g->pad_begin[j] =
            attrs_.auto_pad == nn::AutoPad::kSameUpper ? total / 2 : total - total / 2;
        g->pad_end[j] = total - g->pad_begin[j];
        g->out[j] = target;
      } else {
        const bool use_pads = attrs_.auto_pad == nn::AutoPad::kNotSet && !attrs_.pads.empty();
        g->pad_begin[j] = use_pads ? attrs_.pads[i] : 0;
        g->pad_end[j] = use_pads ? attrs_.pads[rank + i] : 0;
        g->out[j] = full - g->pad_begin[j] - g->pad_end[j];
      }
      if (g->out[j] < 0) {
        return ctx.Invalid("output spatial dim " + std::to_string(i) + " would be " +
                           std::to_string(g->out[j]) + " (pads exceed the output)");
      }
    }
    return Status::Ok();
  }

  template <typename T, typename Acc>
  void Scatter(const Tensor& x, const Tensor& w, const Tensor* b, const WindowGeometry& g,
               int64_t n_batch, int64_t c_in, int64_t m_per_group, Tensor* y) const {
    const int64_t c_per_group = c_in / group_;
    const int64_t m_out = m_per_group * group_;
    const int64_t in_size = g.InSize(), out_size = g.OutSize(), k_size = g.KernelSize();
    const T* xd = x.data<T>();
    const T* wd = w.data<T>();
    std::vector<Acc> acc(static_cast<size_t>(y->NumElements()), Acc(0));
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t c = 0; c < c_in; ++c) {
        const int64_t grp = c / c_per_group;
        const T* xc = xd + (n * c_in + c) * in_size;
        for (int64_t mm = 0; mm < m_per_group; ++mm) {
          const int64_t m = grp * m_per_group + mm;
          const T* wcm = wd + (c * m_per_group + mm) * k_size;
          Acc* yc = acc.data() + (n * m_out + m) * out_size;
          for (int64_t i0 = 0; i0 < g.in[0]; ++i0)
            for (int64_t i1 = 0; i1 < g.in[1]; ++i1)
              for (int64_t i2 = 0; i2 < g.in[2]; ++i2) {
                const Acc xv = static_cast<Acc>(xc[(i0 * g.in[1] + i1) * g.in[2] + i2]);
                for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0) {
                  const int64_t o0 = i0 * g.stride[0] + k0 * g.dilation[0] - g.pad_begin[0];
                  if (o0 < 0 || o0 >= g.out[0]) continue;
                  for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1) {
                    const int64_t o1 = i1 * g.stride[1] + k1 * g.dilation[1] - g.pad_begin[1];
                    if (o1 < 0 || o1 >= g.out[1]) continue;
                    for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
                      const int64_t o2 = i2 * g.stride[2] + k2 * g.dilation[2] - g.pad_begin[2];
                      if (o2 < 0 || o2 >= g.out[2]) continue;
                      yc[(o0 * g.out[1] + o1) * g.out[2] + o2] +=
                          xv * static_cast<Acc>(wcm[(k0 * g.kernel[1] + k1) * g.kernel[2] + k2]);
                    }
                  }
                }
              }
        }
      }
    }
    T* yd = y->data<T>();
    const T* bd = b ? b->data<T>() : nullptr;
    for (int64_t i = 0; i < y->NumElements(); ++i) {
      Acc v = acc[i];
      if (bd) v += static_cast<Acc>(bd[(i / out_size) % m_out]);
      yd[i] = static_cast<T>(v);
    }
  }

  WindowAttrs attrs_;
  int64_t group_;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
};

}  // namespace

StatusOr<KernelPtr> CreateConvTranspose(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/false, &attrs));
  const int64_t group = info.GetInt("group", 1);
  if (group <= 0) {
    return info.Invalid("attribute group is " + std::to_string(group) + ", expected >= 1");
  }
  std::vector<int64_t> output_padding = info.GetInts("output_padding");
  for (int64_t p : output_padding) {
    if (p < 0) return info.Invalid("attribute output_padding has a negative value");
  }
  std::vector<int64_t> output_shape = info.GetInts("output_shape");
  for (int64_t d : output_shape) {
    if (d < 0) return info.Invalid("attribute output_shape has a negative value");
  }
  return MakeKernel<ConvTransposeKernel>(std::move(attrs), group, std::move(output_padding),
                                         std::move(output_shape));
}

}  // namespace trt::kernels
