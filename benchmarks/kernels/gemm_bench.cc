// FP32 GEMM micro-benchmarks: every variant of engine/kernels/gemm/variants.inc the CPU can run,
// over shapes from resnet50 (convolutions as GEMMs: M = output channels, N = output
// positions, K = input channels x taps), BERT-base (batch x seq rows against 768/3072-wide
// weights) and the batch-1 GEMV case, with the weights prepacked as in a plan. Reports
// GFLOP/s and the fraction of the measured single-core FMA peak of the variant's ISA level
// (counter "peak_frac"; the probe runs first, see fma_peak__*.cc).
//
//   build: cmake -S . -B build -DTRTSERVE_BUILD_BENCH=ON && cmake --build build --target gemm_bench
//   run:   build/benchmarks/gemm_bench [--benchmark_filter=avx512]
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/base/cpu_features.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::bench {

double FmaProbe__avx2(int64_t iters);
double FmaProbe__avx512(int64_t iters);

namespace {

using kernels::gemm::F32GemmVariant;

// Single-core FMA peak in GFLOP/s for the ISA level (best of 5 runs of ~0.2 s).
double PeakGflops(Isa isa) {
  static double peak[3] = {0, 0, 0};
  double& p = peak[static_cast<int>(isa)];
  if (p > 0) return p;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    const double flops =
        isa == Isa::kAvx512 ? FmaProbe__avx512(4'000'000) : FmaProbe__avx2(8'000'000);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    p = std::max(p, flops / s * 1e-9);
  }
  return p;
}

struct Shape3 {
  const char* name;
  int64_t m, n, k;
  bool conv_like;  // weights are A (M x K, conv); else weights are B (K x N, Gemm/MatMul)
};

constexpr Shape3 kShapes[] = {
    {"resnet_conv2_1x1_64x3136x256", 64, 3136, 256, true},
    {"resnet_conv3_3x3_128x784x1152", 128, 784, 1152, true},
    {"resnet_conv5_3x3_512x49x4608", 512, 49, 4608, true},
    {"bert_qkv_128x768x768", 128, 768, 768, false},
    {"bert_ffn1_128x3072x768", 128, 3072, 768, false},
    {"bert_ffn2_128x768x3072", 128, 768, 3072, false},
    {"bert_b8_qkv_1024x768x768", 1024, 768, 768, false},
    {"bert_b8_ffn1_1024x3072x768", 1024, 3072, 768, false},
    {"gemv_1x1000x2048", 1, 1000, 2048, false},
    {"large_square_1024", 1024, 1024, 1024, false},
};

void BM_F32Gemm(benchmark::State& state, const F32GemmVariant* v, Shape3 s) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
  for (auto& x : a) x = d(rng);
  for (auto& x : b) x = d(rng);
  namespace g = kernels::gemm;
  g::Operand ao, bo;
  AlignedBuffer packed;
  if (s.conv_like) {
    packed.reset(AlignedAlloc(g::PackedASize(*v, s.m, s.k) * sizeof(float)));
    g::PackA(v->mr, {a.data(), s.k, false}, s.m, 0, s.k, static_cast<float*>(packed.get()));
    ao.kind = g::Operand::kPacked;
    ao.packed = static_cast<float*>(packed.get());
    bo.matrix = {b.data(), s.n, false};
  } else {
    packed.reset(AlignedAlloc(g::PackedBSize(*v, s.k, s.n) * sizeof(float)));
    g::PackB(v->nr, {b.data(), s.n, false}, s.n, 0, s.k, static_cast<float*>(packed.get()));
    bo.kind = g::Operand::kPacked;
    bo.packed = static_cast<float*>(packed.get());
    ao.matrix = {a.data(), s.k, false};
  }
  const g::GemmShape gs{s.m, s.n, s.k};
  AlignedBuffer scratch(AlignedAlloc((g::F32GemmScratchFloats(*v, gs, ao, bo, 1) + 16) * 4));
  g::Epilogue ep;
  for (auto _ : state) {
    g::F32Gemm(*v, gs, ao, bo, c.data(), s.n, ep, static_cast<float*>(scratch.get()), nullptr);
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * s.m * s.n * s.k;
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOPs"] = PeakGflops(v->isa);
  state.SetLabel(v->name);
}

int Register() {
  for (const auto& v : kernels::gemm::F32GemmVariants()) {
    if (static_cast<int>(v.isa) > static_cast<int>(HardwareIsa())) continue;
    for (const auto& s : kShapes) {
      benchmark::RegisterBenchmark((std::string(v.name) + "/" + s.name).c_str(), BM_F32Gemm, &v, s)
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.5);
    }
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace
}  // namespace trt::bench

BENCHMARK_MAIN();
