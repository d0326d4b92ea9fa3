// The shared broadcasting machinery of two-input elementwise ops (ncnn-style: one template,
// one functor per op).
//
// A functor describes only the scalar math:
//   struct AddOp {
//     static constexpr DTypeSet kTypes = kNumericTypes;           // accepted input dtypes
//     template <typename T> T operator()(T a, T b) const { ... }  // T = ComputeType<elem>
//   };
// Float16/BFloat16 elements are widened to float (ComputeType) before the call and narrowed
// back with round-to-nearest-even after it. A functor returning bool makes the output dtype
// bool (comparisons); otherwise the output dtype is the input dtype. Functors may carry
// attributes (Mod's fmod, BitShift's direction) and are copied into the kernel at load time.
//
// BinaryKernel<Op> checks dtypes and broadcasting at Compute (the IR may not know the dtypes
// of intermediate values at load time), builds an ElementwisePlan and runs RunBinary, whose
// inner loops are specialized for (contiguous|repeated) x (contiguous|repeated) inputs so
// the compiler can vectorize the common cases.
// Integer overflow wraps (two's complement) and never invokes UB: functors do integer
// arithmetic through WrapInt.
#pragma once

#include <algorithm>
#include <string>
#include <type_traits>

#include "engine/base/dtype.h"
#include "engine/kernels/elementwise/plan.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/registry.h"

namespace trt::kernels::elementwise {

// The arithmetic type of an element type: float for the 16-bit floats, itself otherwise.
template <typename T>
using ComputeType =
    std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

template <typename T>
inline constexpr bool kIsFloat = std::is_floating_point_v<T>;

// Unsigned type at least as wide as int, for wrapping integer arithmetic without UB
// (uint16 * uint16 would otherwise promote to signed int and may overflow).
template <typename T>
using WrapInt =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <typename T>
inline constexpr bool TypeAllowed(DTypeSet set) {
  return (set & DTypeBit(kDTypeOf<T>)) != 0;
}

// Output element type for functor result R on element type T.
template <typename T, typename R>
using BinaryOutType = std::conditional_t<std::is_same_v<R, bool>, bool, T>;

// out[i] = f(a[i], b[i]) over a two-input plan. f converts to the output type itself.
// `out` may alias `a` or `b` when that input has the output's shape (in-place use).
template <typename TA, typename TB, typename TO, typename F>
void RunBinary(const ElementwisePlan& plan, const TA* a, const TB* b, TO* out, const F& f,
               ThreadPool* pool) {
  const bool ca = plan.row_contiguous[0];
  const bool cb = plan.row_contiguous[1];
  ParallelRuns(plan, pool, [&](int64_t o, const int64_t* in, int64_t n) {
    const TA* pa = a + in[0];
    const TB* pb = b + in[1];
    TO* po = out + o;
    if (ca && cb) {
      for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
    } else if (ca) {
      const TB vb = *pb;
      for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
    } else if (cb) {
      const TA va = *pa;
      for (int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]);
    } else {
      std::fill(po, po + n, f(*pa, *pb));
    }
  });
}

// Runs functor `op` on elements of type T: widens to ComputeType, applies, converts to TO
// (BinaryOutType of the functor's result).
template <typename T, typename TO, typename Op>
void RunBinaryOp(const ElementwisePlan& plan, const T* a, const T* b, TO* out, const Op& op,
                 ThreadPool* pool) {
  using C = ComputeType<T>;
  RunBinary(
      plan, a, b, out, [&op](T x, T y) { return TO(op(C(x), C(y))); }, pool);
}

// Shapes of a two-input op, with pre-opset-7 `broadcast`/`axis` semantics when requested.
struct BinaryShapes {
  bool legacy = false;  // opset < 7 and broadcast=1
  int64_t axis = 0;
  bool has_axis = false;

  static BinaryShapes FromInfo(const KernelInfo& info) {
    BinaryShapes s;
    s.legacy = info.opset() < 7 && info.GetInt("broadcast", 0) != 0;
    s.has_axis = info.HasAttr("axis");
    s.axis = info.GetInt("axis", 0);
    return s;
  }

  StatusOr<ElementwisePlan> Plan(const KernelContext& ctx, const Shape& a, const Shape& b) const {
    Shape shapes[2] = {a, b};
    if (legacy) {
      auto bs = LegacyBroadcastShape(a, b, axis, has_axis);
      if (!bs.ok()) return ctx.Invalid(bs.status().message());
      shapes[1] = *bs;
    }
    auto plan = MakeElementwisePlan(shapes, 2);
    if (!plan.ok()) return ctx.Invalid(plan.status().message());
    return plan;
  }
};

// Fetches inputs 0 and 1, which must both be present and (if same_dtype) of one dtype.
Status GetBinaryInputs(const KernelContext& ctx, bool same_dtype, const Tensor** a,
                       const Tensor** b);
// "input dtype int8 is not supported; supported: float32, ..." as UNIMPLEMENTED.
Status UnsupportedDType(const KernelContext& ctx, DType t, DTypeSet supported, int input = 0);

template <typename Op>
class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(const KernelInfo& info, Op op) : op_(op), shapes_(BinaryShapes::FromInfo(info)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = nullptr;
    const Tensor* b = nullptr;
    TRT_RETURN_IF_ERROR(GetBinaryInputs(ctx, /*same_dtype=*/true, &a, &b));
    if (!(Op::kTypes & DTypeBit(a->dtype()))) {
      return UnsupportedDType(ctx, a->dtype(), Op::kTypes);
    }
    TRT_ASSIGN_OR_RETURN(ElementwisePlan plan, shapes_.Plan(ctx, a->shape(), b->shape()));
    return VisitDType(a->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (TypeAllowed<T>(Op::kTypes)) {
        using C = ComputeType<T>;
        using TO = BinaryOutType<T, std::invoke_result_t<const Op&, C, C>>;
        TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, kDTypeOf<TO>, plan.out_shape));
        RunBinaryOp<T>(plan, a->data<T>(), b->data<T>(), y->data<TO>(), op_, ctx.thread_pool());
      }
      return Status::Ok();
    });
  }

 private:
  const Op op_;
  const BinaryShapes shapes_;
};

template <typename Op>
StatusOr<KernelPtr> MakeBinary(const KernelInfo& info, Op op = Op{}) {
  return MakeKernel<BinaryKernel<Op>>(info, op);
}

}  // namespace trt::kernels::elementwise
