// Tests for engine/base: Shape, Tensor, Float16, .npy, ThreadPool, CPU features.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/base/float16.h"
#include "engine/base/npy.h"
#include "engine/base/shape.h"
#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"

namespace trt {
namespace {

TEST(ShapeTest, InlineAndHeapRanks) {
  Shape s{2, 3, 4};
  EXPECT_EQ(s.NumElements(), 24);
  EXPECT_EQ(s.ToString(), "[2, 3, 4]");
  EXPECT_EQ(s.ToXString(), "2x3x4");
  EXPECT_EQ(Shape{}.NumElements(), 1);
  Shape big;
  for (int i = 0; i < 12; ++i) big.push_back(i + 1);  // spills past the inline capacity
  EXPECT_EQ(big.rank(), 12);
  Shape copy = big;
  EXPECT_EQ(copy, big);
  copy.insert(0, 7);
  EXPECT_EQ(copy[0], 7);
  EXPECT_EQ(copy[12], 12);
  copy.erase(0);
  EXPECT_EQ(copy, big);
  EXPECT_EQ(s.Strides(), (std::vector<int64_t>{12, 4, 1}));
}

TEST(TensorTest, AllocateIsAlignedAndZeroed) {
  auto t = Tensor::Allocate(DType::kFloat32, Shape{3, 5});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw_data()) % 64, 0u);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(t->data<float>()[i], 0.0f);
  Tensor r = t->Reshaped(Shape{15});
  r.data<float>()[4] = 2.5f;
  EXPECT_EQ(t->data<float>()[4], 2.5f);  // aliases
  Tensor c = t->Clone();
  c.data<float>()[4] = 1.0f;
  EXPECT_EQ(t->data<float>()[4], 2.5f);  // deep copy
}

TEST(TensorTest, RejectsHostileShapes) {
  auto neg = Tensor::Allocate(DType::kFloat32, Shape{2, -1});
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("negative dimension"), std::string::npos);
  auto huge = Tensor::Allocate(DType::kFloat32, Shape{1 << 20, 1 << 20, 1 << 20});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
}

TEST(Float16Test, RoundTripsAndRoundsToNearestEven) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.960464477539063e-08f}) {
    EXPECT_EQ(static_cast<float>(Float16(f)), f) << f;
  }
  EXPECT_TRUE(std::isinf(static_cast<float>(Float16(70000.0f))));
  EXPECT_TRUE(std::isnan(static_cast<float>(Float16(std::nanf("")))));
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even -> 1.
  EXPECT_EQ(static_cast<float>(Float16(1.0f + std::ldexp(1.0f, -11))), 1.0f);
  // 1 + 3*2^-11 is halfway between 1+2^-10 and 1+2^-9: ties to even -> 1 + 2^-9.
  EXPECT_EQ(static_cast<float>(Float16(1.0f + 3 * std::ldexp(1.0f, -11))),
            1.0f + std::ldexp(1.0f, -9));
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f)), 1.0f);
  EXPECT_EQ(static_cast<float>(BFloat16(3.140625f)), 3.140625f);
}

TEST(NpyTest, RoundTripAndErrors) {
  Tensor t(DType::kInt64, Shape{2, 3});
  for (int i = 0; i < 6; ++i) t.data<int64_t>()[i] = i * 100 - 7;
  const std::string bytes = SerializeNpy(t);
  EXPECT_EQ((bytes.size() - t.nbytes()) % 64, 0u);
  auto back = ParseNpy(bytes, "mem");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(back->data<int64_t>()[5], 493);
  auto truncated = ParseNpy(bytes.substr(0, bytes.size() - 8), "'x.npy'");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  auto f = ParseNpy(fortran, "'f.npy'");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("ascontiguousarray"), std::string::npos);
  EXPECT_FALSE(ParseNpy("garbage", "g").ok());
  Tensor scalar = Tensor::Scalar<float>(1.5f);
  auto s = ParseNpy(SerializeNpy(scalar), "s");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rank(), 0);
  EXPECT_EQ(s->data<float>()[0], 1.5f);
}

TEST(ThreadPoolTest, CoversRangeExactlyOnce) {
  ThreadPool pool(3);
  for (int64_t n : {1, 2, 7, 1000, 4097}) {
    std::vector<std::atomic<int>> hits(n);
    pool.ParallelFor(n, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i]++;
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

// Workers poll for the next job for ThreadPool::kWorkerSpin, then sleep: jobs handed over
// while they poll, and after they went to sleep, both run every chunk exactly once, and the
// workers really take part (a chunk that waits for another thread's chunk completes).
TEST(ThreadPoolTest, JobsArriveWhileWorkersSpinAndAfterTheySlept) {
  ThreadPool pool(2);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) {  // back to back: the worker is still polling
      std::atomic<int> hits{0};
      pool.ParallelFor(16, 1, [&](int64_t b, int64_t e) { hits += static_cast<int>(e - b); });
      ASSERT_EQ(hits.load(), 16);
    }
    // Let the worker's spin expire so the next job has to wake it.
    std::this_thread::sleep_for(ThreadPool::kWorkerSpin * 5);
    // Two chunks that meet: chunk 0 waits until chunk 1 has started on the other thread.
    std::atomic<bool> second_started{false};
    std::atomic<int> done{0};
    pool.ParallelFor(2, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        if (i == 1) {
          second_started = true;
        } else {
          const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (!second_started && std::chrono::steady_clock::now() < until) {
            std::this_thread::yield();
          }
        }
        ++done;
      }
    });
    EXPECT_TRUE(second_started.load());
    EXPECT_EQ(done.load(), 2);
  }
}

TEST(ThreadPoolTest, NestedCallsRunInline) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  pool.ParallelFor(8, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      pool.ParallelFor(4, 1, [&](int64_t b2, int64_t e2) { sum += (e2 - b2) * i; });
    }
  });
  EXPECT_EQ(sum.load(), 4 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
}

TEST(CpuFeaturesTest, ActiveIsaNeverExceedsHardware) {
  EXPECT_LE(static_cast<int>(ActiveIsa()), static_cast<int>(HardwareIsa()));
  Isa isa;
  EXPECT_TRUE(ParseIsa("generic", &isa));
  EXPECT_EQ(isa, Isa::kGeneric);
  EXPECT_TRUE(ParseIsa("avx512", &isa));
  EXPECT_EQ(isa, Isa::kAvx512);
  EXPECT_EQ(IsaName(Isa::kAvx512), "avx512");
  EXPECT_FALSE(ParseIsa("avx1024", &isa));
  const char* env = std::getenv("TRTSERVE_ISA");
  if (env && std::string(env) == "generic") {
    EXPECT_EQ(ActiveIsa(), Isa::kGeneric);
  }
  if (env && std::string(env) == "avx2") {
    EXPECT_LE(static_cast<int>(ActiveIsa()), static_cast<int>(Isa::kAvx2));
  }
}

TEST(CpuFeaturesTest, Avx512NeedsTheOsToSaveZmmState) {
  const CpuFeatures& f = DetectedCpuFeatures();
  if (HardwareIsa() == Isa::kAvx512) {
    EXPECT_TRUE(f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl && f.os_saves_zmm);
  }
  if (!f.os_saves_zmm || !f.avx512f) {
    EXPECT_NE(HardwareIsa(), Isa::kAvx512);
  }
}

}  // namespace
}  // namespace trt
