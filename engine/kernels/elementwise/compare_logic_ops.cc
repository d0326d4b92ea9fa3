// Comparisons and logic (bool outputs): Equal, Less, LessOrEqual, Greater, GreaterOrEqual,
// And, Or, Xor, Not, IsNaN, IsInf; and Where (select by a bool condition, 3-way broadcast).
// Comparisons of the 16-bit floats are done in float (exact); NaN compares unequal/false.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/kernels/elementwise/unary.h"

namespace trt::kernels::elementwise {
namespace {

struct EqualOp {
  static constexpr DTypeSet kTypes = kAllTypes;
  template <typename T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};
struct LessOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct LessOrEqualOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct GreaterOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct GreaterOrEqualOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};
struct AndOp {
  static constexpr DTypeSet kTypes = kBoolType;
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrOp {
  static constexpr DTypeSet kTypes = kBoolType;
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorOp {
  static constexpr DTypeSet kTypes = kBoolType;
  bool operator()(bool a, bool b) const { return a != b; }
};
struct NotOp {
  static constexpr DTypeSet kTypes = kBoolType;
  bool operator()(bool a) const { return !a; }
};

struct IsNaNOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  bool operator()(T x) const {
    return std::isnan(x);
  }
};

struct IsInfOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  bool detect_negative = true;
  bool detect_positive = true;
  template <typename T>
  bool operator()(T x) const {
    return std::isinf(x) && (x > 0 ? detect_positive : detect_negative);
  }
};

// Where: out = cond ? x : y. Elements are moved as raw bits of their size, so one
// instantiation per element width serves every dtype.
template <typename Bits>
void RunWhere(const ElementwisePlan& plan, const bool* cond, const Bits* x, const Bits* y,
              Bits* out, ThreadPool* pool) {
  const bool cc = plan.row_contiguous[0];
  const bool cx = plan.row_contiguous[1];
  const bool cy = plan.row_contiguous[2];
  ParallelRuns(plan, pool, [&](int64_t o, const int64_t* in, int64_t n) {
    const bool* pc = cond + in[0];
    const Bits* px = x + in[1];
    const Bits* py = y + in[2];
    Bits* po = out + o;
    if (cc && cx && cy) {
      for (int64_t i = 0; i < n; ++i) po[i] = pc[i] ? px[i] : py[i];
    } else if (!cc) {
      // One condition for the whole run: a copy or fill from one side.
      const Bits* src = *pc ? px : py;
      if (*pc ? cx : cy) {
        std::memcpy(po, src, static_cast<size_t>(n) * sizeof(Bits));
      } else {
        std::fill(po, po + n, *src);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) po[i] = pc[i] ? px[cx ? i : 0] : py[cy ? i : 0];
    }
  });
}

class WhereKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* c = ctx.Input(0);
    const Tensor* x = ctx.Input(1);
    const Tensor* y = ctx.Input(2);
    if (!c || !x || !y) return ctx.Invalid("expects three inputs");
    if (c->dtype() != DType::kBool) return UnsupportedDType(ctx, c->dtype(), kBoolType, 0);
    if (x->dtype() != y->dtype()) {
      return ctx.Invalid("X and Y dtypes differ: " + std::string(DTypeName(x->dtype())) + " and " +
                         std::string(DTypeName(y->dtype())));
    }
    if (!IsSupportedDType(x->dtype())) return UnsupportedDType(ctx, x->dtype(), kAllTypes, 1);
    const Shape shapes[3] = {c->shape(), x->shape(), y->shape()};
    auto plan = MakeElementwisePlan(shapes, 3);
    if (!plan.ok()) return ctx.Invalid(plan.status().message());
    TRT_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), plan->out_shape));
    const bool* cd = c->data<bool>();
    ThreadPool* pool = ctx.thread_pool();
    switch (DTypeSize(x->dtype())) {
      case 1:
        RunWhere(*plan, cd, x->data<uint8_t>(), y->data<uint8_t>(), out->data<uint8_t>(), pool);
        break;
      case 2:
        RunWhere(*plan, cd, x->data<uint16_t>(), y->data<uint16_t>(), out->data<uint16_t>(), pool);
        break;
      case 4:
        RunWhere(*plan, cd, x->data<uint32_t>(), y->data<uint32_t>(), out->data<uint32_t>(), pool);
        break;
      case 8:
        RunWhere(*plan, cd, x->data<uint64_t>(), y->data<uint64_t>(), out->data<uint64_t>(), pool);
        break;
      default:
        return UnsupportedDType(ctx, x->dtype(), kAllTypes, 1);
    }
    return Status::Ok();
  }
};

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

StatusOr<KernelPtr> CreateEqual(const KernelInfo& info) {
  return ew::MakeBinary<ew::EqualOp>(info);
}
StatusOr<KernelPtr> CreateLess(const KernelInfo& info) { return ew::MakeBinary<ew::LessOp>(info); }
StatusOr<KernelPtr> CreateLessOrEqual(const KernelInfo& info) {
  return ew::MakeBinary<ew::LessOrEqualOp>(info);
}
StatusOr<KernelPtr> CreateGreater(const KernelInfo& info) {
  return ew::MakeBinary<ew::GreaterOp>(info);
}
StatusOr<KernelPtr> CreateGreaterOrEqual(const KernelInfo& info) {
  return ew::MakeBinary<ew::GreaterOrEqualOp>(info);
}
StatusOr<KernelPtr> CreateAnd(const KernelInfo& info) { return ew::MakeBinary<ew::AndOp>(info); }
StatusOr<KernelPtr> CreateOr(const KernelInfo& info) { return ew::MakeBinary<ew::OrOp>(info); }
StatusOr<KernelPtr> CreateXor(const KernelInfo& info) { return ew::MakeBinary<ew::XorOp>(info); }
StatusOr<KernelPtr> CreateNot(const KernelInfo& info) { return ew::MakeUnary<ew::NotOp>(); }
StatusOr<KernelPtr> CreateIsNaN(const KernelInfo& info) { return ew::MakeUnary<ew::IsNaNOp>(); }

StatusOr<KernelPtr> CreateIsInf(const KernelInfo& info) {
  ew::IsInfOp op;
  op.detect_negative = info.GetInt("detect_negative", 1) != 0;
  op.detect_positive = info.GetInt("detect_positive", 1) != 0;
  return ew::MakeUnary(op);
}

StatusOr<KernelPtr> CreateWhere(const KernelInfo& info) { return MakeKernel<ew::WhereKernel>(); }

}  // namespace trt::kernels
