// Fast float32 unary ops (see unary_f32.h).
#include "engine/kernels/elementwise/unary_f32.h"

#include <string>

#include "engine/kernels/common/vec_math.h"
#include "engine/kernels/elementwise/plan.h"

namespace trt::kernels::elementwise {
namespace {

struct OpInfo {
  const char* name;
  vecmath::F32ArrayFn vecmath::F32VecMath::*fn;
};

OpInfo Describe(VecUnaryOp op) {
  switch (op) {
    case VecUnaryOp::kExp:
      return {"vexp", &vecmath::F32VecMath::exp};
    case VecUnaryOp::kErf:
      return {"verf", &vecmath::F32VecMath::erf};
    case VecUnaryOp::kSigmoid:
      return {"vsigmoid", &vecmath::F32VecMath::sigmoid};
    case VecUnaryOp::kTanh:
      return {"vtanh", &vecmath::F32VecMath::tanh};
    case VecUnaryOp::kGelu:
      return {"vgelu", &vecmath::F32VecMath::gelu};
    case VecUnaryOp::kGeluTanh:
      return {"vgelu_tanh", &vecmath::F32VecMath::gelu_tanh};
  }
  return {"?", nullptr};
}

class VecUnaryF32Kernel final : public Kernel {
 public:
  VecUnaryF32Kernel(vecmath::F32ArrayFn fn, std::string name, KernelPtr ref)
      : fn_(fn), name_(std::move(name)), ref_(std::move(ref)) {}

  std::string_view Name() const override { return name_; }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x == nullptr || x->dtype() != DType::kFloat32) return ref_->Compute(ctx);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, x->shape()));
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    const vecmath::F32ArrayFn fn = fn_;
    ParallelRange(x->NumElements(), ctx.thread_pool(),
                  [=](int64_t begin, int64_t end) { fn(xd + begin, yd + begin, end - begin); });
    return Status::Ok();
  }

 private:
  vecmath::F32ArrayFn fn_;
  std::string name_;
  KernelPtr ref_;
};

}  // namespace

KernelPtr VecUnaryF32OrRef(const KernelInfo& info, VecUnaryOp op, KernelPtr ref) {
  const vecmath::F32VecMath* vm = vecmath::SelectF32VecMath(info.isa());
  if (vm == nullptr || info.InputDType(0) != DType::kFloat32) return ref;
  const OpInfo d = Describe(op);
  return std::make_unique<VecUnaryF32Kernel>(
      vm->*d.fn, std::string("f32_") + d.name + "__" + vm->isa_name, std::move(ref));
}

}  // namespace trt::kernels::elementwise
