// Shared geometry and loops for the sliding-window ops: Conv, ConvInteger, QLinearConv,
// ConvTranspose and the pooling ops.
//
// Contract:
// - ParseWindowAttrs() reads kernel_shape/strides/pads/dilations/auto_pad/ceil_mode once at
//   load time and validates what can be checked without shapes (positive strides, dilations
//   and kernel dims, non-negative pads, known auto_pad).
// - ResolveWindow() combines them with the runtime spatial input dims into a WindowGeometry:
//   per-dim output size and begin/end padding (auto_pad resolved). Up to 3 spatial dims are
//   supported; the geometry is stored padded to 3 dims with trivial (size 1) dims in front,
//   so every loop is a fixed 3-deep nest whatever the op's spatial rank.
// - DirectConv() is the one convolution accumulation loop (NC[D][H]W input, M x C/group x k
//   weights), templated on the accumulator type and on element accessors, so float Conv,
//   ConvInteger and QLinearConv share it. Padded positions contribute nothing (for the
//   integer ops a padded input equals its zero point, i.e. contributes zero too).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::nn {

inline constexpr int kMaxSpatialRank = 3;

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Window attributes as given on the node; empty vectors mean "default for the rank".
struct WindowAttrs {
  std::vector<int64_t> kernel_shape;  // empty: inferred from W (conv ops only)
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;  // [b_1, ..., b_n, e_1, ..., e_n]
  std::vector<int64_t> dilations;
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

// Reads and validates the window attributes. `require_kernel_shape` is true for pooling.
Status ParseWindowAttrs(const KernelInfo& info, bool require_kernel_shape, WindowAttrs* out);

// Resolved geometry of one call. Index 0..2 are the (front-padded) spatial dims.
struct WindowGeometry {
  int spatial_rank = 0;  // the op's real spatial rank (1..3)
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};

  int64_t InSize() const { return in[0] * in[1] * in[2]; }
  int64_t OutSize() const { return out[0] * out[1] * out[2]; }
  int64_t KernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
  // The spatial output dims of the op's real rank.
  std::span<const int64_t> OutDims() const {
    return {out.data() + (3 - spatial_rank), static_cast<size_t>(spatial_rank)};
  }
};

// Computes the output dims and padding of a forward window op (Conv, pooling):
//   NOTSET: out = floor_or_ceil((in + pb + pe - ((k - 1) * d + 1)) / s) + 1; with ceil_mode
//           a last window starting in the end padding is dropped (as PyTorch and ONNX do).
//   VALID:  same with zero pads.
//   SAME_*: out = ceil(in / s), total pad = max(0, (out - 1) * s + (k - 1) * d + 1 - in),
//           the odd pixel goes to the end (SAME_UPPER) or the beginning (SAME_LOWER).
// `kernel` holds the kernel dims (from the attribute or W). Errors are plain messages; the
// caller adds node context.
StatusOr<WindowGeometry> ResolveWindow(const WindowAttrs& attrs, std::span<const int64_t> in,
                                       std::span<const int64_t> kernel);

// Range [*lo, *hi) of kernel taps k with 0 <= start + k * dilation < in.
inline void ValidTaps(int64_t start, int64_t in, int64_t dilation, int64_t kernel, int64_t* lo,
                      int64_t* hi) {
  *lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
  *hi = start >= in ? 0 : std::min(kernel, (in - start + dilation - 1) / dilation);
  if (*hi < *lo) *hi = *lo;
}

// Re-issues a plain geometry error with the node context (UNIMPLEMENTED stays so).
inline Status NodeError(const KernelInfo& info, const Status& s) {
  return s.code() == StatusCode::kUnimplemented ? info.Unsupported(s.message())
                                                : info.Invalid(s.message());
}

// "[1, 2, 3]"
std::string DimsToString(std::span<const int64_t> dims);

// Sizes of one convolution: X [N, C, spatial...], W [M, C / group, kernel...].
struct ConvShape {
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t group = 1;
};

// Checks X/W shapes of a convolution (rank, channel counts, group divisibility, kernel_shape
// attribute vs W) and resolves the geometry. Messages name X and W as inputs 0 and
// `w_index`.
StatusOr<WindowGeometry> ResolveConv(const WindowAttrs& attrs, int64_t group, const Shape& x,
                                     const Shape& w, int w_index, ConvShape* conv);

