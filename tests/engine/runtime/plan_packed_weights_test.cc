// Packed GEMM weights live in the plan file: building packs them once, SavePlan stores the
// panels, and LoadPlan hands them to the kernels (zero-copy views into the mapping) instead
// of packing again. The loaded plan computes exactly what the built one did.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "engine/base/cpu_features.h"
#include "engine/graph/onnx_import.h"
#include "engine/kernels/gemm/gemm.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "tests/testing/onnx_builder.h"

namespace trt::runtime {
namespace {

namespace fs = std::filesystem;
using testing::OnnxBuilder;
constexpr int kFloat = onnx::TensorProto::FLOAT;

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Conv (+Relu) -> Flatten -> Gemm, and a MatMul on a second input: three packed kernels.
std::shared_ptr<graph::Model> Model() {
  OnnxBuilder b(13);
  b.Input("x", kFloat, {std::string("n"), int64_t{3}, int64_t{9}, int64_t{9}});
  b.Input("t", kFloat, {std::string("n"), int64_t{37}});
  b.FloatInitializer("w", {8, 3, 3, 3}, Random(8 * 27, 1));
  b.FloatInitializer("cb", {8}, Random(8, 2));
  b.FloatInitializer("g", {8 * 49, 21}, Random(8 * 49 * 21, 3));
  b.FloatInitializer("mb", {37, 45}, Random(37 * 45, 4));
  b.Node("Conv", {"x", "w", "cb"}, {"c"}, "conv");
  b.Node("Relu", {"c"}, {"r"}, "relu");
  b.Node("Flatten", {"r"}, {"f"}, "flatten");
  b.Node("Gemm", {"f", "g"}, {"y"}, "gemm");
  b.Node("MatMul", {"t", "mb"}, {"z"}, "matmul");
  b.Output("y", kFloat, {std::string("n"), int64_t{21}});
  b.Output("z", kFloat, {std::string("n"), int64_t{45}});
  auto m = graph::ImportOnnxModel(b.Serialize(), "packed", "");
  EXPECT_TRUE(m.ok()) << m.status();
  auto model = std::make_shared<graph::Model>(std::move(m).value());
  EXPECT_TRUE(PrepareModel(*model).ok());
  return model;
}

int PackedKernels(const Plan& plan) {
  int n = 0;
  for (const auto& step : plan.program().steps) n += !step.kernel->PackedWeights().empty();
  return n;
}

NamedTensors RunPlan(const std::shared_ptr<const Plan>& plan, int64_t batch) {
  auto ctx = ExecutionContext::Create(plan, 0);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  Tensor x(DType::kFloat32, Shape{batch, 3, 9, 9}), t(DType::kFloat32, Shape{batch, 37});
  for (int64_t i = 0; i < x.NumElements(); ++i) x.data<float>()[i] = std::sin(0.3f * i);
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = std::cos(0.7f * i);
  auto out = (*ctx)->Run({{"x", x}, {"t", t}});
  EXPECT_TRUE(out.ok()) << out.status();
  NamedTensors kept;  // outputs live in the context's arena: copy them before it goes
  if (out.ok()) {
    for (const auto& [name, t] : *out) kept.emplace_back(name, t.Clone());
  }
  return kept;
}

// One profile covering batch 1..5 for both inputs of Model().
BuildConfig PlanConfig() {
  BuildConfig cfg;
  cfg.profiles = {*ParseProfileSpec("p:x=1x3x9x9..2x3x9x9..5x3x9x9,t=1x37..2x37..5x37")};
  return cfg;
}

TEST(PlanPackedWeightsTest, LoadingAdoptsTheStoredPanelsAndComputesTheSame) {
  if (ActiveIsa() == Isa::kGeneric) GTEST_SKIP() << "no optimized GEMM on this CPU/level";
  auto built = BuildPlan(Model(), PlanConfig());
  ASSERT_TRUE(built.ok()) << built.status();
  const int packed = PackedKernels(**built);
  ASSERT_EQ(packed, 3) << "Conv, Gemm and MatMul should run the packed GEMM";
  const fs::path dir = fs::temp_directory_path() / ("trtserve_packed_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "m.plan").string();
  ASSERT_TRUE(SavePlan(**built, path).ok());
  auto loaded = LoadPlan(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->packed_load_stats().adopted, packed);
  EXPECT_EQ((*loaded)->packed_load_stats().repacked, 0);
  EXPECT_EQ(PackedKernels(**loaded), packed);
  // The adopted panels are the built ones, byte for byte, and give identical outputs.
  for (size_t i = 0; i < (*built)->program().steps.size(); ++i) {
    const auto a = (*built)->program().steps[i].kernel->PackedWeights();
    const auto b = (*loaded)->program().steps[i].kernel->PackedWeights();
    ASSERT_EQ(a.size(), b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      ASSERT_EQ(a[j].size(), b[j].size());
      EXPECT_NE(a[j].data(), b[j].data());
      EXPECT_EQ(std::memcmp(a[j].data(), b[j].data(), a[j].size()), 0);
    }
  }
  for (int64_t batch : {1, 5}) {
    const NamedTensors want = RunPlan(*built, batch), got = RunPlan(*loaded, batch);
    ASSERT_EQ(want.size(), got.size());
    for (size_t o = 0; o < want.size(); ++o) {
      ASSERT_EQ(want[o].second.nbytes(), got[o].second.nbytes());
      EXPECT_EQ(
          std::memcmp(want[o].second.raw_data(), got[o].second.raw_data(), want[o].second.nbytes()),
          0)
          << want[o].first << " batch " << batch;
    }
  }
  fs::remove_all(dir);
}

// A plan whose packed weights carry another layout version (e.g. written by an older build)
// still loads: the kernels pack again from the weights and compute the same outputs.
TEST(PlanPackedWeightsTest, PanelsOfAnotherLayoutAreRepackedNotAdopted) {
  if (ActiveIsa() == Isa::kGeneric) GTEST_SKIP() << "no optimized GEMM on this CPU/level";
  auto built = BuildPlan(Model(), PlanConfig());
  ASSERT_TRUE(built.ok()) << built.status();
  const fs::path dir = fs::temp_directory_path() / ("trtserve_layout_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "m.plan").string();
  ASSERT_TRUE(SavePlan(**built, path).ok());
  // Rewrite the layout version in the metadata (same length) and fix the header checksum.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string tag =
      "\"packed_layout\": " + std::to_string(kernels::gemm::kPackedWeightsLayout);
  const size_t at = bytes.find(tag);
  ASSERT_NE(at, std::string::npos) << "the plan should record its packed layout";
  bytes[at + tag.size() - 1] = static_cast<char>(bytes[at + tag.size() - 1] + 1);
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64 over everything after the 64-byte header
  for (size_t i = 64; i < bytes.size(); ++i) {
    h ^= static_cast<unsigned char>(bytes[i]);
    h *= 1099511628211ull;
  }
  std::memcpy(bytes.data() + 24, &h, sizeof h);  // Header::checksum
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto loaded = LoadPlan(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->packed_load_stats().adopted, 0);
  EXPECT_EQ((*loaded)->packed_load_stats().repacked, PackedKernels(**built));
  const NamedTensors want = RunPlan(*built, 3), got = RunPlan(*loaded, 3);
  ASSERT_EQ(want.size(), got.size());
  for (size_t o = 0; o < want.size(); ++o) {
    EXPECT_EQ(
        std::memcmp(want[o].second.raw_data(), got[o].second.raw_data(), want[o].second.nbytes()),
        0)
        << want[o].first;
  }
  fs::remove_all(dir);
}

TEST(PlanPackedWeightsTest, KernelInfoHandsOutOnlyMatchingAlignedBlobs) {
  graph::Graph g;
  graph::Node* n = g.AddNode("MatMul", "", 13, {}, {g.AddValue("o")});
  alignas(64) static std::byte buf[256];
  kernels::PrepackedWeights w;
  w.blobs.emplace_back(buf, 128);
  w.blobs.emplace_back(buf + 4, 64);  // misaligned
  const kernels::KernelInfo info(*n, Isa::kGeneric, &w);
  EXPECT_EQ(info.Prepacked(0, 128), buf);
  EXPECT_EQ(info.Prepacked(0, 64), nullptr);   // size differs: the kernel packs itself
  EXPECT_EQ(info.Prepacked(1, 64), nullptr);   // not 64-byte aligned
  EXPECT_EQ(info.Prepacked(2, 128), nullptr);  // no such blob
  const kernels::KernelInfo none(*n, Isa::kGeneric);
  EXPECT_EQ(none.Prepacked(0, 128), nullptr);
}

}  // namespace
}  // namespace trt::runtime
