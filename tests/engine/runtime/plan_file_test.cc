#include "engine/runtime/plan_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/base/npy.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "tests/testing/compare.h"

namespace trt::runtime {
namespace {

namespace fs = std::filesystem;
const std::string kSrc = TRTSERVE_SOURCE_DIR;

std::string TempPath(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("trtserve_plan_test_" + std::to_string(getpid()));
  fs::create_directories(d);
  return (d / name).string();
}

// The PyTorch attention block: dynamic batch and seq, Shape->Gather->Concat->Reshape chains.
std::shared_ptr<Plan> BuildChainPlan() {
  auto model = LoadModel(kSrc + "/tests/data/reshape_chain/model.onnx");
  EXPECT_TRUE(model.ok()) << model.status();
  BuildConfig cfg;
  cfg.profiles = {*ParseProfileSpec("short:x=1x1x16..2x8x16..4x16x16"),
                  *ParseProfileSpec("long:x=1x16x16..1x64x16..2x128x16")};
  auto plan = BuildPlan(*model, cfg);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return *plan;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(PlanFileTest, RoundTripServesEveryProfileWithoutRebuild) {
  auto plan = BuildChainPlan();
  const std::string path = TempPath("chain.plan");
  ASSERT_TRUE(SavePlan(*plan, path).ok());
  EXPECT_TRUE(LooksLikePlanFile(path));
  auto loaded = LoadPlan(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ((*loaded)->profiles().size(), 2u);
  EXPECT_EQ((*loaded)->choices().size(), plan->choices().size());
  auto reference = LoadModel(kSrc + "/tests/data/reshape_chain/model.onnx");
  auto exec = Executor::Create(*reference);
  ASSERT_TRUE(exec.ok());
  const std::vector<std::tuple<std::string, int64_t, int64_t>> cases = {
      {"short", 1, 1}, {"short", 3, 5}, {"short", 4, 16}, {"long", 1, 16}, {"long", 2, 77}};
  for (const auto& [profile, batch, seq] : cases) {
    auto ctx = ExecutionContext::Create(*loaded, *(*loaded)->FindProfile(profile));
    ASSERT_TRUE(ctx.ok());
    Tensor x(DType::kFloat32, Shape{batch, seq, 16});
    for (int64_t i = 0; i < x.NumElements(); ++i) x.data<float>()[i] = std::sin(0.37f * i);
    auto got = (*ctx)->Run({{"x", x}});
    ASSERT_TRUE(got.ok()) << got.status();
    auto want = (*exec)->Run({{"x", x}});
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(testing::CompareTensors((*got)[0].second, (*want)[0].second, {1e-5, 1e-6}), "")
        << profile << " " << batch << "x" << seq;
    EXPECT_EQ((*ctx)->heap_fallbacks(), 0);
  }
}

TEST(PlanFileTest, CorruptedTruncatedAndForeignFilesAreRefused) {
  auto plan = BuildChainPlan();
  const std::string path = TempPath("good.plan");
  ASSERT_TRUE(SavePlan(*plan, path).ok());
  const std::string good = ReadAll(path);
  auto expect_refused = [&](const std::string& bytes, const std::string& text) {
    const std::string p = TempPath("bad.plan");
    WriteAll(p, bytes);
    auto r = LoadPlan(p);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status();
  };
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x5A;
  expect_refused(flipped, "fails its checksum (corrupted)");
  expect_refused(good.substr(0, good.size() - 100), "(truncated or corrupted)");
  expect_refused(good.substr(0, 20), "too small to be a plan");
  std::string old_version = good;
  old_version[8] = 0;  // format version 0
  expect_refused(old_version, "has format version 0 but this trtserve reads version 1");
  std::string future_isa = good;
  future_isa[12] = 9;
  expect_refused(future_isa, "requires an unknown ISA (code 9)");
  expect_refused(ReadAll(kSrc + "/configs/model_repository/digits/1/model.onnx"),
                 "is not a trtserve plan (bad magic)");
  auto missing = LoadPlan(TempPath("absent.plan"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace trt::runtime

namespace trt::runtime {
namespace {

TEST(BuilderTest, DimsFixedByEveryProfileFoldTheirShapeSubgraphs) {
  auto build = [](const std::vector<std::string>& specs, BuildReport* report) {
    auto model = LoadModel(kSrc + "/tests/data/reshape_chain/model.onnx");
    EXPECT_TRUE(model.ok());
    BuildConfig cfg;
    for (const auto& s : specs) cfg.profiles.push_back(*ParseProfileSpec(s));
    auto plan = BuildPlan(*model, cfg, report);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return *plan;
  };
  BuildReport dynamic_report, fixed_report;
  auto dynamic = build({"a:x=1x1x16..2x8x16..4x16x16"}, &dynamic_report);
  // seq is 8 in both profiles: its Shape -> Gather subgraphs become constants.
  auto fixed = build({"a:x=1x8x16..2x8x16..4x8x16", "b:x=8x8x16"}, &fixed_report);
  EXPECT_EQ(dynamic_report.specialized_dims, 0);
  EXPECT_EQ(fixed_report.specialized_dims, 1);
  EXPECT_LT(fixed_report.nodes_after, dynamic_report.nodes_after);
  auto reference = LoadModel(kSrc + "/tests/data/reshape_chain/model.onnx");
  auto exec = Executor::Create(*reference);
  Tensor x(DType::kFloat32, Shape{3, 8, 16});
  for (int64_t i = 0; i < x.NumElements(); ++i) x.data<float>()[i] = std::cos(0.11f * i);
  auto ctx = ExecutionContext::Create(fixed, 0);
  ASSERT_TRUE(ctx.ok());
  auto got = (*ctx)->Run({{"x", x}});
  ASSERT_TRUE(got.ok()) << got.status();
  auto want = (*exec)->Run({{"x", x}});
  EXPECT_EQ(testing::CompareTensors((*got)[0].second, (*want)[0].second, {1e-5, 1e-6}), "");
}

}  // namespace
}  // namespace trt::runtime
