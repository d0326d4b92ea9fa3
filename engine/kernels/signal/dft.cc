// DFT (opset 17: axis attribute; opset 20+: axis input) and STFT (opset 17). Inputs are
// real ([..., 1]) or complex ([..., 2]); outputs are complex ([..., 2]). Naive O(n^2)
// transforms in double precision.
#include <complex>
#include <vector>

#include "engine/kernels/signal/signal_util.h"

namespace trt::kernels {
namespace {

using Complex = std::complex<double>;

class DftKernel final : public Kernel {
 public:
  DftKernel(bool inverse, bool onesided, int64_t axis, bool axis_is_input)
      : inverse_(inverse), onesided_(onesided), axis_(axis), axis_is_input_(axis_is_input) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (input) is required");
    const int rank = x->rank();
    if (rank < 2 || (x->shape().back() != 1 && x->shape().back() != 2)) {
      return ctx.Invalid("input 0 has shape " + x->shape().ToString() +
                         ", expected [..., signal_dim, 1 (real) or 2 (complex)]");
    }
    int64_t axis = axis_;
    if (axis_is_input_ && ctx.Input(2)) {
      TRT_ASSIGN_OR_RETURN(axis, signal::ReadIntScalar(ctx, ctx.Input(2), "input 2 (axis)"));
    }
    const int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank - 1) {
      return ctx.Invalid("axis " + std::to_string(axis) + " is out of range for input shape " +
                         x->shape().ToString() + " (the last dim holds real/imaginary parts)");
    }
    const int64_t in_len = x->shape()[a];
    int64_t n = in_len;
    if (ctx.Input(1)) {
      TRT_ASSIGN_OR_RETURN(n, signal::ReadIntScalar(ctx, ctx.Input(1), "input 1 (dft_length)"));
    }
    if (n < 1) return ctx.Invalid("dft_length must be >= 1, got " + std::to_string(n));
    const int64_t out_len = onesided_ ? n / 2 + 1 : n;
    Shape out_shape = x->shape();
    out_shape[a] = out_len;
    out_shape[rank - 1] = 2;
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out_shape));

    const int64_t comps = x->shape().back();
    const int64_t outer = x->shape().NumElements(0, static_cast<int>(a));
    const int64_t inner = x->shape().NumElements(static_cast<int>(a) + 1, rank - 1);
    const std::vector<double> in = ToDoubles(*x);
    std::vector<double> out(static_cast<size_t>(y->NumElements()));
    std::vector<Complex> seq(n), res(out_len);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t j = 0; j < n; ++j) {  // zero-pad or truncate to n
          if (j >= in_len) {
            seq[j] = 0;
            continue;
          }
          const double* e = in.data() + ((o * in_len + j) * inner + i) * comps;
          seq[j] = Complex(e[0], comps == 2 ? e[1] : 0.0);
        }
        signal::NaiveDft(seq, inverse_ ? 1 : -1, &res);
        for (int64_t k = 0; k < out_len; ++k) {
          const Complex v = inverse_ ? res[k] / static_cast<double>(n) : res[k];
          double* e = out.data() + ((o * out_len + k) * inner + i) * 2;
          e[0] = v.real();
          e[1] = v.imag();
        }
      }
    }
    StoreDoubles(out, y);
    return Status::Ok();
  }

 private:
  bool inverse_, onesided_;
  int64_t axis_;
  bool axis_is_input_;
};

// STFT: signal [batch, length, 1|2], frame_step, optional window [frame_length], optional
// frame_length -> [batch, frames, bins, 2] with frames = (length - frame_length) / step + 1.
class StftKernel final : public Kernel {
 public:
  explicit StftKernel(bool onesided) : onesided_(onesided) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (signal) is required");
    if (x->rank() != 3 || (x->shape()[2] != 1 && x->shape()[2] != 2)) {
      return ctx.Invalid("input 0 (signal) has shape " + x->shape().ToString() +
                         ", expected [batch, signal_length, 1 or 2]");
    }
    TRT_ASSIGN_OR_RETURN(int64_t step,
                         signal::ReadIntScalar(ctx, ctx.Input(1), "input 1 (frame_step)"));
    if (step < 1) return ctx.Invalid("frame_step must be >= 1, got " + std::to_string(step));
    const Tensor* window = ctx.Input(2);
    int64_t frame_length = -1;
    if (window) {
      if (window->rank() != 1) {
        return ctx.Invalid("input 2 (window) has shape " + window->shape().ToString() +
                           ", expected rank 1");
      }
      frame_length = window->shape()[0];
    }
    if (ctx.Input(3)) {
      TRT_ASSIGN_OR_RETURN(int64_t fl,
                           signal::ReadIntScalar(ctx, ctx.Input(3), "input 3 (frame_length)"));
      if (window && fl != frame_length) {
        return ctx.Invalid("frame_length " + std::to_string(fl) +
                           " differs from the window length " + std::to_string(frame_length));
      }
      frame_length = fl;
    }
    if (frame_length < 0) return ctx.Invalid("either window or frame_length must be given");
    const int64_t batch = x->shape()[0], length = x->shape()[1], comps = x->shape()[2];
    if (frame_length < 1 || frame_length > length) {
      return ctx.Invalid("frame_length " + std::to_string(frame_length) +
                         " must be in [1, signal_length=" + std::to_string(length) + "]");
    }
    const int64_t frames = (length - frame_length) / step + 1;
    const int64_t bins = onesided_ ? frame_length / 2 + 1 : frame_length;
    TRT_ASSIGN_OR_RETURN(Tensor * y,
                         ctx.AllocateOutput(0, x->dtype(), Shape{batch, frames, bins, 2}));
    const std::vector<double> in = ToDoubles(*x);
    const std::vector<double> w =
        window ? ToDoubles(*window) : std::vector<double>(frame_length, 1.0);
    std::vector<double> out(static_cast<size_t>(y->NumElements()));
    std::vector<Complex> seq(frame_length), res(bins);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < frame_length; ++j) {
          const double* e = in.data() + (b * length + f * step + j) * comps;
          seq[j] = Complex(e[0], comps == 2 ? e[1] : 0.0) * w[j];
        }
        signal::NaiveDft(seq, -1, &res);
        for (int64_t k = 0; k < bins; ++k) {
          double* e = out.data() + ((b * frames + f) * bins + k) * 2;
          e[0] = res[k].real();
          e[1] = res[k].imag();
        }
      }
    }
    StoreDoubles(out, y);
    return Status::Ok();
  }

 private:
  bool onesided_;
};

}  // namespace

StatusOr<KernelPtr> CreateDft(const KernelInfo& info) {
  const bool axis_is_input = info.opset() >= 20;
  const int64_t axis = axis_is_input ? -2 : info.GetInt("axis", 1);
  return MakeKernel<DftKernel>(info.GetInt("inverse", 0) != 0, info.GetInt("onesided", 0) != 0,
                               axis, axis_is_input);
}

StatusOr<KernelPtr> CreateStft(const KernelInfo& info) {
  return MakeKernel<StftKernel>(info.GetInt("onesided", 1) != 0);
}

}  // namespace trt::kernels
