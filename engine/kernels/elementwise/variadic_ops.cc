// Variadic ops over 1..N inputs with multidirectional broadcasting: Sum, Mean, Max, Min.
// The output (the broadcast of all input shapes) is produced by the first pairwise step and
// then updated in place with each further input through the binary machinery (binary.h):
// N-1 passes over the output, no temporaries. Mean divides the sum once at the end.
// Max/Min propagate NaN, as numpy's maximum/minimum do.
#include <cmath>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/elementwise/binary.h"

namespace trt::kernels::elementwise {
namespace {

struct SumOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T a, T b) const {
    return a + b;
  }
};

struct MaxOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      if (std::isnan(a) || std::isnan(b)) return a + b;  // NaN either way
    }
    return a < b ? b : a;
  }
};

struct MinOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      if (std::isnan(a) || std::isnan(b)) return a + b;  // NaN either way
    }
    return b < a ? b : a;
  }
};

// Returns the second operand: broadcasts an input into the output.
struct TakeSecond {
  template <typename T>
  T operator()(T /*a*/, T b) const {
    return b;
  }
};

template <typename Op>
class VariadicKernel final : public Kernel {
 public:
  explicit VariadicKernel(bool mean) : mean_(mean) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<const Tensor*> in;
    std::vector<Shape> shapes;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.Input(i);
      if (t == nullptr) continue;
      if (!in.empty() && t->dtype() != in[0]->dtype()) {
        return ctx.Invalid("input dtypes differ: " + std::string(DTypeName(in[0]->dtype())) +
                           " and " + std::string(DTypeName(t->dtype())));
      }
      in.push_back(t);
      shapes.push_back(t->shape());
    }
    if (in.empty()) return ctx.Invalid("expects at least one input");
    const DType dtype = in[0]->dtype();
    if (!(Op::kTypes & DTypeBit(dtype))) return UnsupportedDType(ctx, dtype, Op::kTypes);
    if (in.size() == 1) {  // Sum/Mean/Max/Min of one tensor is the tensor
      ctx.SetOutput(0, *in[0]);
      return Status::Ok();
    }
    auto out_shape = BroadcastShape(shapes);
    if (!out_shape.ok()) return ctx.Invalid(out_shape.status().message());
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, *out_shape));
    return VisitDType(dtype, [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (TypeAllowed<T>(Op::kTypes)) {
        TRT_RETURN_IF_ERROR(Fold<T>(ctx, in, y));
      }
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  Status Fold(KernelContext& ctx, const std::vector<const Tensor*>& in, Tensor* y) const {
    ThreadPool* pool = ctx.thread_pool();
    T* out = y->data<T>();
    // Step 1: out = in0 op in1 if those two already span the output shape; otherwise out =
    // broadcast(in0) and every other input folds in below.
    size_t next = 1;
    {
      const Shape pair[2] = {in[0]->shape(), in[1]->shape()};
      TRT_ASSIGN_OR_RETURN(ElementwisePlan plan, MakeElementwisePlan(pair, 2));
      if (plan.out_shape == y->shape()) {
        RunBinaryOp<T>(plan, in[0]->data<T>(), in[1]->data<T>(), out, Op{}, pool);
        next = 2;
      } else {
        const Shape first[2] = {y->shape(), in[0]->shape()};
        TRT_ASSIGN_OR_RETURN(ElementwisePlan copy, MakeElementwisePlan(first, 2));
        RunBinaryOp<T>(copy, out, in[0]->data<T>(), out, TakeSecond{}, pool);
      }
    }
    for (size_t i = next; i < in.size(); ++i) {
      const Shape step[2] = {y->shape(), in[i]->shape()};
      TRT_ASSIGN_OR_RETURN(ElementwisePlan plan, MakeElementwisePlan(step, 2));
      RunBinaryOp<T>(plan, out, in[i]->data<T>(), out, Op{}, pool);
    }
    if (mean_) {
      using C = ComputeType<T>;
      const C n = static_cast<C>(in.size());
      ParallelRange(y->NumElements(), pool, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = T(C(out[i]) / n);
      });
    }
    return Status::Ok();
  }

  const bool mean_;
};

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

StatusOr<KernelPtr> CreateSum(const KernelInfo& info) {
  return MakeKernel<ew::VariadicKernel<ew::SumOp>>(false);
}
StatusOr<KernelPtr> CreateMean(const KernelInfo& info) {
  return MakeKernel<ew::VariadicKernel<ew::SumOp>>(true);
}
StatusOr<KernelPtr> CreateMax(const KernelInfo& info) {
  return MakeKernel<ew::VariadicKernel<ew::MaxOp>>(false);
}
StatusOr<KernelPtr> CreateMin(const KernelInfo& info) {
  return MakeKernel<ew::VariadicKernel<ew::MinOp>>(false);
}

}  // namespace trt::kernels
