// Two-input arithmetic and bitwise ops: Add, Sub, Mul, Div, Mod, Pow, BitShift,
// BitwiseAnd/Or/Xor. Functors for BinaryKernel (binary.h) except Pow, whose base and
// exponent may have different dtypes (opset 12+).
// Integer division and modulo by zero give 0 (numpy's result; C would trap), and
// INT_MIN / -1 wraps instead of trapping.
#include <cmath>
#include <string>

#include "engine/kernels/elementwise/binary.h"
#include "engine/kernels/elementwise/convert.h"

namespace trt::kernels::elementwise {

Status GetBinaryInputs(const KernelContext& ctx, bool same_dtype, const Tensor** a,
                       const Tensor** b) {
  *a = ctx.Input(0);
  *b = ctx.Input(1);
  if (*a == nullptr || *b == nullptr) return ctx.Invalid("expects two inputs");
  if (same_dtype && (*a)->dtype() != (*b)->dtype()) {
    return ctx.Invalid("input dtypes differ: " + std::string(DTypeName((*a)->dtype())) + " and " +
                       std::string(DTypeName((*b)->dtype())));
  }
  return Status::Ok();
}

Status UnsupportedDType(const KernelContext& ctx, DType t, DTypeSet supported, int input) {
  return ctx.Unsupported("input " + std::to_string(input) + " dtype " + std::string(DTypeName(t)) +
                         " is not supported; supported: " + DTypeSetToString(supported));
}

namespace {

struct AddOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return a + b;
    } else {
      return T(WrapInt<T>(a) + WrapInt<T>(b));
    }
  }
};

struct SubOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return a - b;
    } else {
      return T(WrapInt<T>(a) - WrapInt<T>(b));
    }
  }
};

struct MulOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return a * b;
    } else {
      return T(WrapInt<T>(a) * WrapInt<T>(b));
    }
  }
};

struct DivOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return a / b;
    } else {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(WrapInt<T>(0) - WrapInt<T>(a));  // INT_MIN / -1 wraps
      }
      return T(a / b);  // C truncates toward zero
    }
  }
};

// Mod with fmod=0: the result takes the sign of the divisor (Python/numpy `%`).
struct ModOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      T r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    } else {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);  // avoids the INT_MIN % -1 trap
        T r = T(a % b);
        if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
        return r;
      } else {
        return T(a % b);
      }
    }
  }
};

// Mod with fmod=1: the result takes the sign of the dividend (C fmod / `%`).
struct FModOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) {
      return std::fmod(a, b);
    } else {
      if (b == 0) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);
      }
      return T(a % b);
    }
  }
};

// Shifts by >= the bit width give 0 (C leaves them undefined).
struct ShiftLeftOp {
  static constexpr DTypeSet kTypes = kUnsignedIntTypes;
  template <typename T>
  T operator()(T a, T b) const {
    return b >= sizeof(T) * 8 ? T(0) : T(WrapInt<T>(a) << b);
  }
};

struct ShiftRightOp {
  static constexpr DTypeSet kTypes = kUnsignedIntTypes;
  template <typename T>
  T operator()(T a, T b) const {
    return b >= sizeof(T) * 8 ? T(0) : T(a >> b);
  }
};

struct BitwiseAndOp {
  static constexpr DTypeSet kTypes = kIntTypes | kBoolType;
  template <typename T>
  T operator()(T a, T b) const {
    return T(a & b);
  }
};

struct BitwiseOrOp {
  static constexpr DTypeSet kTypes = kIntTypes | kBoolType;
  template <typename T>
  T operator()(T a, T b) const {
    return T(a | b);
  }
};

struct BitwiseXorOp {
  static constexpr DTypeSet kTypes = kIntTypes | kBoolType;
  template <typename T>
  T operator()(T a, T b) const {
    return T(a ^ b);
  }
};

// ---- Pow: the base's dtype is the output dtype; the exponent may be any numeric type.

inline constexpr DTypeSet kPowBaseTypes = kNumericTypes;
inline constexpr DTypeSet kPowExponentTypes = kNumericTypes;

// Integer power by squaring with wrapping overflow. Negative exponents truncate 1/a^|e|
// toward zero (only |a| == 1 gives a non-zero result).
template <typename T, typename E>
T IntPow(T a, E e) {
  if constexpr (std::is_signed_v<E>) {
    if (e < 0) {
      if (a == T(1)) return T(1);
      if constexpr (std::is_signed_v<T>) {
        if (a == T(-1)) return (e % 2 == 0) ? T(1) : T(-1);
      }
      return T(0);
    }
  }
  WrapInt<T> result = 1;
  WrapInt<T> base = WrapInt<T>(a);
  for (auto n = static_cast<std::make_unsigned_t<E>>(e); n != 0; n >>= 1) {
    if (n & 1) result = WrapInt<T>(result * base);
    base = WrapInt<T>(base * base);
  }
  return T(result);
}

