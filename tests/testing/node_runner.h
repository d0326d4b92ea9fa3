// Test helper: runs a single ONNX node through the reference executor.
//
//   NodeRunner r("Gemm", /*opset=*/13);
//   r.Input("A", a).Input("B", b).Attr("transB", int64_t{1}).Output("Y");
//   auto out = r.Run();            // StatusOr<std::vector<Tensor>>
//
// r.Isa(level).KernelName() is the kernel name the registry records for the node at that
// level ("ref", "f32_softmax__avx2", ...).
// Inputs given with ConstantInput() become initializers (as weights are in real models).
// An input named "" is an omitted optional input. Errors come back as Status so tests can
// check the message text.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/tensor.h"
#include "engine/graph/graph.h"
#include "engine/kernels/registry.h"
#include "engine/runtime/executor.h"

namespace trt::testing {

class NodeRunner {
 public:
  NodeRunner(std::string op_type, int opset, std::string domain = "")
      : op_(std::move(op_type)), domain_(std::move(domain)), opset_(opset) {}

  NodeRunner& Input(std::string name, Tensor t) {
    inputs_.push_back({std::move(name), std::move(t), false});
    return *this;
  }
  NodeRunner& ConstantInput(std::string name, Tensor t) {
    inputs_.push_back({std::move(name), std::move(t), true});
    return *this;
  }
  NodeRunner& OmittedInput() {
    inputs_.push_back({"", Tensor(), false});
    return *this;
  }
  // Kernels are created for at most this ISA level (default: ActiveIsa()).
  NodeRunner& Isa(trt::Isa isa) {
    isa_ = isa;
    return *this;
  }
  // Also lets the kernels use an intra-op pool of `threads` threads.
  NodeRunner& Threads(int threads) {
    threads_ = threads;
    return *this;
  }
  NodeRunner& Output(std::string name) {
    outputs_.push_back(std::move(name));
    return *this;
  }
  NodeRunner& Attr(const std::string& name, graph::Attribute a) {
    attrs_[name] = std::move(a);
    return *this;
  }
  NodeRunner& Attr(const std::string& name, int64_t v) {
    return Attr(name, graph::Attribute::Int(v));
  }
  NodeRunner& Attr(const std::string& name, float v) {
    return Attr(name, graph::Attribute::Float(v));
  }
  NodeRunner& Attr(const std::string& name, const std::string& v) {
    return Attr(name, graph::Attribute::String(v));
  }
  NodeRunner& Attr(const std::string& name, std::vector<int64_t> v) {
    return Attr(name, graph::Attribute::Ints(std::move(v)));
  }
  NodeRunner& Attr(const std::string& name, std::vector<float> v) {
    return Attr(name, graph::Attribute::Floats(std::move(v)));
  }

  // Builds the one-node model and runs it. Returns the outputs in Output() order.
  StatusOr<std::vector<Tensor>> Run() const {
    runtime::NamedTensors feeds;
    auto model = BuildModel(&feeds);
    runtime::ExecutorOptions options;
    options.isa = isa_;
    options.num_threads = threads_;
    TRT_ASSIGN_OR_RETURN(auto exec, runtime::Executor::Create(model, options));
    TRT_ASSIGN_OR_RETURN(auto result, exec->Run(feeds));
    std::vector<Tensor> out;
    for (auto& [name, t] : result) out.push_back(std::move(t));
    return out;
  }

  // The kernel name the registry records for the node at Isa() (what a plan stores), e.g.
  // "ref" or "f32_gemm_14x32__avx512". Input shapes and constants are known, as in a plan.
  StatusOr<std::string> KernelName() const {
    runtime::NamedTensors feeds;
    auto model = BuildModel(&feeds);
    std::string name;
    TRT_ASSIGN_OR_RETURN(auto kernel,
                         kernels::CreateKernel(*model->graph->nodes().front(), &name, isa_));
    return name;
  }

 private:
  std::shared_ptr<graph::Model> BuildModel(runtime::NamedTensors* feeds) const {
    auto model = std::make_shared<graph::Model>();
    model->name = op_ + "_test";
    model->opsets[domain_] = opset_;
    if (!domain_.empty()) model->opsets[""] = 17;
    model->graph = std::make_shared<graph::Graph>();
    graph::Graph& g = *model->graph;
    g.name = model->name;
    std::vector<graph::Value*> ins;
    for (const auto& in : inputs_) {
      if (in.name.empty()) {
        ins.push_back(nullptr);
        continue;
      }
      graph::Value* v = g.FindValue(in.name);
      if (!v) {
        v = g.AddValue(in.name);
        v->dtype = in.tensor.dtype();
        v->shape = graph::SymShape(in.tensor.shape().begin(), in.tensor.shape().end());
        if (in.constant) {
          v->constant = in.tensor;
        } else {
          v->is_graph_input = true;
          g.inputs().push_back(v);
          feeds->emplace_back(in.name, in.tensor);
        }
      }
      ins.push_back(v);
    }
    std::vector<graph::Value*> outs;
    for (const auto& name : outputs_) {
      if (name.empty()) {
        outs.push_back(nullptr);
        continue;
      }
      graph::Value* v = g.AddValue(name);
      v->is_graph_output = true;
      g.outputs().push_back(v);
      outs.push_back(v);
    }
    graph::Node* n = g.AddNode(op_, domain_, opset_, ins, outs, op_ + "_node");
    n->attrs = attrs_;
    return model;
  }

  struct In {
    std::string name;
    Tensor tensor;
    bool constant;
  };
  std::string op_;
  std::string domain_;
  int opset_;
  trt::Isa isa_ = ActiveIsa();
  int threads_ = 1;
  std::vector<In> inputs_;
  std::vector<std::string> outputs_;
  std::map<std::string, graph::Attribute, std::less<>> attrs_;
};

}  // namespace trt::testing
