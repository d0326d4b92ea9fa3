// Implicit im2col panel packer (see im2col.h).
#include "engine/kernels/nn/im2col.h"

#include <algorithm>
#include <cstring>

namespace trt::kernels::nn {
namespace {

// d[q] = src[q] for q in [lo, hi), 0 for the other q in [0, len). d (the panel) and the
// input never overlap: plain copies, no alias checks.
void CopyRun(float* d, const float* src, int64_t lo, int64_t hi, int len) {
  if (lo > 0) std::memset(d, 0, static_cast<size_t>(lo) * sizeof(float));
  std::memcpy(d + lo, src + lo, static_cast<size_t>(hi - lo) * sizeof(float));
  if (hi < len) std::memset(d + hi, 0, static_cast<size_t>(len - hi) * sizeof(float));
}

}  // namespace

void PackPatches(const void* vctx, int nr, int64_t first, int64_t count, int64_t k0, int64_t kc,
                 float* dst) {
  const Im2colSource& src = *static_cast<const Im2colSource*>(vctx);
  const WindowGeometry& g = *src.g;
  constexpr int kMaxSegments = 65;  // a panel of <= 64 columns
  int64_t seg_o0[kMaxSegments], seg_o1[kMaxSegments], seg_o2[kMaxSegments];
  int seg_len[kMaxSegments];
  const int64_t out12 = g.out[1] * g.out[2];
  for (int64_t j0 = first; j0 < first + count; j0 += nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, first + count - j0));
    float* panel = dst + ((j0 - first) / nr) * nr * kc;
    // Runs of consecutive output positions along the last spatial dim.
    int segs = 0;
    for (int done = 0; done < cols;) {
      const int64_t pos = j0 + done;
      const int64_t o0 = pos / out12, rem = pos % out12, o1 = rem / g.out[2], o2 = rem % g.out[2];
      const int len = static_cast<int>(std::min<int64_t>(cols - done, g.out[2] - o2));
      seg_o0[segs] = o0;
      seg_o1[segs] = o1;
      seg_o2[segs] = o2;
      seg_len[segs] = len;
      ++segs;
      done += len;
    }
    // Per (segment, tap along the last dim): the valid range [lo, hi) of the segment's columns
    // and the input offset of column 0 within the row, computed once per panel instead of
    // (with two divisions) for every depth index.
    constexpr int kMaxTaps2 = 16;
    const bool tabled = g.kernel[2] <= kMaxTaps2;
    int16_t tab_lo[kMaxSegments][kMaxTaps2], tab_hi[kMaxSegments][kMaxTaps2];
    int64_t tab_base[kMaxSegments][kMaxTaps2];
    const int64_t s2 = g.stride[2];
    for (int s = 0; tabled && s < segs; ++s) {
      for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
        const int64_t base = seg_o2[s] * s2 - g.pad_begin[2] + k2 * g.dilation[2];
        int64_t lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
        int64_t hi = g.in[2] - base <= 0 ? 0 : (g.in[2] - base + s2 - 1) / s2;
        lo = std::min<int64_t>(lo, seg_len[s]);
        hi = std::max(lo, std::min<int64_t>(hi, seg_len[s]));
        tab_lo[s][k2] = static_cast<int16_t>(lo);
        tab_hi[s][k2] = static_cast<int16_t>(hi);
        tab_base[s][k2] = base;
      }
    }
    // Decompose the first depth index, then advance the counters one tap at a time.
    const int64_t taps = g.KernelSize();
    int64_t c = k0 / taps, t = k0 % taps;
    int64_t t0 = t / (g.kernel[1] * g.kernel[2]);
    int64_t t1 = (t / g.kernel[2]) % g.kernel[1];
    int64_t t2 = t % g.kernel[2];
    for (int64_t p = 0; p < kc; ++p) {
      float* d = panel + p * nr;
      const float* xc = src.x + c * src.in_size;
      for (int s = 0; s < segs; ++s) {
        const int len = seg_len[s];
        const int64_t i0 = seg_o0[s] * g.stride[0] - g.pad_begin[0] + t0 * g.dilation[0];
        const int64_t i1 = seg_o1[s] * g.stride[1] - g.pad_begin[1] + t1 * g.dilation[1];
        if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1]) {
          std::memset(d, 0, static_cast<size_t>(len) * sizeof(float));
          d += len;
          continue;
        }
        const float* row = xc + (i0 * g.in[1] + i1) * g.in[2];
        int64_t base, lo, hi;
        if (tabled) {
          base = tab_base[s][t2];
          lo = tab_lo[s][t2];
          hi = tab_hi[s][t2];
        } else {
          base = seg_o2[s] * s2 - g.pad_begin[2] + t2 * g.dilation[2];
          // Valid q: 0 <= base + q * s2 < in2.
          lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
          hi = g.in[2] - base <= 0 ? 0 : (g.in[2] - base + s2 - 1) / s2;
          lo = std::min<int64_t>(lo, len);
          hi = std::max(lo, std::min<int64_t>(hi, len));
        }
        if (s2 == 1) {
          CopyRun(d, row + base, lo, hi, len);
        } else {
          if (lo > 0) std::memset(d, 0, static_cast<size_t>(lo) * sizeof(float));
          float* __restrict out = d;
          const float* __restrict in = row + base;
          for (int64_t q = lo; q < hi; ++q) out[q] = in[q * s2];
          if (hi < len) std::memset(d + hi, 0, static_cast<size_t>(len - hi) * sizeof(float));
        }
        d += len;
      }
      for (int j = cols; j < nr; ++j) panel[p * nr + j] = 0.0f;
      if (++t2 == g.kernel[2]) {
        t2 = 0;
        if (++t1 == g.kernel[1]) {
          t1 = 0;
          if (++t0 == g.kernel[0]) {
            t0 = 0;
            ++c;
          }
        }
      }
    }
  }
}

}  // namespace trt::kernels::nn
