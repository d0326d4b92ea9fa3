// If (opset 1+) and Loop (opset 1+): run attribute subgraphs through the executor's
// SubgraphRunner; bodies see enclosing-scope values. Sequence/optional-typed values are
// rejected by import, so only tensors flow through here.
#include <limits>
#include <string>
#include <vector>

#include "engine/kernels/controlflow/subgraph_util.h"

namespace trt::kernels {
namespace {

using controlflow::ReadBoolScalar;

class IfKernel final : public Kernel {
 public:
  IfKernel(const graph::Graph* then_g, const graph::Graph* else_g) : then_(then_g), else_(else_g) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* cond_t = ctx.Input(0);
    if (!cond_t) return ctx.Invalid("input 0 (cond) is required");
    TRT_ASSIGN_OR_RETURN(bool cond, ReadBoolScalar(ctx, *cond_t, "input 0 (cond)"));
    SubgraphRunner* runner = ctx.subgraphs();
    if (!runner) return ctx.Unsupported("the executor cannot run subgraphs");
    const graph::Graph& branch = cond ? *then_ : *else_;
    TRT_ASSIGN_OR_RETURN(std::vector<Tensor> outs, runner->Run(branch, {}));
    if (static_cast<int>(outs.size()) != ctx.num_outputs()) {
      return ctx.Invalid(std::string(cond ? "then_branch" : "else_branch") + " produced " +
                         std::to_string(outs.size()) + " outputs, the node has " +
                         std::to_string(ctx.num_outputs()));
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.SetOutput(i, std::move(outs[i]));
    return Status::Ok();
  }

 private:
  const graph::Graph* then_;
  const graph::Graph* else_;
};

// Loop: inputs (M, cond, v_initial...), body (iter, cond_in, v...) -> (cond_out, v..., scan...),
// outputs (v_final..., scan outputs stacked along a new axis 0).
class LoopKernel final : public Kernel {
 public:
  LoopKernel(const graph::Graph* body, int num_carried, int num_scan)
      : body_(body), num_carried_(num_carried), num_scan_(num_scan) {}

  Status Compute(KernelContext& ctx) const override {
    int64_t max_trips = std::numeric_limits<int64_t>::max();
    if (const Tensor* m = ctx.Input(0)) {
      if (m->dtype() != DType::kInt64 || m->NumElements() != 1) {
        return ctx.Invalid("input 0 (M) must be an int64 tensor with one element, got " +
                           m->Description());
      }
      max_trips = *m->data<int64_t>();
    }
    bool cond = true;
    if (const Tensor* c = ctx.Input(1)) {
      TRT_ASSIGN_OR_RETURN(cond, ReadBoolScalar(ctx, *c, "input 1 (cond)"));
    }
    std::vector<Tensor> carried;
    for (int i = 0; i < num_carried_; ++i) {
      const Tensor* v = ctx.Input(2 + i);
      if (!v) return ctx.Invalid("loop-carried input " + std::to_string(2 + i) + " is missing");
      carried.push_back(*v);
    }
    SubgraphRunner* runner = ctx.subgraphs();
    if (!runner) return ctx.Unsupported("the executor cannot run subgraphs");
    std::vector<std::vector<Tensor>> scans(num_scan_);
    std::vector<Tensor> body_in(2 + num_carried_);
    for (int64_t iter = 0; iter < max_trips && cond; ++iter) {
      body_in[0] = Tensor::Scalar<int64_t>(iter);
      body_in[1] = Tensor::Scalar<bool>(cond);
      for (int i = 0; i < num_carried_; ++i) body_in[2 + i] = std::move(carried[i]);
      TRT_ASSIGN_OR_RETURN(std::vector<Tensor> outs, runner->Run(*body_, body_in));
      if (static_cast<int>(outs.size()) != 1 + num_carried_ + num_scan_) {
        return ctx.Invalid("body produced " + std::to_string(outs.size()) + " outputs, expected " +
                           std::to_string(1 + num_carried_ + num_scan_));
      }
      TRT_ASSIGN_OR_RETURN(cond, ReadBoolScalar(ctx, outs[0], "body output 0 (cond)"));
      for (int i = 0; i < num_carried_; ++i) carried[i] = std::move(outs[1 + i]);
      for (int k = 0; k < num_scan_; ++k) scans[k].push_back(std::move(outs[1 + num_carried_ + k]));
    }
    for (int i = 0; i < num_carried_ && i < ctx.num_outputs(); ++i) {
      ctx.SetOutput(i, std::move(carried[i]));
    }
    for (int k = 0; k < num_scan_ && num_carried_ + k < ctx.num_outputs(); ++k) {
      const std::string what = "scan output " + std::to_string(k);
      Tensor stacked;
      if (scans[k].empty()) {
        TRT_ASSIGN_OR_RETURN(stacked, controlflow::EmptyStack(
                                          ctx, *body_->outputs()[1 + num_carried_ + k], 0, what));
      } else {
        TRT_ASSIGN_OR_RETURN(stacked, controlflow::StackSlices(ctx, scans[k], 0, false, what));
      }
      ctx.SetOutput(num_carried_ + k, std::move(stacked));
    }
    return Status::Ok();
  }

 private:
  const graph::Graph* body_;
  int num_carried_;
  int num_scan_;
};

}  // namespace

StatusOr<KernelPtr> CreateIf(const KernelInfo& info) {
  const graph::Graph* then_g = info.GetGraph("then_branch");
  const graph::Graph* else_g = info.GetGraph("else_branch");
  if (!then_g || !else_g) {
    return info.Invalid("graph attributes then_branch and else_branch are required");
  }
  for (const graph::Graph* g : {then_g, else_g}) {
    if (static_cast<int>(g->outputs().size()) != info.num_outputs()) {
      return info.Invalid(std::string(g == then_g ? "then_branch" : "else_branch") + " has " +
                          std::to_string(g->outputs().size()) + " outputs, the node has " +
                          std::to_string(info.num_outputs()));
    }
  }
  return MakeKernel<IfKernel>(then_g, else_g);
}

StatusOr<KernelPtr> CreateLoop(const KernelInfo& info) {
  const graph::Graph* body = info.GetGraph("body");
  if (!body) return info.Invalid("graph attribute body is required");
  const int num_carried = info.num_inputs() - 2;
  if (num_carried < 0) {
    return info.Invalid("expected inputs (M, cond, v_initial...), got " +
                        std::to_string(info.num_inputs()) + " inputs");
  }
  if (static_cast<int>(body->inputs().size()) != 2 + num_carried) {
    return info.Invalid("body has " + std::to_string(body->inputs().size()) +
                        " inputs, expected 2 + " + std::to_string(num_carried) +
                        " loop-carried values (iteration_num, cond, v...)");
  }
  const int num_scan = static_cast<int>(body->outputs().size()) - 1 - num_carried;
  if (num_scan < 0) {
    return info.Invalid("body has " + std::to_string(body->outputs().size()) +
                        " outputs, expected at least 1 + " + std::to_string(num_carried) +
                        " (cond, v...)");
  }
  if (info.num_outputs() > num_carried + num_scan) {
    return info.Invalid("node has " + std::to_string(info.num_outputs()) +
                        " outputs but the body yields only " + std::to_string(num_carried) +
                        " loop-carried + " + std::to_string(num_scan) + " scan outputs");
  }
  return MakeKernel<LoopKernel>(body, num_carried, num_scan);
}

}  // namespace trt::kernels
