// Windowed pooling: MaxPool (with optional Indices, storage_order, int8/uint8), AveragePool
// (count_include_pad) and LpPool, 1-D to 3-D, with ceil_mode, dilations, pads and auto_pad
// resolved by conv_common.h. Float16/BFloat16 compute through float; sums accumulate in
// float (double for double).

#include <cmath>
#include <limits>

#include "engine/kernels/nn/conv_common.h"
#include "engine/kernels/nn/pool_f32.h"

namespace trt::kernels {
namespace {

using nn::WindowAttrs;
using nn::WindowGeometry;

enum class PoolKind { kMax, kAverage, kLp };

// One output window: its per-dim start (input coordinate of tap 0) and valid tap ranges.
struct Window {
  int64_t start[3];
  int64_t lo[3];
  int64_t hi[3];
};

// Calls fn(plane, out_offset, window) for every output element of `planes` N*C planes.
template <typename Fn>
void ForEachWindow(const WindowGeometry& g, int64_t planes, Fn fn) {
  int64_t y_off = 0;
  Window w;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
      w.start[0] = o0 * g.stride[0] - g.pad_begin[0];
      nn::ValidTaps(w.start[0], g.in[0], g.dilation[0], g.kernel[0], &w.lo[0], &w.hi[0]);
      for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
        w.start[1] = o1 * g.stride[1] - g.pad_begin[1];
        nn::ValidTaps(w.start[1], g.in[1], g.dilation[1], g.kernel[1], &w.lo[1], &w.hi[1]);
        for (int64_t o2 = 0; o2 < g.out[2]; ++o2, ++y_off) {
          w.start[2] = o2 * g.stride[2] - g.pad_begin[2];
          nn::ValidTaps(w.start[2], g.in[2], g.dilation[2], g.kernel[2], &w.lo[2], &w.hi[2]);
          fn(p, y_off, w);
        }
      }
    }
  }
}

// Calls fn(i0, i1, i2) for the in-bounds input coordinates of window w.
template <typename Fn>
inline void ForEachTap(const WindowGeometry& g, const Window& w, Fn fn) {
  for (int64_t k0 = w.lo[0]; k0 < w.hi[0]; ++k0)
    for (int64_t k1 = w.lo[1]; k1 < w.hi[1]; ++k1)
      for (int64_t k2 = w.lo[2]; k2 < w.hi[2]; ++k2)
        fn(w.start[0] + k0 * g.dilation[0], w.start[1] + k1 * g.dilation[1],
           w.start[2] + k2 * g.dilation[2]);
}

