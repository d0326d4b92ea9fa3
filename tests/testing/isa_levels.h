// Helpers for tests that run one node at every ISA level this CPU can run and compare with
// the generic level (the scalar reference kernels), bit for bit.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/cpu_features.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {

// The optimized levels (avx2, avx512) this CPU runs, lowest first.
inline std::vector<trt::Isa> OptimizedLevels() {
  std::vector<trt::Isa> out;
  for (trt::Isa isa : {trt::Isa::kAvx2, trt::Isa::kAvx512}) {
    if (static_cast<int>(isa) <= static_cast<int>(HardwareIsa())) out.push_back(isa);
  }
  return out;
}

// Runs `make()` at generic and at every optimized level (1 and 2 threads); every output
// must match the generic one byte for byte (any dtype), or, when rtol > 0 (float32 outputs
// only), within rtol * max(|expected|, 1). Skips when the CPU runs no optimized level.
inline void ExpectSameAtEveryLevel(const std::string& what, const std::function<NodeRunner()>& make,
                                   double rtol = 0) {
  SCOPED_TRACE(what);
  auto want = make().Isa(trt::Isa::kGeneric).Run();
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  const auto levels = OptimizedLevels();
  if (levels.empty())
    GTEST_SKIP() << "this CPU runs no optimized level (" << IsaName(HardwareIsa()) << ")";
  for (trt::Isa isa : levels) {
    for (int threads : {1, 2}) {
      auto got = make().Isa(isa).Threads(threads).Run();
      ASSERT_TRUE(got.ok()) << IsaName(isa) << ": " << got.status().ToString();
      ASSERT_EQ(got->size(), want->size());
      for (size_t o = 0; o < want->size(); ++o) {
        const Tensor& w = (*want)[o];
        const Tensor& g = (*got)[o];
        ASSERT_EQ(g.dtype(), w.dtype()) << IsaName(isa);
        ASSERT_EQ(g.shape(), w.shape()) << IsaName(isa);
        const size_t es = DTypeSize(w.dtype());
        const auto* a = static_cast<const uint8_t*>(w.raw_data());
        const auto* b = static_cast<const uint8_t*>(g.raw_data());
        for (int64_t i = 0; i < w.NumElements(); ++i) {
          if (rtol > 0 && w.dtype() == DType::kFloat32) {
            const float x = w.data<float>()[i], y = g.data<float>()[i];
            ASSERT_LE(std::fabs(y - x), rtol * std::max(1.0f, std::fabs(x)))
                << IsaName(isa) << " threads " << threads << " output " << o << " element " << i
                << ": " << y << ", expected " << x;
            continue;
          }
          ASSERT_EQ(std::memcmp(a + i * es, b + i * es, es), 0)
              << IsaName(isa) << " threads " << threads << " output " << o << " element " << i;
        }
      }
    }
  }
}

}  // namespace trt::testing
