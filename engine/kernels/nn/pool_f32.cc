// PoolF32: row-wise MaxPool / AveragePool over interior runs plus per-element borders.
#include "engine/kernels/nn/pool_f32.h"

#include <algorithm>
#include <limits>

namespace trt::kernels::nn {
namespace {

constexpr int64_t kParallelOutputs = 1 << 15;

struct Job {
  bool max;
  bool include_pad;
  const WindowGeometry* g;
  const float* x;
  float* y;
};

// One window, exactly as the reference computes it.
float Window1(const Job& j, const float* xp, int64_t h_start, int64_t hlo, int64_t hhi,
              int64_t w_start) {
  const WindowGeometry& g = *j.g;
  int64_t wlo, whi;
  ValidTaps(w_start, g.in[2], g.dilation[2], g.kernel[2], &wlo, &whi);
  if (j.max) {
    float best = -std::numeric_limits<float>::infinity();
    bool first = true;
    for (int64_t kh = hlo; kh < hhi; ++kh) {
      const float* xr = xp + (h_start + kh * g.dilation[1]) * g.in[2] + w_start;
      for (int64_t kw = wlo; kw < whi; ++kw) {
        const float v = xr[kw * g.dilation[2]];
        if (first || v > best) best = v;
        first = false;
      }
    }
    return best;
  }
  float sum = 0;
  for (int64_t kh = hlo; kh < hhi; ++kh) {
    const float* xr = xp + (h_start + kh * g.dilation[1]) * g.in[2] + w_start;
    for (int64_t kw = wlo; kw < whi; ++kw) sum += xr[kw * g.dilation[2]];
  }
  int64_t ch = hhi - hlo, cw = whi - wlo;
  if (j.include_pad) {
    int64_t lo, hi;
    ValidTaps(h_start + g.pad_begin[1], g.in[1] + g.pad_begin[1] + g.pad_end[1], g.dilation[1],
              g.kernel[1], &lo, &hi);
    ch = hi - lo;
    ValidTaps(w_start + g.pad_begin[2], g.in[2] + g.pad_begin[2] + g.pad_end[2], g.dilation[2],
              g.kernel[2], &lo, &hi);
    cw = hi - lo;
  }
  const int64_t count = ch * cw;
  return count > 0 ? sum / static_cast<float>(count) : 0.0f;
}

// Output rows [begin, end) of all planes (row r = plane * out_h + oh).
void Rows(const Job& j, int64_t begin, int64_t end) {
  const WindowGeometry& g = *j.g;
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  const int64_t KH = g.kernel[1], KW = g.kernel[2], sh = g.stride[1], sw = g.stride[2];
  const int64_t dh = g.dilation[1], dw = g.dilation[2], ph = g.pad_begin[1], pw = g.pad_begin[2];
  // Columns whose window is fully inside: w_start >= 0 and w_start + (KW-1)*dw <= W-1.
  const int64_t span = (KW - 1) * dw;
  const int64_t ow_a = std::min(OW, (pw + sw - 1) / sw);
  int64_t ow_b = W - 1 - span + pw >= 0 ? (W - 1 - span + pw) / sw + 1 : 0;
  ow_b = std::clamp(ow_b, ow_a, OW);
  for (int64_t r = begin; r < end; ++r) {
    const int64_t plane = r / OH, oh = r % OH;
    const float* xp = j.x + plane * H * W;
    float* yr = j.y + r * OW;
    const int64_t h_start = oh * sh - ph;
    int64_t hlo, hhi;
    ValidTaps(h_start, H, dh, KH, &hlo, &hhi);
    for (int64_t ow = 0; ow < ow_a; ++ow) yr[ow] = Window1(j, xp, h_start, hlo, hhi, ow * sw - pw);
    for (int64_t ow = ow_b; ow < OW; ++ow) yr[ow] = Window1(j, xp, h_start, hlo, hhi, ow * sw - pw);
    if (ow_b <= ow_a) continue;
    const int64_t n = ow_b - ow_a;
    float* yo = yr + ow_a;
    if (hhi <= hlo) {  // no valid rows: the reference's empty window
      for (int64_t i = 0; i < n; ++i)
        yo[i] = Window1(j, xp, h_start, hlo, hhi, (ow_a + i) * sw - pw);
      continue;
    }
    bool first = true;
    for (int64_t kh = hlo; kh < hhi; ++kh) {
      const float* xr = xp + (h_start + kh * dh) * W + ow_a * sw - pw;
      for (int64_t kw = 0; kw < KW; ++kw) {
        const float* xs = xr + kw * dw;
        if (j.max) {
          if (first) {
            for (int64_t i = 0; i < n; ++i) yo[i] = xs[i * sw];
          } else {
            for (int64_t i = 0; i < n; ++i) {
              const float v = xs[i * sw];
              yo[i] = v > yo[i] ? v : yo[i];
            }
          }
        } else {
          if (first) {
            for (int64_t i = 0; i < n; ++i) yo[i] = 0.0f + xs[i * sw];
          } else {
            for (int64_t i = 0; i < n; ++i) yo[i] += xs[i * sw];
          }
        }
        first = false;
      }
    }
    if (!j.max) {
      int64_t ch = hhi - hlo;
      if (j.include_pad) {
        int64_t lo, hi;
        ValidTaps(h_start + ph, H + ph + g.pad_end[1], dh, KH, &lo, &hi);
        ch = hi - lo;
      }
      const float count = static_cast<float>(ch * KW);
      for (int64_t i = 0; i < n; ++i) yo[i] = yo[i] / count;
    }
  }
}

}  // namespace

bool PoolF32Applies(const WindowGeometry& g) {
  return g.spatial_rank <= 2 && g.in[0] == 1 && g.kernel[0] == 1 && g.out[0] == 1;
}

void PoolF32(bool max, bool count_include_pad, const WindowGeometry& g, int64_t planes,
             const float* x, float* y, ThreadPool* pool) {
  const Job j{max, count_include_pad, &g, x, y};
  const int64_t rows = planes * g.out[1];
  if (rows == 0 || g.out[2] == 0) return;
  if (pool == nullptr || pool->num_threads() <= 1 || rows * g.out[2] < kParallelOutputs) {
    Rows(j, 0, rows);
    return;
  }
  const Job* job = &j;
  pool->ParallelFor(rows, 4, [job](int64_t b, int64_t e) { Rows(*job, b, e); });
}

}  // namespace trt::kernels::nn
