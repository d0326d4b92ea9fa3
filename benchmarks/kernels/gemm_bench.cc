// FP32 GEMM micro-benchmarks: every variant of engine/kernels/gemm/variants.inc the CPU can run,
// over shapes from resnet50 (convolutions as GEMMs: M = output channels, N = output
// positions, K = input channels x taps), BERT-base (batch x seq rows against 768/3072-wide
// weights) and the batch-1 GEMV case, with the weights prepacked as in a plan. Reports
// GFLOP/s and the fraction of the measured single-core FMA peak of the variant's ISA level
// (counter "peak_frac"; the peak is probed right before each run, see fma_peak__*.cc).
//
//   build: cmake -S . -B build -DTRTSERVE_BUILD_BENCH=ON && cmake --build build --target gemm_bench
//   run:   build/benchmarks/gemm_bench [--benchmark_filter=avx512]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/base/cpu_features.h"
#include "engine/base/thread_pool.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::bench {

double FmaProbe__avx2(int64_t iters);
double FmaProbe__avx512(int64_t iters);

namespace {

using kernels::gemm::F32GemmVariant;

// Single-core FMA peak in GFLOP/s for the ISA level, probed now (best of `reps` short runs).
// The clock of a shared VM drifts by 10-20% within minutes, so each benchmark run probes the
// peak right before it and reports its own fraction (counter peak_frac); a peak measured once
// at start-up made later runs exceed "100%" on this machine.
double PeakGflops(Isa isa, int reps = 3) {
  double p = 0;
  for (int rep = 0; rep < reps; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    const double flops =
        isa == Isa::kAvx512 ? FmaProbe__avx512(1'000'000) : FmaProbe__avx2(2'000'000);
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
    {"resnet_conv4_1x1_256x196x1024", 256, 196, 1024, true},
    {"resnet_conv5_1x1_2048x49x512", 2048, 49, 512, true},
    {"bert_qkv_128x768x768", 128, 768, 768, false},
    {"bert_ffn1_128x3072x768", 128, 3072, 768, false},
    {"bert_ffn2_128x768x3072", 128, 768, 3072, false},
    {"bert_b8_qkv_1024x768x768", 1024, 768, 768, false},
    {"bert_b8_ffn1_1024x3072x768", 1024, 3072, 768, false},
    {"gemv_1x1000x2048", 1, 1000, 2048, false},
    {"large_square_1024", 1024, 1024, 1024, false},
};

// cold: the weights rotate over copies totalling >= 256 MiB, so every call streams them from
// DRAM as a whole model's weights do at batch 1 (resnet50 holds ~100 MB of weights).
// threads > 1: the GEMM splits over an intra-op pool of that many threads (the driver's own
// split, as a kernel at batch 1 runs it); GFLOP/s is then for all threads together.
void BM_F32Gemm(benchmark::State& state, const F32GemmVariant* v, Shape3 s, bool cold,
                int threads) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
  for (auto& x : a) x = d(rng);
  for (auto& x : b) x = d(rng);
  namespace g = kernels::gemm;
  g::Operand ao, bo;
  const int64_t packed_floats =
      s.conv_like ? g::PackedASize(*v, s.m, s.k) : g::PackedBSize(*v, s.k, s.n);
  const int64_t copies =
      cold ? std::max<int64_t>(2, (int64_t{256} << 20) / (packed_floats * 4) + 1) : 1;
  std::vector<AlignedBuffer> packed(copies);
  for (auto& p : packed) {
    p.reset(AlignedAlloc(packed_floats * sizeof(float)));
    float* dst = static_cast<float*>(p.get());
    if (s.conv_like) {
      g::PackAWeights(*v, {a.data(), s.k, false}, s.m, s.k, dst);
    } else {
      g::PackBWeights(*v, {b.data(), s.n, false}, s.k, s.n, dst);
    }
  }
  if (s.conv_like) {
    ao.kind = g::Operand::kPacked;
    bo.matrix = {b.data(), s.n, false};
  } else {
    bo.kind = g::Operand::kPacked;
    ao.matrix = {a.data(), s.k, false};
  }
  g::Operand& w = s.conv_like ? ao : bo;
  const g::GemmShape gs{s.m, s.n, s.k};
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
  AlignedBuffer scratch(
      AlignedAlloc((g::F32GemmScratchFloats(*v, gs, ao, bo, threads) + 16) * sizeof(float)));
  g::Epilogue ep;
  int64_t next = 0;
  const double peak = PeakGflops(v->isa);
  for (auto _ : state) {
    w.packed = static_cast<const float*>(packed[next].get());
    next = next + 1 == copies ? 0 : next + 1;
    g::F32Gemm(*v, gs, ao, bo, c.data(), s.n, ep, static_cast<float*>(scratch.get()), pool.get());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * s.m * s.n * s.k;
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOPs"] = peak;
  // GFLOP/s over the peak of all threads (threads x the single-core probe).
  state.counters["peak_frac"] = benchmark::Counter(flops * 1e-9 / (peak * threads),
                                                   benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(v->name);
}

int Register() {
  for (const auto& v : kernels::gemm::F32GemmVariants()) {
    if (static_cast<int>(v.isa) > static_cast<int>(HardwareIsa())) continue;
    for (const auto& s : kShapes) {
      for (bool cold : {false, true}) {
        if (cold && s.m * s.k < (int64_t{1} << 18)) continue;  // weights small enough to stay
        for (int threads : {1, 2}) {
          const std::string name = std::string(v.name) + "/" + s.name + (cold ? "/cold" : "") +
                                   (threads > 1 ? "/threads:2" : "");
          benchmark::RegisterBenchmark(name.c_str(), BM_F32Gemm, &v, s, cold, threads)
              ->Unit(benchmark::kMicrosecond)
              ->UseRealTime()
              ->MinTime(0.5);
        }
      }
    }
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace
}  // namespace trt::bench

BENCHMARK_MAIN();
