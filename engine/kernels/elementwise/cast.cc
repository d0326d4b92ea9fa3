// Cast (attribute `to`: an int TensorProto.DataType from opset 6, a type name string before)
// and CastLike (opset 15: the target dtype is input 1's). Every pair among the 13 supported
// dtypes converts with ConvertElement (convert.h: truncating, saturating float -> int, RNE
// to the 16-bit floats); a cast to the same dtype returns the input without copying.
// Strings are not supported in either direction (UNIMPLEMENTED).
#include <string>

#include "engine/kernels/elementwise/convert.h"
#include "engine/kernels/elementwise/unary.h"

namespace trt::kernels::elementwise {
namespace {

// Opset 1-5 spelling of `to`: the TensorProto.DataType enum names.
bool ParseLegacyTypeName(const std::string& name, DType* out) {
  struct Name {
    const char* name;
    DType t;
  };
  static constexpr Name kNames[] = {
      {"FLOAT", DType::kFloat32},   {"UINT8", DType::kUInt8},       {"INT8", DType::kInt8},
      {"UINT16", DType::kUInt16},   {"INT16", DType::kInt16},       {"INT32", DType::kInt32},
      {"INT64", DType::kInt64},     {"STRING", DType::kString},     {"BOOL", DType::kBool},
      {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64},    {"UINT32", DType::kUInt32},
      {"UINT64", DType::kUInt64},   {"BFLOAT16", DType::kBFloat16},
  };
  for (const auto& n : kNames) {
    if (name == n.name) {
      *out = n.t;
      return true;
    }
  }
  return false;
}

Status CastTensor(KernelContext& ctx, const Tensor& x, DType to) {
  if (!IsSupportedDType(x.dtype())) {
    return ctx.Unsupported("cast from " + std::string(DTypeName(x.dtype())) + " is not supported");
  }
  if (!IsSupportedDType(to)) {
    return ctx.Unsupported("cast to " + std::string(DTypeName(to)) + " is not supported");
  }
  if (x.dtype() == to) {
    ctx.SetOutput(0, x);
    return Status::Ok();
  }
  TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x.shape()));
  VisitDType(x.dtype(), [&](auto from_tag) {
    using TI = typename decltype(from_tag)::type;
    VisitDType(to, [&](auto to_tag) {
      using TO = typename decltype(to_tag)::type;
      const TI* src = x.data<TI>();
      TO* dst = y->data<TO>();
      ParallelRange(x.NumElements(), ctx.thread_pool(), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) dst[i] = ConvertElement<TO>(src[i]);
      });
    });
  });
  return Status::Ok();
}

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(DType to) : to_(to) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x == nullptr) return ctx.Invalid("missing input 0");
    return CastTensor(ctx, *x, to_);
  }

 private:
  const DType to_;
};

class CastLikeKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* like = ctx.Input(1);
    if (x == nullptr || like == nullptr) return ctx.Invalid("expects two inputs");
    return CastTensor(ctx, *x, like->dtype());
  }
};

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

StatusOr<KernelPtr> CreateCast(const KernelInfo& info) {
  DType to = DType::kUndefined;
  if (info.opset() < 6 && !info.GetString("to").empty()) {
    const std::string name = info.GetString("to");
    if (!ew::ParseLegacyTypeName(name, &to)) return info.Invalid("unknown type '" + name + "'");
  } else {
    const int64_t code = info.GetInt("to", -1);
    if (code <= 0 || code > 32) {
      return info.Invalid("attribute 'to' = " + std::to_string(code) +
                          " is not a TensorProto.DataType");
    }
    to = static_cast<DType>(code);
    if (!IsSupportedDType(to) && to != DType::kString) {
      return info.Unsupported("cast to TensorProto.DataType " + std::to_string(code) +
                              " is not supported");
    }
  }
  if (to == DType::kString) return info.Unsupported("cast to string is not supported");
  return MakeKernel<ew::CastKernel>(to);
}

StatusOr<KernelPtr> CreateCastLike(const KernelInfo& info) {
  return MakeKernel<ew::CastLikeKernel>();
}

}  // namespace trt::kernels