// The direct convolution loop. For every output element it accumulates, in Acc,
//   sum over c, taps of x_at(x offset) * w_at(w offset)
// over the taps inside the input, then calls emit(y_offset, m, sum). x_at/w_at take flat
// element offsets into X and W and return Acc. Loop order: one output row (last spatial
// dim) is accumulated at a time in a scratch row, innermost over output columns, so the
// hot loop is a strided multiply-add with the weight hoisted. Summation order per output
// element is c, then taps in row-major order.
// Temporaries come from ctx.Scratch(), so steady-state runs do not allocate.
template <typename Acc, typename XAt, typename WAt, typename Emit>
void DirectConv(KernelContext& ctx, const ConvShape& s, const WindowGeometry& g, XAt x_at, WAt w_at,
                Emit emit) {
  const int64_t c_per_group = s.in_channels / s.group;
  const int64_t m_per_group = s.out_channels / s.group;
  const int64_t in_size = g.InSize();
  const int64_t out_size = g.OutSize();
  const int64_t k_size = g.KernelSize();
  // Output columns [col_lo[k2], col_hi[k2]) whose tap k2 lands inside the input row.
  int64_t* col_lo = ScratchArray<int64_t>(ctx, g.kernel[2]);
  int64_t* col_hi = ScratchArray<int64_t>(ctx, g.kernel[2]);
  for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
    const int64_t shift = k2 * g.dilation[2] - g.pad_begin[2];  // i2 = o2 * stride + shift
    col_lo[k2] = shift >= 0 ? 0 : (-shift + g.stride[2] - 1) / g.stride[2];
    col_hi[k2] =
        g.in[2] - shift <= 0 ? 0 : std::min(g.out[2], (g.in[2] - shift - 1) / g.stride[2] + 1);
  }
  Acc* const row = ScratchArray<Acc>(ctx, g.out[2]);
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t m = 0; m < s.out_channels; ++m) {
      const int64_t grp = m / m_per_group;
      const int64_t x_n = (n * s.in_channels + grp * c_per_group) * in_size;
      const int64_t w_m = m * c_per_group * k_size;
      int64_t y_off = (n * s.out_channels + m) * out_size;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
        const int64_t i0 = o0 * g.stride[0] - g.pad_begin[0];
        int64_t k0_lo, k0_hi;
        ValidTaps(i0, g.in[0], g.dilation[0], g.kernel[0], &k0_lo, &k0_hi);
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1, y_off += g.out[2]) {
          const int64_t i1 = o1 * g.stride[1] - g.pad_begin[1];
          int64_t k1_lo, k1_hi;
          ValidTaps(i1, g.in[1], g.dilation[1], g.kernel[1], &k1_lo, &k1_hi);
          std::fill(row, row + g.out[2], Acc(0));
          for (int64_t c = 0; c < c_per_group; ++c) {
            const int64_t x_c = x_n + c * in_size;
            const int64_t w_c = w_m + c * k_size;
            for (int64_t k0 = k0_lo; k0 < k0_hi; ++k0) {
              const int64_t x0 = x_c + (i0 + k0 * g.dilation[0]) * g.in[1] * g.in[2];
              const int64_t w0 = w_c + k0 * g.kernel[1] * g.kernel[2];
              for (int64_t k1 = k1_lo; k1 < k1_hi; ++k1) {
                const int64_t x1 = x0 + (i1 + k1 * g.dilation[1]) * g.in[2];
                const int64_t w1 = w0 + k1 * g.kernel[2];
                for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
                  const Acc wv = w_at(w1 + k2);
                  const int64_t x2 = x1 + k2 * g.dilation[2] - g.pad_begin[2];
                  Acc* r = row;
                  if (g.stride[2] == 1) {  // unit stride: lets the compiler vectorize
                    for (int64_t o2 = col_lo[k2]; o2 < col_hi[k2]; ++o2) {
                      r[o2] += x_at(x2 + o2) * wv;
                    }
                  } else {
                    for (int64_t o2 = col_lo[k2]; o2 < col_hi[k2]; ++o2) {
                      r[o2] += x_at(x2 + o2 * g.stride[2]) * wv;
                    }
                  }
                }
              }
            }
          }
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) emit(y_off + o2, m, row[o2]);
        }
      }
    }
  }
}

}  // namespace trt::kernels::nn
