// Helpers for the fusion pass tests: build a model with OnnxBuilder, run it with the
// reference executor before and after one pass on fixed-seed random inputs, and compare.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/graph/onnx_import.h"
#include "engine/graph/passes/pass.h"
#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"
#include "engine/runtime/executor.h"
#include "tests/testing/compare.h"
#include "tests/testing/onnx_builder.h"

namespace trt::graph {

std::unique_ptr<Pass> CreateFuseActivationPass();
std::unique_ptr<Pass> CreateFuseLayerNormPass();
std::unique_ptr<Pass> CreateFuseGeluPass();

namespace fusion_test {

using runtime::NamedTensors;
using testing::DimSpec;
using testing::OnnxBuilder;

inline Tensor RandomTensor(const Shape& shape, uint32_t seed, float lo = -3, float hi = 3) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

inline std::vector<float> RandomTensorValues(int64_t n, uint32_t seed) {
  const Tensor t = RandomTensor(Shape{n}, seed, -1, 1);
  return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

inline void FloatAttr(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

inline void StringAttr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

inline void AddOpset(OnnxBuilder& b, const std::string& domain, int version) {
  auto* op = b.model().add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
}

// Imports and infers shapes (what the runtime's loader does).
inline std::shared_ptr<Model> Import(const OnnxBuilder& b) {
  auto m = ImportOnnxModel(b.Serialize(), "fusion_test", "");
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return nullptr;
  auto model = std::make_shared<Model>(std::move(m).value());
  const Status s = InferShapes(*model);
  EXPECT_TRUE(s.ok()) << s;
  return model;
}

inline NamedTensors RunModel(const std::shared_ptr<Model>& m, const NamedTensors& inputs) {
  auto exec = runtime::Executor::Create(m);
  EXPECT_TRUE(exec.ok()) << exec.status();
  if (!exec.ok()) return {};
  auto out = (*exec)->Run(inputs);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? std::move(out).value() : NamedTensors{};
}

// Runs `pass` once, then what RunPasses does after a change: Toposort, VerifyGraph,
// InferShapes. Returns whether the pass changed the graph.
inline bool ApplyPass(Pass& pass, Model& m) {
  auto changed = pass.Run(*m.graph, PassContext{});
  EXPECT_TRUE(changed.ok()) << changed.status();
  if (!changed.ok() || !*changed) return false;
  Status s = m.graph->Toposort();
  EXPECT_TRUE(s.ok()) << s;
  s = VerifyGraph(*m.graph);
  EXPECT_TRUE(s.ok()) << s;
  s = InferShapes(m);
  EXPECT_TRUE(s.ok()) << s;
  return true;
}

inline int CountOps(const Graph& g, std::string_view domain, std::string_view op) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->domain == domain && node->op_type == op;
  return n;
}

inline const Node* FindOp(const Graph& g, std::string_view domain, std::string_view op) {
  for (const Node* node : g.nodes()) {
    if (node->domain == domain && node->op_type == op) return node;
  }
  return nullptr;
}

inline void ExpectSameOutputs(const NamedTensors& after, const NamedTensors& before,
                              testing::Tolerance tol) {
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].first, before[i].first);
    EXPECT_EQ(testing::CompareTensors(after[i].second, before[i].second, tol), "")
        << "output " << before[i].first;
  }
}

// Imports `b`, runs it on `inputs`, applies `pass` and runs again; expects equal outputs.
// Returns the rewritten model (null on import failure); *changed tells whether the pass
// applied.
inline std::shared_ptr<Model> RunPassAndCompare(const OnnxBuilder& b, Pass& pass,
                                                const NamedTensors& inputs, bool* changed,
                                                testing::Tolerance tol = {1e-5, 1e-6}) {
  auto model = Import(b);
  if (!model) return nullptr;
  const NamedTensors before = RunModel(model, inputs);
  *changed = ApplyPass(pass, *model);
  const NamedTensors after = RunModel(model, inputs);
  ExpectSameOutputs(after, before, tol);
  return model;
}

}  // namespace fusion_test
}  // namespace trt::graph