class PoolKernel : public Kernel {
 public:
  PoolKernel(PoolKind kind, WindowAttrs attrs, bool count_include_pad, int64_t storage_order,
             int64_t p)
      : kind_(kind),
        attrs_(std::move(attrs)),
        count_include_pad_(count_include_pad),
        storage_order_(storage_order),
        p_(p) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (X) is required");
    const Shape& xs = x->shape();
    if (xs.rank() < 3) {
      return ctx.Invalid("input 0 (X) has shape " + xs.ToString() +
                         ", expected rank >= 3 [N, C, spatial...]");
    }
    if (attrs_.kernel_shape.size() != static_cast<size_t>(xs.rank() - 2)) {
      return ctx.Invalid("attribute kernel_shape " + nn::DimsToString(attrs_.kernel_shape) +
                         " has " + std::to_string(attrs_.kernel_shape.size()) + " dims, expected " +
                         std::to_string(xs.rank() - 2) + " for X " + xs.ToString());
    }
    auto geo = nn::ResolveWindow(attrs_, xs.dims().subspan(2), attrs_.kernel_shape);
    if (!geo.ok()) return nn::NodeError(ctx.info(), geo.status());
    Shape y_shape{xs[0], xs[1]};
    for (int64_t d : geo->OutDims()) y_shape.push_back(d);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
    Tensor* indices = nullptr;
    if (kind_ == PoolKind::kMax && ctx.num_outputs() > 1 && ctx.OutputRequested(1)) {
      TRT_ASSIGN_OR_RETURN(indices, ctx.AllocateOutput(1, DType::kInt64, y_shape));
    }
    if (y->NumElements() == 0) return Status::Ok();
    const int64_t planes = xs[0] * xs[1];
    // float32 1-D/2-D max (without Indices) and average pooling above the generic level: the
    // row-wise kernel of pool_f32.h, bit-identical to the loops below (its test oracle, run
    // at TRTSERVE_ISA=generic).
    if (x->dtype() == DType::kFloat32 && ctx.info().isa() != Isa::kGeneric &&
        ((kind_ == PoolKind::kMax && indices == nullptr) || kind_ == PoolKind::kAverage) &&
        nn::PoolF32Applies(*geo)) {
      nn::PoolF32(kind_ == PoolKind::kMax, count_include_pad_, *geo, planes, x->data<float>(),
                  y->data<float>(), ctx.thread_pool());
      return Status::Ok();
    }
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        switch (kind_) {
          case PoolKind::kMax:
            return MaxPool<T>(*geo, planes, *x, y, indices);
          case PoolKind::kAverage:
            return AvgPool<T>(*geo, planes, *x, y);
          case PoolKind::kLp:
            return LpPool<T>(*geo, planes, *x, y);
        }
      }
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void MaxPool(const WindowGeometry& g, int64_t planes, const Tensor& x, Tensor* y,
               Tensor* indices) const {
    using V =
        std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
    const T* xd = x.data<T>();
    T* yd = y->data<T>();
    int64_t* id = indices ? indices->data<int64_t>() : nullptr;
    const int64_t in_size = g.InSize();
    ForEachWindow(g, planes, [&](int64_t p, int64_t o, const Window& w) {
      const T* xp = xd + p * in_size;
      V best = std::numeric_limits<V>::lowest();
      if constexpr (std::is_floating_point_v<V>) best = -std::numeric_limits<V>::infinity();
      int64_t best_pos[3] = {-1, -1, -1};
      ForEachTap(g, w, [&](int64_t i0, int64_t i1, int64_t i2) {
        const V v = static_cast<V>(xp[(i0 * g.in[1] + i1) * g.in[2] + i2]);
        if (best_pos[0] < 0 || v > best) {
          best = v;
          best_pos[0] = i0, best_pos[1] = i1, best_pos[2] = i2;
        }
      });
      yd[o] = static_cast<T>(best);
      if (id) {
        const int64_t local =
            best_pos[0] < 0 ? 0
            : storage_order_ == 0
                ? (best_pos[0] * g.in[1] + best_pos[1]) * g.in[2] + best_pos[2]
                : best_pos[2] * g.in[0] * g.in[1] + best_pos[1] * g.in[0] + best_pos[0];
        id[o] = p * in_size + local;
      }
    });
  }

  template <typename T>
  void AvgPool(const WindowGeometry& g, int64_t planes, const Tensor& x, Tensor* y) const {
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* xd = x.data<T>();
    T* yd = y->data<T>();
    const int64_t in_size = g.InSize();
    ForEachWindow(g, planes, [&](int64_t p, int64_t o, const Window& w) {
      const T* xp = xd + p * in_size;
      Acc sum = 0;
      ForEachTap(g, w, [&](int64_t i0, int64_t i1, int64_t i2) {
        sum += static_cast<Acc>(xp[(i0 * g.in[1] + i1) * g.in[2] + i2]);
      });
      int64_t count = 1;
      for (int d = 0; d < 3; ++d) {
        int64_t lo = w.lo[d], hi = w.hi[d];
        if (count_include_pad_) {
          nn::ValidTaps(w.start[d] + g.pad_begin[d], g.in[d] + g.pad_begin[d] + g.pad_end[d],
                        g.dilation[d], g.kernel[d], &lo, &hi);
        }
        count *= hi - lo;
      }
      const Acc avg = count > 0 ? sum / static_cast<Acc>(count) : Acc(0);
      if constexpr (std::is_integral_v<T>) {
        yd[o] = static_cast<T>(std::nearbyint(avg));
      } else {
        yd[o] = static_cast<T>(avg);
      }
    });
  }

  template <typename T>
  void LpPool(const WindowGeometry& g, int64_t planes, const Tensor& x, Tensor* y) const {
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* xd = x.data<T>();
    T* yd = y->data<T>();
    const int64_t in_size = g.InSize();
    const Acc p = static_cast<Acc>(p_);
    ForEachWindow(g, planes, [&](int64_t pl, int64_t o, const Window& w) {
      const T* xp = xd + pl * in_size;
      Acc sum = 0;
      ForEachTap(g, w, [&](int64_t i0, int64_t i1, int64_t i2) {
        const Acc v = std::abs(static_cast<Acc>(xp[(i0 * g.in[1] + i1) * g.in[2] + i2]));
        sum += p_ == 2 ? v * v : p_ == 1 ? v : std::pow(v, p);
      });
      const Acc r = p_ == 2 ? std::sqrt(sum) : p_ == 1 ? sum : std::pow(sum, Acc(1) / p);
      if constexpr (std::is_integral_v<T>) {
        yd[o] = static_cast<T>(std::nearbyint(r));
      } else {
        yd[o] = static_cast<T>(r);
      }
    });
  }

  PoolKind kind_;
  WindowAttrs attrs_;
  bool count_include_pad_;
  int64_t storage_order_;
  int64_t p_;
};

}  // namespace

StatusOr<KernelPtr> CreateMaxPool(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/true, &attrs));
  const int64_t storage_order = info.GetInt("storage_order", 0);
  if (storage_order != 0 && storage_order != 1) {
    return info.Invalid("attribute storage_order is " + std::to_string(storage_order) +
                        ", expected 0 (row major) or 1 (column major)");
  }
  return MakeKernel<PoolKernel>(PoolKind::kMax, std::move(attrs), false, storage_order, 0);
}

StatusOr<KernelPtr> CreateAveragePool(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/true, &attrs));
  const bool include_pad = info.GetInt("count_include_pad", 0) != 0;
  return MakeKernel<PoolKernel>(PoolKind::kAverage, std::move(attrs), include_pad, 0, 0);
}

StatusOr<KernelPtr> CreateLpPool(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/true, &attrs));
  // LpPool-1 had a float attribute p; later versions an int.
  int64_t p = 2;
  const graph::Attribute* a = info.node().FindAttr("p");
  if (a) p = a->kind == graph::Attribute::Kind::kFloat ? static_cast<int64_t>(a->f) : a->i;
  if (p <= 0) return info.Invalid("attribute p is " + std::to_string(p) + ", expected >= 1");
  return MakeKernel<PoolKernel>(PoolKind::kLp, std::move(attrs), false, 0, p);
}

}  // namespace trt::kernels
