#include "engine/runtime/execution_context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/base/npy.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "tests/testing/compare.h"

// Counts heap allocations while enabled (global operator new replacement for this binary).
namespace {
std::atomic<bool> g_count_allocs{false};
std::atomic<int64_t> g_allocs{0};
}  // namespace

// Every replaceable non-aligned form goes through malloc/free, so all pairs match (ASan
// checks new/delete pairing).
namespace {
void* CountedAlloc(std::size_t n) {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace trt::runtime {
namespace {

const std::string kSrc = TRTSERVE_SOURCE_DIR;

std::shared_ptr<graph::Model> Digits() {
  auto m = LoadModel(kSrc + "/configs/model_repository/digits/1/model.onnx");
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

std::vector<OptimizationProfile> ThreeProfiles() {
  std::vector<OptimizationProfile> ps;
  for (const char* spec : {"latency:input=1x1x8x8", "dynamic:input=1x1x8x8..4x1x8x8..32x1x8x8",
                           "offline:input=64x1x8x8"}) {
    auto p = ParseProfileSpec(spec);
    EXPECT_TRUE(p.ok()) << p.status();
    ps.push_back(*p);
  }
  return ps;
}

Tensor Images(int64_t n) {
  auto all = ReadNpy(kSrc + "/tests/data/digits/images.npy");
  EXPECT_TRUE(all.ok());
  Tensor t(DType::kFloat32, Shape{n, 1, 8, 8});
  for (int64_t i = 0; i < n * 64; ++i) t.data<float>()[i] = all->data<float>()[i % (16 * 64)];
  return t;
}

TEST(ExecutionContextTest, EveryShapeInsideEachProfileMatchesTheReference) {
  auto model = Digits();
  auto exec = Executor::Create(model);
  ASSERT_TRUE(exec.ok());
  BuildConfig cfg;
  cfg.profiles = ThreeProfiles();
  auto plan = BuildPlan(Digits(), cfg);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ((*plan)->profiles().size(), 3u);
  const std::vector<std::pair<std::string, std::vector<int64_t>>> cases = {
      {"latency", {1}}, {"dynamic", {1, 2, 4, 7, 32}}, {"offline", {64}}};
  for (const auto& [name, batches] : cases) {
    auto index = (*plan)->FindProfile(name);
    ASSERT_TRUE(index.ok());
    auto ctx = ExecutionContext::Create(*plan, *index);
    ASSERT_TRUE(ctx.ok()) << ctx.status();
    EXPECT_GT((*ctx)->arena_bytes(), 0);
    for (int64_t b : batches) {  // one context, several shapes, no rebuild
      NamedTensors in = {{"input", Images(b)}};
      auto got = (*ctx)->Run(in);
      ASSERT_TRUE(got.ok()) << got.status();
      auto want = (*exec)->Run(in);
      ASSERT_TRUE(want.ok());
      for (size_t o = 0; o < want->size(); ++o) {
        EXPECT_EQ(testing::CompareTensors((*got)[o].second, (*want)[o].second, {0, 0}), "")
            << name << " batch " << b << " output " << o;
      }
    }
    EXPECT_EQ((*ctx)->heap_fallbacks(), 0) << name;
  }
}

TEST(ExecutionContextTest, ShapesOutsideTheProfileAreRejected) {
  BuildConfig cfg;
  cfg.profiles = ThreeProfiles();
  auto plan = BuildPlan(Digits(), cfg);
  ASSERT_TRUE(plan.ok());
  auto ctx = ExecutionContext::Create(*plan, *(*plan)->FindProfile("dynamic"));
  ASSERT_TRUE(ctx.ok());
  auto r = (*ctx)->Run({{"input", Images(33)}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(r.status().message(),
            "model 'digits': input 'input' dim 0 is 33, outside profile 'dynamic' range [1, 32]");
  auto sel = SelectProfile((*plan)->profiles(), {{"input", Shape{100, 1, 8, 8}}});
  ASSERT_FALSE(sel.ok());
  EXPECT_NE(sel.status().message().find("fit no optimization profile"), std::string::npos);
  auto best = SelectProfile((*plan)->profiles(), {{"input", Shape{1, 1, 8, 8}}});
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(*best, 0);  // latency and dynamic both accept batch 1; latency's opt is closer
}

TEST(ExecutionContextTest, DynamicModelWithoutProfileExplainsWhatToDo) {
  auto plan = BuildPlan(Digits(), BuildConfig{});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("needs an optimization profile: give --profile"),
            std::string::npos)
      << plan.status();
}

TEST(ExecutionContextTest, ProfileValidationNamesInputAndDim) {
  BuildConfig cfg;
  cfg.profiles = {*ParseProfileSpec("bad:input=1x3x8x8")};
  auto plan = BuildPlan(Digits(), cfg);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "model 'digits': profile 'bad' input 'input' dim 1 is fixed to 1 by the model, but "
            "the profile gives [3, 3]");
}

TEST(ExecutionContextTest, SteadyStateRunsDoNotTouchTheHeap) {
  BuildConfig cfg;
  cfg.profiles = ThreeProfiles();
  auto plan = BuildPlan(Digits(), cfg);
  ASSERT_TRUE(plan.ok());
  auto ctx = ExecutionContext::Create(*plan, *(*plan)->FindProfile("dynamic"));
  ASSERT_TRUE(ctx.ok());
  NamedTensors in = {{"input", Images(8)}};
  NamedTensors out;
  ASSERT_TRUE((*ctx)->Run(in, &out).ok());  // warm-up
  g_allocs = 0;
  g_count_allocs = true;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*ctx)->Run(in, &out).ok());
  g_count_allocs = false;
  EXPECT_EQ(g_allocs.load(), 0) << "heap allocations over 10 steady-state runs";
  EXPECT_EQ((*ctx)->heap_fallbacks(), 0);
}

}  // namespace
}  // namespace trt::runtime
