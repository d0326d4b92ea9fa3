// Differential tests of the FP32 GEMM core (engine/kernels/gemm): every variant of
// variants.inc against the triple-loop reference, over odd sizes, tails, size 1, K across
// several depth blocks, transposed operands, every operand kind and every epilogue, with 1
// and 2 threads. Inputs are small integers, so every partial sum is exact in float and the
// comparison is exact (ASSERT_EQ), whatever the summation order. C has a sentinel border
// (ldc > n, rows past m) that must stay untouched. Variants whose ISA the CPU lacks are
// skipped with a message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/base/cpu_features.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::kernels::gemm {
namespace {

constexpr float kSentinel = -12345.0f;

std::vector<float> SmallInts(int64_t n, std::mt19937& rng, int lo = -4, int hi = 4) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(d(rng));
  return v;
}

void Sigmoidish(const void*, float* row, int64_t n) {
  for (int64_t i = 0; i < n; ++i) row[i] = 1.0f / (1.0f + std::exp(-row[i]));
}

// The custom B packer the tests use: the same matrix through the kCustom path.
void PackViaCallback(const void* ctx, int nr, int64_t first, int64_t count, int64_t k0, int64_t kc,
                     float* dst) {
  MatrixView v = *static_cast<const MatrixView*>(ctx);
  v.data += v.trans ? first * v.ld : first;
  PackB(nr, v, count, k0, kc, dst);
}

struct Case {
  int64_t m, n, k;
  bool ta, tb;
  int a_kind, b_kind;  // 0 matrix, 1 prepacked, 2 custom (B only)
  int epilogue;        // bitmask: 1 alpha, 2 row bias, 4 col bias, 8 residual, 16 relu,
                       // 32 clip, 64 callback activation
  int threads;
};

std::string Describe(const F32GemmVariant& v, const Case& c, uint32_t seed) {
  return std::string(v.name) + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) +
         " k=" + std::to_string(c.k) + " ta=" + std::to_string(c.ta) +
         " tb=" + std::to_string(c.tb) + " a_kind=" + std::to_string(c.a_kind) +
         " b_kind=" + std::to_string(c.b_kind) + " epilogue=" + std::to_string(c.epilogue) +
         " threads=" + std::to_string(c.threads) + " seed=" + std::to_string(seed);
}

void RunCase(const F32GemmVariant& v, const Case& c, uint32_t seed, ThreadPool* pool) {
  SCOPED_TRACE(Describe(v, c, seed));
  std::mt19937 rng(seed);
  const std::vector<float> a = SmallInts(c.m * c.k, rng), b = SmallInts(c.k * c.n, rng);
  const MatrixView av{a.data(), c.ta ? c.m : c.k, c.ta};
  const MatrixView bv{b.data(), c.tb ? c.k : c.n, c.tb};
  const std::vector<float> row_bias = SmallInts(c.m, rng), col_bias = SmallInts(c.n, rng);
  const int64_t ldr = c.n + 3;
  const std::vector<float> residual = SmallInts(c.m * ldr, rng);
  Epilogue ep;
  if (c.epilogue & 1) ep.alpha = 0.5f;
  if (c.epilogue & 2) ep.row_bias = row_bias.data();
  if (c.epilogue & 4) ep.col_bias = col_bias.data();
  if (c.epilogue & 8) {
    ep.residual = residual.data();
    ep.ld_residual = ldr;
  }
  if (c.epilogue & 16) ep.clamp_min = 0.0f;
  if (c.epilogue & 32) {
    ep.clamp_min = -3.0f;
    ep.clamp_max = 5.0f;
  }
  if (c.epilogue & 64) ep.activation = &Sigmoidish;

  const int64_t ldc = c.n + 5, rows = c.m + 2;
  std::vector<float> want(rows * ldc, kSentinel), got(rows * ldc, kSentinel);
  F32GemmReference({c.m, c.n, c.k}, av, bv, want.data(), ldc, ep);

  Operand ao, bo;
  std::vector<float> a_packed, b_packed;
  if (c.a_kind == 1) {
    a_packed.resize(PackedASize(v, c.m, c.k) + 1);
    PackAWeights(v, av, c.m, c.k, a_packed.data());
    ao.kind = Operand::kPacked;
    ao.packed = a_packed.data();
  } else {
    ao.kind = Operand::kMatrix;
    ao.matrix = av;
  }
  if (c.b_kind == 1) {
    b_packed.resize(PackedBSize(v, c.k, c.n) + 1);
    PackBWeights(v, bv, c.k, c.n, b_packed.data());
    bo.kind = Operand::kPacked;
    bo.packed = b_packed.data();
  } else if (c.b_kind == 2) {
    bo.kind = Operand::kCustom;
    bo.pack = &PackViaCallback;
    bo.pack_ctx = &bv;
  } else {
    bo.kind = Operand::kMatrix;
    bo.matrix = bv;
  }
  const GemmShape s{c.m, c.n, c.k};
  const int64_t floats = F32GemmScratchFloats(v, s, ao, bo, pool ? pool->num_threads() : 1);
  AlignedBuffer scratch(AlignedAlloc((floats + 16) * sizeof(float)));
  F32Gemm(v, s, ao, bo, got.data(), ldc, ep, static_cast<float*>(scratch.get()), pool);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const float w = want[i * ldc + j], g = got[i * ldc + j];
      if (std::memcmp(&w, &g, sizeof(float)) != 0) {
        FAIL() << "C[" << i << ", " << j << "] = " << g << ", expected " << w
               << (i >= c.m || j >= c.n ? " (outside the output: must stay the sentinel)" : "");
      }
    }
  }
}

