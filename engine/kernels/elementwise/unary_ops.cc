// One-input math ops: Abs, Neg, Sign, Floor, Ceil, Round, Reciprocal, Sqrt, Exp, Log, Erf,
// the trigonometric and hyperbolic functions, and BitwiseNot. Functors for UnaryKernel
// (unary.h); float math uses <cmath> in the element's compute type (float or double).
// Float32 Exp, Erf and Tanh at AVX2 and above run the vectorized kernels of unary_f32.h.
#include <cmath>
#include <memory>

#include "engine/kernels/elementwise/unary.h"
#include "engine/kernels/elementwise/unary_f32.h"

namespace trt::kernels::elementwise {
namespace {

struct AbsOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::fabs(x);
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < 0 ? T(WrapInt<T>(0) - WrapInt<T>(x)) : x;  // INT_MIN stays INT_MIN
    }
  }
};

struct NegOp {
  static constexpr DTypeSet kTypes = kSignedNumericTypes;
  template <typename T>
  T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return -x;
    } else {
      return T(WrapInt<T>(0) - WrapInt<T>(x));
    }
  }
};

// -1, 0 or 1; NaN stays NaN (numpy).
struct SignOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return T(x > 0);
    } else {
      if constexpr (kIsFloat<T>) {
        if (std::isnan(x)) return x;
      }
      return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    }
  }
};

struct BitwiseNotOp {
  static constexpr DTypeSet kTypes = kIntTypes;
  template <typename T>
  T operator()(T x) const {
    return T(~x);
  }
};

// Erf is also defined on integer tensors (opset 9+): computed in double, then truncated.
struct ErfOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T x) const {
    if constexpr (kIsFloat<T>) {
      return std::erf(x);
    } else {
      return T(std::erf(static_cast<double>(x)));
    }
  }
};

// Float-only ops whose body is one <cmath> expression in x.
#define TRT_FLOAT_UNARY_OP(Name, expr)              \
  struct Name {                                     \
    static constexpr DTypeSet kTypes = kFloatTypes; \
    template <typename T>                           \
    T operator()(T x) const {                       \
      return expr;                                  \
    }                                               \
  };
TRT_FLOAT_UNARY_OP(FloorOp, std::floor(x))
TRT_FLOAT_UNARY_OP(CeilOp, std::ceil(x))
// nearbyint rounds half to even in the default rounding mode, as ONNX Round requires.
TRT_FLOAT_UNARY_OP(RoundOp, std::nearbyint(x))
TRT_FLOAT_UNARY_OP(ReciprocalOp, T(1) / x)
TRT_FLOAT_UNARY_OP(SqrtOp, std::sqrt(x))
TRT_FLOAT_UNARY_OP(ExpOp, std::exp(x))
TRT_FLOAT_UNARY_OP(LogOp, std::log(x))
TRT_FLOAT_UNARY_OP(SinOp, std::sin(x))
TRT_FLOAT_UNARY_OP(CosOp, std::cos(x))
TRT_FLOAT_UNARY_OP(TanOp, std::tan(x))
TRT_FLOAT_UNARY_OP(AsinOp, std::asin(x))
TRT_FLOAT_UNARY_OP(AcosOp, std::acos(x))
TRT_FLOAT_UNARY_OP(AtanOp, std::atan(x))
TRT_FLOAT_UNARY_OP(SinhOp, std::sinh(x))
TRT_FLOAT_UNARY_OP(CoshOp, std::cosh(x))
TRT_FLOAT_UNARY_OP(AsinhOp, std::asinh(x))
TRT_FLOAT_UNARY_OP(AcoshOp, std::acosh(x))
TRT_FLOAT_UNARY_OP(AtanhOp, std::atanh(x))
TRT_FLOAT_UNARY_OP(TanhOp, std::tanh(x))
#undef TRT_FLOAT_UNARY_OP

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

#define TRT_UNARY_FACTORY(Name)                                  \
  StatusOr<KernelPtr> Create##Name(const KernelInfo& /*info*/) { \
    return ew::MakeUnary<ew::Name##Op>();                        \
  }
TRT_UNARY_FACTORY(Abs)
TRT_UNARY_FACTORY(Neg)
TRT_UNARY_FACTORY(Sign)
TRT_UNARY_FACTORY(BitwiseNot)
TRT_UNARY_FACTORY(Floor)
TRT_UNARY_FACTORY(Ceil)
TRT_UNARY_FACTORY(Round)
TRT_UNARY_FACTORY(Reciprocal)
TRT_UNARY_FACTORY(Sqrt)
TRT_UNARY_FACTORY(Log)
TRT_UNARY_FACTORY(Sin)
TRT_UNARY_FACTORY(Cos)
TRT_UNARY_FACTORY(Tan)
TRT_UNARY_FACTORY(Asin)
TRT_UNARY_FACTORY(Acos)
TRT_UNARY_FACTORY(Atan)
TRT_UNARY_FACTORY(Sinh)
TRT_UNARY_FACTORY(Cosh)
TRT_UNARY_FACTORY(Asinh)
TRT_UNARY_FACTORY(Acosh)
TRT_UNARY_FACTORY(Atanh)
#undef TRT_UNARY_FACTORY

// Float32 at AVX2 and above: the vector math of common/vec_math.h (unary_f32.h).
StatusOr<KernelPtr> CreateErf(const KernelInfo& info) {
  return ew::VecUnaryF32OrRef(info, ew::VecUnaryOp::kErf,
                              std::make_unique<ew::UnaryKernel<ew::ErfOp>>(ew::ErfOp{}));
}
StatusOr<KernelPtr> CreateExp(const KernelInfo& info) {
  return ew::VecUnaryF32OrRef(info, ew::VecUnaryOp::kExp,
                              std::make_unique<ew::UnaryKernel<ew::ExpOp>>(ew::ExpOp{}));
}
StatusOr<KernelPtr> CreateTanh(const KernelInfo& info) {
  return ew::VecUnaryF32OrRef(info, ew::VecUnaryOp::kTanh,
                              std::make_unique<ew::UnaryKernel<ew::TanhOp>>(ew::TanhOp{}));
}

}  // namespace trt::kernels
