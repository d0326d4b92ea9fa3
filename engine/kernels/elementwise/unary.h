// One-input elementwise ops: one functor per op on the model of binary.h.
//
//   struct ReluOp {
//     static constexpr DTypeSet kTypes = kFloatTypes;
//     template <typename T> T operator()(T x) const { return x < T(0) ? T(0) : x; }
//   };
//
// The functor sees ComputeType<elem> (float for the 16-bit floats). A bool result makes the
// output dtype bool (IsNaN, IsInf); any other result is converted back to the input dtype.
// Functors with attributes are built by the factory from KernelInfo and copied into the
// kernel. Output and input are dense, same shape; the loop runs over [0, n) in parallel
// chunks on the intra-op pool.
#pragma once

#include <type_traits>

#include "engine/kernels/elementwise/binary.h"

namespace trt::kernels::elementwise {

template <typename T, typename Op>
using UnaryOutType = BinaryOutType<T, std::invoke_result_t<const Op&, ComputeType<T>>>;

// y[i] = TO(op(x[i])) for i in [0, n), op seeing ComputeType<T>. y may alias x.
template <typename T, typename TO, typename Op>
void RunUnaryOp(const T* x, TO* y, int64_t n, const Op& op, ThreadPool* pool) {
  using C = ComputeType<T>;
  ParallelRange(n, pool, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = TO(op(C(x[i])));
  });
}

// Runs `op` on input 0 into output 0 (dtype checked against Op::kTypes at run time).
template <typename Op>
Status ComputeUnary(KernelContext& ctx, const Op& op) {
  const Tensor* x = ctx.Input(0);
  if (x == nullptr) return ctx.Invalid("missing input 0");
  if (!(Op::kTypes & DTypeBit(x->dtype()))) return UnsupportedDType(ctx, x->dtype(), Op::kTypes);
  return VisitDType(x->dtype(), [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    if constexpr (TypeAllowed<T>(Op::kTypes)) {
      using TO = UnaryOutType<T, Op>;
      TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, kDTypeOf<TO>, x->shape()));
      RunUnaryOp<T>(x->data<T>(), y->data<TO>(), x->NumElements(), op, ctx.thread_pool());
    }
    return Status::Ok();
  });
}

template <typename Op>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(Op op) : op_(op) {}
  Status Compute(KernelContext& ctx) const override { return ComputeUnary(ctx, op_); }

 private:
  const Op op_;
};

template <typename Op>
StatusOr<KernelPtr> MakeUnary(Op op = Op{}) {
  return MakeKernel<UnaryKernel<Op>>(op);
}

}  // namespace trt::kernels::elementwise