class F32GemmVariantTest : public ::testing::TestWithParam<F32GemmVariant> {
 protected:
  void SetUp() override {
    if (static_cast<int>(HardwareIsa()) < static_cast<int>(GetParam().isa)) {
      GTEST_SKIP() << GetParam().name << " needs " << IsaName(GetParam().isa) << "; this CPU runs "
                   << IsaName(HardwareIsa());
    }
  }
};

TEST_P(F32GemmVariantTest, OddSizesTailsAndSizeOneMatchTheReferenceExactly) {
  const F32GemmVariant& v = GetParam();
  const int64_t mr = v.mr, nr = v.nr;
  const std::vector<int64_t> ms = {1, 2, mr - 1, mr, mr + 1, 2 * mr + 3, 37};
  const std::vector<int64_t> ns = {1, 3, nr - 1, nr, nr + 1, 2 * nr + 5, 61};
  const std::vector<int64_t> ks = {1, 2, 7, 64, 300};
  uint32_t seed = 1;
  for (int64_t m : ms) {
    for (int64_t n : ns) {
      for (int64_t k : ks) {
        Case c{m, n, k, false, false, static_cast<int>(seed % 2), static_cast<int>(seed % 3), 0, 1};
        RunCase(v, c, seed++, nullptr);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(F32GemmVariantTest, TransposedOperandsAndOperandKinds) {
  const F32GemmVariant& v = GetParam();
  uint32_t seed = 100;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      for (int a_kind : {0, 1}) {
        for (int b_kind : {0, 1, 2}) {
          Case c{v.mr + 3, 2 * v.nr + 7, 29, ta, tb, a_kind, b_kind, 0, 1};
          RunCase(v, c, seed++, nullptr);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(F32GemmVariantTest, EveryEpilogue) {
  const F32GemmVariant& v = GetParam();
  uint32_t seed = 200;
  for (int ep : {1, 2, 4, 8, 16, 32, 64, 1 | 2 | 8 | 16, 4 | 8 | 32, 2 | 4 | 8 | 64}) {
    for (int64_t k : {0, 5, 600}) {  // k = 0: the epilogue of an all-zero product
      Case c{2 * v.mr + 1, v.nr + 3, k, false, false, 1, 2, ep, 1};
      RunCase(v, c, seed++, nullptr);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(F32GemmVariantTest, TwoThreadsSplitRowsAndColumns) {
  const F32GemmVariant& v = GetParam();
  ThreadPool pool(2);
  uint32_t seed = 300;
  // Wide N (split by columns), narrow N (split by rows), large K over several depth blocks.
  for (const auto& [m, n, k] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {64, 2500, 40}, {300, 9, 70}, {1, 777, 513}, {45, 130, 1100}}) {
    Case c{m,          n, k, false, true, static_cast<int>(seed % 2), static_cast<int>(seed % 3),
           2 | 8 | 16, 2};
    RunCase(v, c, seed++, &pool);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, F32GemmVariantTest,
                         ::testing::ValuesIn(F32GemmVariants().begin(), F32GemmVariants().end()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(F32GemmSelect, GenericHasNoVariantAndEachLevelGetsItsOwn) {
  EXPECT_EQ(SelectF32Gemm(Isa::kGeneric), nullptr);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    const F32GemmVariant* v = SelectF32Gemm(isa);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->isa, isa) << v->name;
  }
}

}  // namespace
}  // namespace trt::kernels::gemm
