// Fast float32 MaxPool / AveragePool (nn/pool_f32.h) at every ISA level this CPU runs against
// the reference loops (generic level): random values with NaN and infinities sprinkled in,
// odd sizes, strides 1-3, dilation, asymmetric and oversized padding, ceil_mode,
// count_include_pad, 1-D and 2-D, windows entirely in the padding. Bit-exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/testing/isa_levels.h"

namespace trt::testing {
namespace {

Tensor Values(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-4, 4);
  Tensor t(DType::kFloat32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.NumElements(); ++i) {
    const uint32_t r = rng() % 97;
    p[i] = r == 0   ? std::numeric_limits<float>::quiet_NaN()
           : r == 1 ? -std::numeric_limits<float>::infinity()
           : r == 2 ? -0.0f
                    : d(rng);
  }
  return t;
}

struct PoolCase {
  Shape x;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t ceil_mode;
};

TEST(PoolF32Test, MaxAndAverageMatchTheReference) {
  const std::vector<PoolCase> cases = {
      {{1, 64, 112, 112}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0},  // resnet stem
      {{2, 3, 13, 17}, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 0},
      {{1, 5, 9, 11}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1},
      {{1, 4, 10, 7}, {3, 2}, {3, 1}, {2, 0, 1, 1}, {2, 1}, 0},
      {{1, 2, 6, 6}, {5, 5}, {1, 1}, {2, 2, 2, 2}, {1, 1}, 1},
      {{1, 1, 1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 0},
      {{1, 3, 4, 5}, {7, 7}, {1, 2}, {3, 3, 3, 3}, {1, 1}, 0},  // windows wider than the input
      {{1, 3, 23}, {4}, {3}, {2, 1}, {1}, 1},                   // 1-D
      {{1, 2, 8, 40}, {1, 3}, {1, 1}, {0, 1, 0, 1}, {1, 2}, 0},
  };
  uint32_t seed = 1;
  for (const PoolCase& c : cases) {
    const Tensor x = Values(c.x, seed++);
    for (const char* op : {"MaxPool", "AveragePool"}) {
      for (int64_t include_pad : {0, 1}) {
        const bool avg = std::string(op) == "AveragePool";
        if (!avg && include_pad) continue;
        bool dilated = false;
        for (int64_t d : c.dilations) dilated |= d != 1;
        if (avg && dilated) continue;  // AveragePool dilations need opset 19
        ExpectSameAtEveryLevel(std::string(op) + " x" + c.x.ToString(), [&] {
          NodeRunner r(op, avg ? 11 : 12);
          r.Input("X", x).Attr("kernel_shape", c.kernel).Attr("strides", c.strides);
          r.Attr("pads", c.pads).Attr("ceil_mode", c.ceil_mode);
          if (!avg) r.Attr("dilations", c.dilations);
          if (avg) r.Attr("count_include_pad", include_pad);
          r.Output("Y");
          return r;
        });
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(PoolF32Test, MaxPoolWithIndicesStaysOnTheReference) {
  const Tensor x = Values({1, 2, 7, 7}, 9);
  ExpectSameAtEveryLevel("MaxPool with Indices", [&] {
    NodeRunner r("MaxPool", 12);
    r.Input("X", x).Attr("kernel_shape", std::vector<int64_t>{3, 3});
    r.Attr("pads", std::vector<int64_t>{1, 1, 1, 1}).Output("Y").Output("I");
    return r;
  });
}

}  // namespace
}  // namespace trt::testing