template <typename T, typename E>
T PowElement(T a, E e) {
  using C = ComputeType<T>;
  using CE = ComputeType<E>;
  if constexpr (kIsFloat<C>) {
    // float ** float stays in float like numpy's float32 power; other exponents go through
    // double.
    if constexpr (std::is_same_v<C, float> && std::is_same_v<CE, float>) {
      return T(std::pow(C(a), CE(e)));
    } else {
      return T(static_cast<C>(std::pow(static_cast<double>(C(a)), static_cast<double>(CE(e)))));
    }
  } else if constexpr (kIsFloat<CE>) {
    return SaturateToInt<T>(std::pow(static_cast<double>(a), static_cast<double>(CE(e))));
  } else {
    return IntPow(a, e);
  }
}

class PowKernel final : public Kernel {
 public:
  explicit PowKernel(const KernelInfo& info) : shapes_(BinaryShapes::FromInfo(info)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = nullptr;
    const Tensor* b = nullptr;
    TRT_RETURN_IF_ERROR(GetBinaryInputs(ctx, /*same_dtype=*/false, &a, &b));
    if (!(kPowBaseTypes & DTypeBit(a->dtype()))) {
      return UnsupportedDType(ctx, a->dtype(), kPowBaseTypes, 0);
    }
    if (!(kPowExponentTypes & DTypeBit(b->dtype()))) {
      return UnsupportedDType(ctx, b->dtype(), kPowExponentTypes, 1);
    }
    TRT_ASSIGN_OR_RETURN(ElementwisePlan plan, shapes_.Plan(ctx, a->shape(), b->shape()));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), plan.out_shape));
    VisitDType(a->dtype(), [&](auto base_tag) {
      using T = typename decltype(base_tag)::type;
      if constexpr (TypeAllowed<T>(kPowBaseTypes)) {
        VisitDType(b->dtype(), [&](auto exp_tag) {
          using E = typename decltype(exp_tag)::type;
          if constexpr (TypeAllowed<E>(kPowExponentTypes)) {
            RunBinary(
                plan, a->data<T>(), b->data<E>(), y->data<T>(),
                [](T x, E e) { return PowElement(x, e); }, ctx.thread_pool());
          }
        });
      }
    });
    return Status::Ok();
  }

 private:
  const BinaryShapes shapes_;
};

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

StatusOr<KernelPtr> CreateAdd(const KernelInfo& info) { return ew::MakeBinary<ew::AddOp>(info); }
StatusOr<KernelPtr> CreateSub(const KernelInfo& info) { return ew::MakeBinary<ew::SubOp>(info); }
StatusOr<KernelPtr> CreateMul(const KernelInfo& info) { return ew::MakeBinary<ew::MulOp>(info); }
StatusOr<KernelPtr> CreateDiv(const KernelInfo& info) { return ew::MakeBinary<ew::DivOp>(info); }
StatusOr<KernelPtr> CreatePow(const KernelInfo& info) { return MakeKernel<ew::PowKernel>(info); }

StatusOr<KernelPtr> CreateMod(const KernelInfo& info) {
  const int64_t fmod = info.GetInt("fmod", 0);
  if (fmod != 0 && fmod != 1) {
    return info.Invalid("fmod must be 0 or 1, got " + std::to_string(fmod));
  }
  // The spec requires fmod=1 for floats; with fmod=0 we compute numpy's mod instead.
  if (fmod == 1) return ew::MakeBinary<ew::FModOp>(info);
  return ew::MakeBinary<ew::ModOp>(info);
}

StatusOr<KernelPtr> CreateBitShift(const KernelInfo& info) {
  const std::string direction = info.GetString("direction");
  if (direction == "LEFT") return ew::MakeBinary<ew::ShiftLeftOp>(info);
  if (direction == "RIGHT") return ew::MakeBinary<ew::ShiftRightOp>(info);
  return info.Invalid("direction must be \"LEFT\" or \"RIGHT\", got \"" + direction + "\"");
}

StatusOr<KernelPtr> CreateBitwiseAnd(const KernelInfo& info) {
  return ew::MakeBinary<ew::BitwiseAndOp>(info);
}
StatusOr<KernelPtr> CreateBitwiseOr(const KernelInfo& info) {
  return ew::MakeBinary<ew::BitwiseOrOp>(info);
}
StatusOr<KernelPtr> CreateBitwiseXor(const KernelInfo& info) {
  return ew::MakeBinary<ew::BitwiseXorOp>(info);
}

}  // namespace trt::kernels
