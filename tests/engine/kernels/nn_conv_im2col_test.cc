// The implicit im2col packer (engine/kernels/nn/im2col.h) against a direct evaluation of the
// patch matrix. Geometries cover padding on every side, strides 1 (run copies) and 2,
// dilation, 1-D to 3-D windows, panel widths of both GEMM variants and more, and sub-ranges
// of positions and depth. The input ends at a guard page, and the panels are followed by
// sentinels that must survive.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/nn/im2col.h"
#include "tests/testing/guarded_buffer.h"

namespace trt::kernels::nn {
namespace {

struct Geo {
  int rank;
  std::array<int64_t, 3> in, kernel, stride, dilation, pad_begin, pad_end;
  int64_t channels;
};

WindowGeometry Make(const Geo& g) {
  WindowGeometry w;
  w.spatial_rank = g.rank;
  w.in = g.in;
  w.kernel = g.kernel;
  w.stride = g.stride;
  w.dilation = g.dilation;
  w.pad_begin = g.pad_begin;
  w.pad_end = g.pad_end;
  for (int d = 0; d < 3; ++d) {
    const int64_t span = (g.kernel[d] - 1) * g.dilation[d] + 1;
    w.out[d] = (g.in[d] + g.pad_begin[d] + g.pad_end[d] - span) / g.stride[d] + 1;
  }
  return w;
}

// Element (depth p, position j) of the patch matrix.
float Patch(const WindowGeometry& g, const float* x, int64_t p, int64_t j) {
  const int64_t taps = g.KernelSize();
  const int64_t c = p / taps, t = p % taps;
  const int64_t t0 = t / (g.kernel[1] * g.kernel[2]), t1 = (t / g.kernel[2]) % g.kernel[1],
                t2 = t % g.kernel[2];
  const int64_t o0 = j / (g.out[1] * g.out[2]), o1 = (j / g.out[2]) % g.out[1], o2 = j % g.out[2];
  const int64_t i0 = o0 * g.stride[0] - g.pad_begin[0] + t0 * g.dilation[0];
  const int64_t i1 = o1 * g.stride[1] - g.pad_begin[1] + t1 * g.dilation[1];
  const int64_t i2 = o2 * g.stride[2] - g.pad_begin[2] + t2 * g.dilation[2];
  if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1] || i2 < 0 || i2 >= g.in[2]) return 0;
  return x[c * g.InSize() + (i0 * g.in[1] + i1) * g.in[2] + i2];
}

constexpr float kSentinel = -12345.0f;

TEST(ConvIm2colPacker, WritesTheExactPatchPanels) {
  const std::vector<Geo> geos = {
      // resnet-like 3x3 pad 1 on 14x14, 7x7 and 56x56 (stride 1), and a stride-2 3x3
      {2, {1, 14, 14}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}, 3},
      {2, {1, 7, 7}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}, 2},
      {2, {1, 56, 56}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}, 1},
      {2, {1, 15, 17}, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 0}, {0, 2, 1}, 2},
      // 7x7 stride 2 pad 3 (resnet's stem), asymmetric pads, dilation, wide pads
      {2, {1, 30, 30}, {1, 7, 7}, {1, 2, 2}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}, 3},
      {2, {1, 9, 40}, {1, 2, 5}, {1, 1, 1}, {1, 2, 3}, {0, 2, 4}, {0, 0, 5}, 2},
      {2, {1, 5, 3}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 2, 4}, {0, 2, 4}, 2},  // pad > input
      // 1-D, 3-D, size 1
      {1, {1, 1, 29}, {1, 1, 4}, {1, 1, 3}, {1, 1, 2}, {0, 0, 2}, {0, 0, 1}, 5},
      {3, {5, 6, 7}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 2},
      {2, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 1},
      // a last dim wider than a panel (runs longer than 32 and 64 columns)
      {2, {1, 3, 100}, {1, 1, 3}, {1, 1, 1}, {1, 1, 1}, {0, 0, 1}, {0, 0, 1}, 2},
  };
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Geo& geo : geos) {
    const WindowGeometry g = Make(geo);
    const int64_t positions = g.OutSize(), depth = geo.channels * g.KernelSize();
    testing::GuardedFloats x(geo.channels * g.InSize());
    ASSERT_NE(x.data(), nullptr);
    for (int64_t i = 0; i < geo.channels * g.InSize(); ++i) x.data()[i] = dist(rng);
    const Im2colSource src{x.data(), &g, g.InSize()};
    for (int nr : {1, 6, 16, 32, 64}) {
      const std::vector<std::pair<int64_t, int64_t>> pos_ranges = {
          {0, positions}, {positions / 3, positions - positions / 3}, {positions - 1, 1}};
      const std::vector<std::pair<int64_t, int64_t>> depth_ranges = {
          {0, depth}, {depth / 2, depth - depth / 2}, {depth - 1, 1}};
      for (const auto& [first, count] : pos_ranges) {
        for (const auto& [k0, kc] : depth_ranges) {
          SCOPED_TRACE("in " + std::to_string(g.in[0]) + "x" + std::to_string(g.in[1]) + "x" +
                       std::to_string(g.in[2]) + " nr " + std::to_string(nr) + " positions [" +
                       std::to_string(first) + ", +" + std::to_string(count) + ") depth [" +
                       std::to_string(k0) + ", +" + std::to_string(kc) + ")");
          const int64_t panels = (count + nr - 1) / nr;
          const int64_t floats = panels * nr * kc;
          std::vector<float> got(floats + nr, kSentinel);
          PackPatches(&src, nr, first, count, k0, kc, got.data());
          for (int64_t jp = 0; jp < panels; ++jp) {
            for (int64_t p = 0; p < kc; ++p) {
              for (int64_t jj = 0; jj < nr; ++jj) {
                const int64_t j = jp * nr + jj;
                const float expect = j < count ? Patch(g, x.data(), k0 + p, first + j) : 0.0f;
                ASSERT_EQ(got[(jp * kc + p) * nr + jj], expect)
                    << "panel " << jp << " depth " << p << " column " << jj;
              }
            }
          }
          for (int64_t i = floats; i < floats + nr; ++i) ASSERT_EQ(got[i], kSentinel);
        }
      }
    }
  }
}

}  // namespace
}  // namespace trt::kernels::nn
