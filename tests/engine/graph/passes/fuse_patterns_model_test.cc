// The fusion pipeline on a real PyTorch export (tests/data/make_fusion_patterns.py): a
// block with hand-written LayerNorm and erf-GELU at opset 13 with dynamic batch/seq. After
// RunPasses(kAll) the graph must hold LayerNormalization and Gelu nodes instead of the
// decomposed ops, and still reproduce torch's output.
#include "engine/base/npy.h"
#include "engine/graph/passes/pass_manager.h"
#include "engine/runtime/model_loader.h"
#include "tests/engine/graph/passes/fusion_test_util.h"

namespace trt::graph {
namespace {

using namespace fusion_test;  // NOLINT(build/namespaces)

const std::string kDir = std::string(TRTSERVE_SOURCE_DIR) + "/tests/data/fusion_patterns/";

TEST(FusePatternsModelTest, TorchExportFusesAndMatchesTorch) {
  auto model = runtime::LoadModel(kDir + "model.onnx");
  ASSERT_TRUE(model.ok()) << model.status();
  auto input = ReadNpy(kDir + "input.npy");
  ASSERT_TRUE(input.ok()) << input.status();
  auto expected = ReadNpy(kDir + "output.npy");
  ASSERT_TRUE(expected.ok()) << expected.status();
  const Graph& g = *(*model)->graph;
  ASSERT_EQ(CountOps(g, "", "Erf"), 1);
  ASSERT_EQ(CountOps(g, "", "ReduceMean"), 4);

  const NamedTensors before = RunModel(*model, {{"x", *input}});
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(testing::CompareTensors(before[0].second, *expected, {1e-4, 1e-5}), "");

  auto records = RunPasses(*(*model)->graph, OptLevel::kAll, PassContext{});
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(CountOps(g, kTrtDomain, "LayerNormalization"), 2);
  // GELU is recognized, then fused into the preceding FusedMatMul as its activation.
  int gelu_epilogues = 0;
  for (const Node* n : g.nodes()) {
    const Attribute* a = n->FindAttr("activation");
    if (n->op_type == "FusedMatMul" && a && a->s == "Gelu") ++gelu_epilogues;
  }
  EXPECT_EQ(CountOps(g, kMsDomain, "Gelu") + gelu_epilogues, 1);
  for (const char* op : {"ReduceMean", "Sub", "Pow", "Sqrt", "Div", "Erf"}) {
    EXPECT_EQ(CountOps(g, "", op), 0) << op;
  }
  int fused_changes = 0;
  for (const auto& r : *records) {
    if (r.name == "fuse_layer_norm" || r.name == "fuse_gelu") fused_changes += r.times_changed;
  }
  EXPECT_GE(fused_changes, 2);

  const NamedTensors after = RunModel(*model, {{"x", *input}});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(testing::CompareTensors(after[0].second, *expected, {1e-4, 1e-5}), "");
  // A different batch/seq still runs (dynamic axes survive the rewrite).
  const NamedTensors other = RunModel(*model, {{"x", RandomTensor(Shape{3, 2, 16}, 41)}});
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].second.shape(), (Shape{3, 2, 16}));
}

}  // namespace
}  // namespace trt::graph
