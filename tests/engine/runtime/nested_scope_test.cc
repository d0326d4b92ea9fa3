// Outer-scope captures through nested If/Loop/Scan subgraphs, run by the reference executor
// and by a plan (built, saved, reloaded, run through an ExecutionContext). Each model takes
// its branch conditions as inputs, so one plan serves every branch combination.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph/onnx_import.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "tests/testing/nested_scope_models.h"

namespace trt::runtime {
namespace {

namespace fs = std::filesystem;
namespace nested = testing::nested;
using nested::Vec;

enum class Mode { kExecutor, kPlan };

std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kExecutor ? "Executor" : "SavedPlan";
}

// Runs one model either way; the plan goes through SavePlan/LoadPlan before it runs.
class ModelRunner {
 public:
  static StatusOr<std::unique_ptr<ModelRunner>> Create(const std::string& bytes,
                                                       const std::string& name, Mode mode) {
    TRT_ASSIGN_OR_RETURN(graph::Model imported, graph::ImportOnnxModel(bytes, name, ""));
    auto model = std::make_shared<graph::Model>(std::move(imported));
    TRT_RETURN_IF_ERROR(PrepareModel(*model));
    auto r = std::make_unique<ModelRunner>();
    if (mode == Mode::kExecutor) {
      TRT_ASSIGN_OR_RETURN(r->executor_, Executor::Create(model));
      return r;
    }
    TRT_ASSIGN_OR_RETURN(auto plan, BuildPlan(model, BuildConfig{}));
    const fs::path dir =
        fs::temp_directory_path() / ("trtserve_nested_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / (name + ".plan")).string();
    TRT_RETURN_IF_ERROR(SavePlan(*plan, path));
    TRT_ASSIGN_OR_RETURN(auto loaded, LoadPlan(path));
    fs::remove(path);
    TRT_ASSIGN_OR_RETURN(r->context_, ExecutionContext::Create(loaded, 0));
    return r;
  }

  StatusOr<NamedTensors> Run(const NamedTensors& inputs) {
    if (executor_) return executor_->Run(inputs);
    return context_->Run(inputs);
  }

 private:
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<ExecutionContext> context_;
};

Vec Floats(const Tensor& t) { return Vec(t.data<float>(), t.data<float>() + t.NumElements()); }

std::string CondString(const std::vector<bool>& conds) {
  std::string s;
  for (bool c : conds) s += c ? 'T' : 'F';
  return s;
}

class NestedScopeTest : public ::testing::TestWithParam<Mode> {
 protected:
  std::unique_ptr<ModelRunner> Load(const std::string& bytes, const std::string& name) {
    auto r = ModelRunner::Create(bytes, name, GetParam());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Every combination of the depth conditions, so each branch at each level is taken.
  void RunNestedIf(int depth) {
    auto runner = Load(nested::NestedIfModel(depth), "nested_if" + std::to_string(depth));
    ASSERT_TRUE(runner);
    const Vec x = {3, 5};
    for (int mask = 0; mask < (1 << depth); ++mask) {
      std::vector<bool> conds;
      NamedTensors inputs = {{"x", Tensor::FromVector<float>(x)}};
      for (int l = 1; l <= depth; ++l) {
        conds.push_back(((mask >> (l - 1)) & 1) != 0);
        inputs.emplace_back("c" + std::to_string(l), Tensor::Scalar<bool>(conds.back()));
      }
      auto out = runner->Run(inputs);
      ASSERT_TRUE(out.ok()) << CondString(conds) << ": " << out.status();
      EXPECT_EQ(Floats((*out)[0].second), nested::NestedIfExpected(depth, x, conds))
          << "conditions " << CondString(conds);
    }
  }
};

TEST_P(NestedScopeTest, VadLikeNestingTakesEveryBranch) {
  auto runner = Load(nested::VadLikeModel(), "vad_like");
  ASSERT_TRUE(runner);
  const Vec x = {3, 5};
  for (int mask = 0; mask < 16; ++mask) {
    const std::vector<bool> c = {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0,
                                 (mask & 8) != 0};
    auto out = runner->Run({{"x", Tensor::FromVector<float>(x)},
                            {"c0", Tensor::Scalar<bool>(c[0])},
                            {"c1", Tensor::Scalar<bool>(c[1])},
                            {"c4", Tensor::Scalar<bool>(c[2])},
                            {"c2", Tensor::Scalar<bool>(c[3])}});
    ASSERT_TRUE(out.ok()) << CondString(c) << ": " << out.status();
    EXPECT_EQ(Floats((*out)[0].second), nested::VadLikeExpected(x, c[0], c[1], c[2], c[3]))
        << "c0 c1 c4 c2 = " << CondString(c);
  }
}

TEST_P(NestedScopeTest, NestedIfThreeDeepTakesEveryBranch) { RunNestedIf(3); }

TEST_P(NestedScopeTest, NestedIfFourDeepTakesEveryBranch) { RunNestedIf(4); }

TEST_P(NestedScopeTest, LoopInsideIfCapturesTheEnclosingBranch) {
  auto runner = Load(nested::LoopInIfModel(), "loop_in_if");
  ASSERT_TRUE(runner);
  const Vec x = {1, 2};
  for (bool c : {true, false}) {
    for (int64_t n : {0, 1, 3}) {
      auto out = runner->Run({{"x", Tensor::FromVector<float>(x)},
                              {"c", Tensor::Scalar<bool>(c)},
                              {"n", Tensor::Scalar<int64_t>(n)}});
      ASSERT_TRUE(out.ok()) << "c=" << c << " n=" << n << ": " << out.status();
      Vec want_final, want_scan;
      nested::LoopInIfExpected(x, c, n, &want_final, &want_scan);
      EXPECT_EQ(Floats((*out)[0].second), want_final) << "c=" << c << " n=" << n;
      EXPECT_EQ(Floats((*out)[1].second), want_scan) << "c=" << c << " n=" << n;
      if (c) EXPECT_EQ((*out)[1].second.shape(), (Shape{n, 2})) << "n=" << n;
    }
  }
}

TEST_P(NestedScopeTest, ScanInsideIfCapturesTheEnclosingBranchAndRootInitializer) {
  auto runner = Load(nested::ScanInIfModel(), "scan_in_if");
  ASSERT_TRUE(runner);
  const Vec xs = {1, 2, 3, 4, 5, 6}, s0 = {1, 1};
  const Vec w(std::begin(nested::kW), std::end(nested::kW));
  for (bool c : {true, false}) {
    auto out = runner->Run({{"X", Tensor::FromVector<float>(xs, Shape{3, 2})},
                            {"s0", Tensor::FromVector<float>(s0)},
                            {"c", Tensor::Scalar<bool>(c)}});
    ASSERT_TRUE(out.ok()) << "c=" << c << ": " << out.status();
    const Vec a = nested::Plus(s0, s0), b = nested::Plus(a, s0);
    Vec want_final = a, want_ys = xs;
    if (c) {
      want_ys.clear();
      for (int i = 0; i < 3; ++i) {
        const Vec row = {xs[2 * i], xs[2 * i + 1]};
        want_final = nested::Plus(want_final, row);
        const Vec y = nested::Plus(nested::Plus(row, b), w);
        want_ys.insert(want_ys.end(), y.begin(), y.end());
      }
    }
    EXPECT_EQ(Floats((*out)[0].second), want_final) << "c=" << c;
    EXPECT_EQ(Floats((*out)[1].second), want_ys) << "c=" << c;
  }
}

INSTANTIATE_TEST_SUITE_P(BothModes, NestedScopeTest,
                         ::testing::Values(Mode::kExecutor, Mode::kPlan), ModeName);

}  // namespace
}  // namespace trt::runtime
