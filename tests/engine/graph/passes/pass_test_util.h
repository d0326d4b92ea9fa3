// Test support for graph pass tests: build a small Model in code, run it with the reference
// Executor before and after one pass, and compare outputs.
//
//   PassTestGraph t;
//   auto* x = t.Input("x", DType::kFloat32, {2, 3});
//   auto* y = t.Op("Relu", {x});
//   t.Output(y);
//   bool changed = t.ApplyAndCompare("eliminate_identity");   // EXPECTs equal outputs
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/graph/passes/pass_manager.h"
#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/node_evaluator.h"
#include "tests/testing/compare.h"

namespace trt::testing {

inline graph::Attribute IntAttr(int64_t v) { return graph::Attribute::Int(v); }
inline graph::Attribute IntsAttr(std::vector<int64_t> v) {
  return graph::Attribute::Ints(std::move(v));
}
inline graph::Attribute FloatAttr(float v) { return graph::Attribute::Float(v); }

// Uniform floats in [-1, 1), or small integers in [-4, 4] when `integers` (exact sums).
inline Tensor RandomTensor(const Shape& shape, uint32_t seed, bool integers = false) {
  std::mt19937 rng(seed);
  std::vector<float> v(static_cast<size_t>(shape.NumElements()));
  std::uniform_real_distribution<float> real(-1.f, 1.f);
  std::uniform_int_distribution<int> whole(-4, 4);
  for (float& x : v) x = integers ? static_cast<float>(whole(rng)) : real(rng);
  return Tensor::FromVector(v, shape);
}

class PassTestGraph {
 public:
  explicit PassTestGraph(int opset = 17) : model_(std::make_shared<graph::Model>()) {
    model_->name = "pass_test";
    model_->opsets[""] = opset;
    model_->opsets["ai.trtserve"] = 1;
    model_->graph = std::make_shared<graph::Graph>();
    opset_ = opset;
  }

  graph::Graph& g() { return *model_->graph; }
  graph::Model& model() { return *model_; }

  graph::Value* Input(const std::string& name, DType dtype, graph::SymShape shape) {
    graph::Value* v = g().AddValue(name);
    v->dtype = dtype;
    v->shape = std::move(shape);
    v->is_graph_input = true;
    g().inputs().push_back(v);
    return v;
  }
  graph::Value* Const(const std::string& name, Tensor t) {
    graph::Value* v = g().AddValue(name);
    v->dtype = t.dtype();
    v->shape = graph::SymShape(t.shape().begin(), t.shape().end());
    v->constant = std::move(t);
    return v;
  }
  // Adds a node with `num_outputs` fresh outputs; returns the node.
  graph::Node* Node(const std::string& op, std::vector<graph::Value*> ins, int num_outputs = 1,
                    std::map<std::string, graph::Attribute, std::less<>> attrs = {},
                    const std::string& domain = "") {
    std::vector<graph::Value*> outs;
    for (int i = 0; i < num_outputs; ++i) {
      outs.push_back(g().AddValue(op + "_out" + std::to_string(counter_++)));
    }
    graph::Node* n = g().AddNode(op, domain, domain.empty() ? opset_ : 1, std::move(ins),
                                 std::move(outs), op + "_" + std::to_string(counter_++));
    n->attrs = std::move(attrs);
    return n;
  }
  graph::Value* Op(const std::string& op, std::vector<graph::Value*> ins,
                   std::map<std::string, graph::Attribute, std::less<>> attrs = {}) {
    return Node(op, std::move(ins), 1, std::move(attrs))->outputs[0];
  }
  void Output(graph::Value* v) {
    v->is_graph_output = true;
    g().outputs().push_back(v);
  }

  // Verifies and infers shapes; must be called once the graph is complete.
  void Prepare() { ASSERT_TRUE(runtime::PrepareModel(*model_).ok()); }

  // Random float inputs for static-shaped graph inputs (override with SetFeed).
  void SetFeed(const std::string& name, Tensor t) { feeds_[name] = std::move(t); }
  runtime::NamedTensors Feeds(uint32_t seed, bool integers) const {
    runtime::NamedTensors out;
    for (const graph::Value* v : model_->graph->inputs()) {
      auto it = feeds_.find(v->name);
      if (it != feeds_.end()) {
        out.emplace_back(v->name, it->second);
        continue;
      }
      std::vector<int64_t> dims;
      for (const graph::Dim& d : *v->shape) dims.push_back(d.value());
      out.emplace_back(v->name, RandomTensor(Shape(dims), seed++, integers));
    }
    return out;
  }

  StatusOr<runtime::NamedTensors> Run(const runtime::NamedTensors& feeds) const {
    TRT_ASSIGN_OR_RETURN(auto exec, runtime::Executor::Create(model_));
    return exec->Run(feeds);
  }

  // Runs one pass (cleanup or fusion) by name, then Toposort + VerifyGraph + InferShapes as
  // RunPasses does.
  StatusOr<bool> Apply(std::string_view pass_name, graph::PassContext ctx = DefaultContext()) {
    for (auto& p : graph::CreatePasses(graph::OptLevel::kAll)) {
      if (p->Name() != pass_name) continue;
      TRT_ASSIGN_OR_RETURN(bool changed, p->Run(g(), ctx));
      TRT_RETURN_IF_ERROR(g().Toposort());
      TRT_RETURN_IF_ERROR(graph::VerifyGraph(g()));
      TRT_RETURN_IF_ERROR(graph::InferShapes(g()));
      return changed;
    }
    return NotFound("no pass named " + std::string(pass_name));
  }

  static graph::PassContext DefaultContext() {
    graph::PassContext ctx;
    ctx.evaluate = runtime::MakeRegistryEvaluator();
    return ctx;
  }

  // Runs the model, applies the pass, runs again and EXPECTs equal outputs (names included).
  // Returns whether the pass changed the graph.
  bool ApplyAndCompare(std::string_view pass_name, Tolerance tol = {0, 0},
                       graph::PassContext ctx = DefaultContext(), bool integers = false) {
    const auto feeds = Feeds(7, integers);
    auto before = Run(feeds);
    EXPECT_TRUE(before.ok()) << before.status();
    auto changed = Apply(pass_name, ctx);
    EXPECT_TRUE(changed.ok()) << changed.status();
    auto after = Run(feeds);
    EXPECT_TRUE(after.ok()) << after.status();
    if (!before.ok() || !after.ok() || !changed.ok()) return false;
    EXPECT_EQ(before->size(), after->size());
    for (size_t i = 0; i < before->size() && i < after->size(); ++i) {
      EXPECT_EQ((*before)[i].first, (*after)[i].first);
      EXPECT_EQ(CompareTensors((*after)[i].second, (*before)[i].second, tol), "")
          << "output " << (*before)[i].first;
    }
    return *changed;
  }

  int Count(const std::string& op) const {
    int n = 0;
    for (const graph::Node* node : model_->graph->nodes()) n += node->op_type == op;
    return n;
  }
  // "Relu,Add,..." in node order: a cheap fingerprint for "graph unchanged" checks.
  std::string OpList() const {
    std::string s;
    for (const graph::Node* node : model_->graph->nodes()) s += node->op_type + ",";
    return s;
  }

 private:
  std::shared_ptr<graph::Model> model_;
  int opset_;
  int counter_ = 0;
  std::map<std::string, Tensor> feeds_;
};

}  // namespace trt::testing
