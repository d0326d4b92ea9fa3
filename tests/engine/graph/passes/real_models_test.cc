// Runs the cleanup pipeline (with the registry evaluator) on real exported models and checks
// that outputs on the recorded .npy inputs match the un-optimized graph and that the node
// count goes down where there is something to clean up. Before/after counts are printed for the
// log.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/base/npy.h"
#include "tests/engine/graph/passes/pass_test_util.h"

namespace trt::testing {
namespace {

// `must_shrink`: whether the cleanup list has something to remove in this model.
void CheckCleanup(const std::string& model_path, const std::vector<std::string>& npy_inputs,
                  bool must_shrink) {
  auto loaded = runtime::LoadModel(std::string(TRTSERVE_SOURCE_DIR) + "/" + model_path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::shared_ptr<graph::Model> model = *loaded;
  ASSERT_EQ(model->graph->inputs().size(), 1u);
  const std::string input_name = model->graph->inputs()[0]->name;
  std::vector<runtime::NamedTensors> feeds;
  for (const auto& npy : npy_inputs) {
    auto t = ReadNpy(std::string(TRTSERVE_SOURCE_DIR) + "/" + npy);
    ASSERT_TRUE(t.ok()) << t.status();
    feeds.push_back({{input_name, *t}});
  }
  std::vector<runtime::NamedTensors> expected;
  {
    auto exec = runtime::Executor::Create(model);
    ASSERT_TRUE(exec.ok()) << exec.status();
    for (const auto& f : feeds) {
      auto out = (*exec)->Run(f);
      ASSERT_TRUE(out.ok()) << out.status();
      expected.push_back(*out);
    }
  }
  const size_t before = model->graph->num_nodes();
  auto records =
      graph::RunPasses(*model->graph, graph::OptLevel::kCleanup, PassTestGraph::DefaultContext());
  ASSERT_TRUE(records.ok()) << records.status();
  const size_t after = model->graph->num_nodes();
  std::printf("%s: %zu nodes before cleanup, %zu after;", model_path.c_str(), before, after);
  for (const auto& r : *records) std::printf(" %s x%d", r.name.c_str(), r.times_changed);
  std::printf("\n");
  if (must_shrink) {
    EXPECT_LT(after, before);
  } else {
    EXPECT_LE(after, before);
  }
  auto exec = runtime::Executor::Create(model);
  ASSERT_TRUE(exec.ok()) << exec.status();
  for (size_t i = 0; i < feeds.size(); ++i) {
    auto out = (*exec)->Run(feeds[i]);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(out->size(), expected[i].size());
    for (size_t j = 0; j < out->size(); ++j) {
      EXPECT_EQ((*out)[j].first, expected[i][j].first);
      EXPECT_EQ(CompareTensors((*out)[j].second, expected[i][j].second, {1e-4, 1e-5}), "")
          << npy_inputs[i] << " output " << expected[i][j].first;
    }
  }
}

TEST(CleanupOnRealModelsTest, ReshapeChain) {
  CheckCleanup("tests/data/reshape_chain/model.onnx",
               {"tests/data/reshape_chain/x_small.npy", "tests/data/reshape_chain/x_large.npy"},
               /*must_shrink=*/true);
}

// PyTorch already folded BatchNorm into the convolutions and exported Linear as Gemm, so
// the cleanup list finds nothing to remove; the test guards output equality.
TEST(CleanupOnRealModelsTest, Digits) {
  CheckCleanup("configs/model_repository/digits/1/model.onnx",
               {"tests/data/digits/images.npy", "tests/data/digits/image_0.npy"},
               /*must_shrink=*/false);
}

}  // namespace
}  // namespace trt::testing
