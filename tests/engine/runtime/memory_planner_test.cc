#include "engine/runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace trt::runtime {
namespace {

TEST(MemoryPlannerTest, ReusesMemoryOfDeadBuffers) {
  // A chain a -> b -> c: a and c are never live together, so they can share memory.
  std::vector<BufferRequest> r = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  MemoryPlan p = PlanMemory(r);
  EXPECT_TRUE(IsValidMemoryPlan(r, p));
  EXPECT_EQ(p.arena_bytes, 2 * 1024);  // two 64-byte-aligned slots, not three
  EXPECT_EQ(p.offsets[0], p.offsets[2]);
  for (int64_t o : p.offsets) EXPECT_EQ(o % 64, 0);
}

TEST(MemoryPlannerTest, RandomIntervalsNeverOverlapWhileLive) {
  const uint32_t seed = 20261121;
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 40);
    std::vector<BufferRequest> r(n);
    int64_t total = 0;
    for (auto& b : r) {
      b.first = static_cast<int>(rng() % 30);
      b.last = b.first + static_cast<int>(rng() % 10);
      b.bytes = static_cast<int64_t>(rng() % 5000);
      total += (b.bytes + 63) / 64 * 64 + 64;
    }
    MemoryPlan p = PlanMemory(r);
    ASSERT_TRUE(IsValidMemoryPlan(r, p)) << "seed " << seed << " trial " << trial;
    EXPECT_LE(p.arena_bytes, total);
  }
}

TEST(MemoryPlannerTest, ValidatorCatchesOverlap) {
  std::vector<BufferRequest> r = {{100, 0, 2}, {100, 1, 3}};
  MemoryPlan bad{256, {0, 64}};
  EXPECT_FALSE(IsValidMemoryPlan(r, bad));
  MemoryPlan good{256, {0, 128}};
  EXPECT_TRUE(IsValidMemoryPlan(r, good));
}

}  // namespace
}  // namespace trt::runtime
