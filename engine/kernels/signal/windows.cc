// Window generators (HannWindow, HammingWindow, BlackmanWindow; opset 17) and
// MelWeightMatrix (opset 17), computed in double and stored as output_datatype.
#include <cmath>
#include <numbers>
#include <vector>

#include "engine/kernels/signal/signal_util.h"

namespace trt::kernels {
namespace {

enum class WindowKind { kHann, kHamming, kBlackman };

class WindowKernel final : public Kernel {
 public:
  WindowKernel(WindowKind kind, bool periodic, DType out)
      : kind_(kind), periodic_(periodic), out_(out) {}

  Status Compute(KernelContext& ctx) const override {
    TRT_ASSIGN_OR_RETURN(int64_t size, signal::ReadIntScalar(ctx, ctx.Input(0), "input 0 (size)"));
    if (size < 0) return ctx.Invalid("size must be >= 0, got " + std::to_string(size));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_, Shape{size}));
    // N = size (periodic) or size - 1 (symmetric); a symmetric window of size 1 is [1].
    const double n_div = static_cast<double>(periodic_ ? size : size - 1);
    std::vector<double> w(size);
    for (int64_t i = 0; i < size; ++i) {
      if (n_div <= 0) {
        w[i] = 1.0;
        continue;
      }
      const double t = 2.0 * std::numbers::pi * static_cast<double>(i) / n_div;
      switch (kind_) {
        case WindowKind::kHann:
          w[i] = 0.5 - 0.5 * std::cos(t);
          break;
        case WindowKind::kHamming:
          w[i] = 25.0 / 46.0 - (21.0 / 46.0) * std::cos(t);
          break;
        case WindowKind::kBlackman:
          w[i] = 0.42 - 0.5 * std::cos(t) + 0.08 * std::cos(2.0 * t);
          break;
      }
    }
    StoreDoubles(w, y);
    return Status::Ok();
  }

 private:
  WindowKind kind_;
  bool periodic_;
  DType out_;
};

StatusOr<KernelPtr> CreateWindow(const KernelInfo& info, WindowKind kind) {
  DType out;
  TRT_RETURN_IF_ERROR(signal::CheckOutputDType(info, info.GetInt("output_datatype", 1), &out));
  return MakeKernel<WindowKernel>(kind, info.GetInt("periodic", 1) != 0, out);
}

// Triangular mel filters as in the ONNX reference: num_mel_bins + 2 points equally spaced
// in mel between the edges, mapped to DFT bins floor((dft_length + 1) * hz / sample_rate).
class MelWeightMatrixKernel final : public Kernel {
 public:
  explicit MelWeightMatrixKernel(DType out) : out_(out) {}

  Status Compute(KernelContext& ctx) const override {
    TRT_ASSIGN_OR_RETURN(int64_t mel_bins,
                         signal::ReadIntScalar(ctx, ctx.Input(0), "input 0 (num_mel_bins)"));
    TRT_ASSIGN_OR_RETURN(int64_t dft_length,
                         signal::ReadIntScalar(ctx, ctx.Input(1), "input 1 (dft_length)"));
    TRT_ASSIGN_OR_RETURN(int64_t sample_rate,
                         signal::ReadIntScalar(ctx, ctx.Input(2), "input 2 (sample_rate)"));
    TRT_ASSIGN_OR_RETURN(double lower,
                         signal::ReadRealScalar(ctx, ctx.Input(3), "input 3 (lower_edge_hertz)"));
    TRT_ASSIGN_OR_RETURN(double upper,
                         signal::ReadRealScalar(ctx, ctx.Input(4), "input 4 (upper_edge_hertz)"));
    if (mel_bins < 1 || dft_length < 1 || sample_rate < 1) {
      return ctx.Invalid("num_mel_bins, dft_length and sample_rate must be >= 1, got " +
                         std::to_string(mel_bins) + ", " + std::to_string(dft_length) + ", " +
                         std::to_string(sample_rate));
    }
    if (!(lower >= 0 && lower <= upper)) {
      return ctx.Invalid("need 0 <= lower_edge_hertz <= upper_edge_hertz, got " +
                         std::to_string(lower) + " and " + std::to_string(upper));
    }
    const int64_t spec_bins = dft_length / 2 + 1;
    const double low_mel = 2595.0 * std::log10(1.0 + lower / 700.0);
    const double high_mel = 2595.0 * std::log10(1.0 + upper / 700.0);
    const double mel_step = (high_mel - low_mel) / static_cast<double>(mel_bins + 2);
    std::vector<int64_t> points(mel_bins + 2);
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (i * mel_step + low_mel) / 2595.0) - 1.0);
      points[i] = static_cast<int64_t>(std::floor((dft_length + 1) * hz / sample_rate));
      if (points[i] < 0 || points[i] >= spec_bins) {
        return ctx.Invalid("mel point " + std::to_string(i) + " falls in DFT bin " +
                           std::to_string(points[i]) + ", outside [0, " +
                           std::to_string(spec_bins) + "); is upper_edge_hertz above " +
                           "sample_rate / 2?");
      }
    }
    std::vector<double> w(spec_bins * mel_bins, 0.0);
    for (int64_t m = 0; m < mel_bins; ++m) {
      const int64_t left = points[m], center = points[m + 1], right = points[m + 2];
      if (center == left) {
        w[center * mel_bins + m] = 1.0;
      } else {
        for (int64_t j = left; j <= center; ++j) {
          w[j * mel_bins + m] = static_cast<double>(j - left) / static_cast<double>(center - left);
        }
      }
      for (int64_t j = center; j < right; ++j) {
        w[j * mel_bins + m] = static_cast<double>(right - j) / static_cast<double>(right - center);
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_, Shape{spec_bins, mel_bins}));
    StoreDoubles(w, y);
    return Status::Ok();
  }

 private:
  DType out_;
};

}  // namespace

StatusOr<KernelPtr> CreateHannWindow(const KernelInfo& info) {
  return CreateWindow(info, WindowKind::kHann);
}
StatusOr<KernelPtr> CreateHammingWindow(const KernelInfo& info) {
  return CreateWindow(info, WindowKind::kHamming);
}
StatusOr<KernelPtr> CreateBlackmanWindow(const KernelInfo& info) {
  return CreateWindow(info, WindowKind::kBlackman);
}

StatusOr<KernelPtr> CreateMelWeightMatrix(const KernelInfo& info) {
  DType out;
  TRT_RETURN_IF_ERROR(signal::CheckOutputDType(info, info.GetInt("output_datatype", 1), &out));
  return MakeKernel<MelWeightMatrixKernel>(out);
}

}  // namespace trt::kernels
