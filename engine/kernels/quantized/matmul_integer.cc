// MatMulInteger (int32 out) and QLinearMatMul (requantized u8/s8 out): numpy-matmul shapes
// (1-D operands, broadcast batch dims) over uint8/int8 operands with per-tensor or
// per-row (A) / per-column (B) zero points and scales. Accumulates exactly in int32; QLinear
// requantizes per requantize.h.

#include <string>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/quantized/requantize.h"

namespace trt::kernels {
namespace {

struct MatMulPlan {
  Shape out;
  int64_t m = 0, k = 0, n = 0;
  std::vector<int64_t> a_off, b_off;  // per output batch: element offset of A and B matrices
};

StatusOr<MatMulPlan> PlanMatMul(const Shape& a_in, const Shape& b_in) {
  if (a_in.rank() < 1 || b_in.rank() < 1) {
    return InvalidArgument("inputs A " + a_in.ToString() + " and B " + b_in.ToString() +
                           " must have rank >= 1");
  }
  Shape a = a_in, b = b_in;
  if (a.rank() == 1) a.insert(0, 1);
  if (b.rank() == 1) b.push_back(1);
  MatMulPlan p;
  p.m = a[a.rank() - 2];
  p.k = a[a.rank() - 1];
  p.n = b[b.rank() - 1];
  if (b[b.rank() - 2] != p.k) {
    return InvalidArgument("inner dims differ: A " + a_in.ToString() + ", B " + b_in.ToString());
  }
  Shape a_batch(std::span<const int64_t>(a.data(), a.size() - 2));
  Shape b_batch(std::span<const int64_t>(b.data(), b.size() - 2));
  TRT_ASSIGN_OR_RETURN(Broadcast bc, MakeBroadcast({a_batch, b_batch}));
  bc.ForEach([&](int64_t, const int64_t* off) {
    p.a_off.push_back(off[0] * p.m * p.k);
    p.b_off.push_back(off[1] * p.k * p.n);
  });
  p.out = bc.out;
  if (a_in.rank() > 1) p.out.push_back(p.m);
  if (b_in.rank() > 1) p.out.push_back(p.n);
  return p;
}

// How a zero point / scale tensor maps to rows (A) or columns (B): count 1 = per tensor.
StatusOr<int64_t> ParamCount(const Tensor* t, const char* what, int64_t extent, bool row) {
  if (!t || t->NumElements() == 1) return int64_t{1};
  const Shape& s = t->shape();
  bool ok = t->NumElements() == extent;
  if (ok && s.rank() > 1) {
    // [.., M, 1] per row or [.., 1, N] per column, all batch dims 1.
    ok = row ? s[s.rank() - 1] == 1 : s[s.rank() - 2] == 1;
  }
  if (!ok) {
    return Unimplemented(std::string(what) + " has shape " + s.ToString() +
                         ", expected a scalar or " + std::to_string(extent) +
                         (row ? " values (per row)" : " values (per column)"));
  }
  return extent;
}

// acc(batch, i, j) = sum_k (A[i,k] - azp[i]) * (B[k,j] - bzp[j]); emit(out_index, i, j, acc).
template <typename TA, typename TB, typename Emit>
void IntMatMul(const MatMulPlan& p, const TA* a, const TB* b, const Tensor* azp, int64_t azp_n,
               const Tensor* bzp, int64_t bzp_n, Emit emit) {
  std::vector<int32_t> az(p.m, 0), bz(p.n, 0);
  for (int64_t i = 0; i < p.m; ++i) az[i] = azp ? azp->GetAsInt64(azp_n == 1 ? 0 : i) : 0;
  for (int64_t j = 0; j < p.n; ++j) bz[j] = bzp ? bzp->GetAsInt64(bzp_n == 1 ? 0 : j) : 0;
  int64_t o = 0;
  for (size_t bi = 0; bi < p.a_off.size(); ++bi) {
    const TA* ab = a + p.a_off[bi];
    const TB* bb = b + p.b_off[bi];
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j, ++o) {
        int32_t acc = 0;
        for (int64_t kk = 0; kk < p.k; ++kk) {
          acc += (static_cast<int32_t>(ab[i * p.k + kk]) - az[i]) *
                 (static_cast<int32_t>(bb[kk * p.n + j]) - bz[j]);
        }
        emit(o, i, j, acc);
      }
    }
  }
}

// Calls f(TypeTag<TA>, TypeTag<TB>) for uint8/int8 operand types.
template <typename F>
void VisitInt8Pair(DType a, DType b, F&& f) {
  auto with_b = [&](auto ta) {
    if (b == DType::kUInt8) {
      f(ta, TypeTag<uint8_t>{});
    } else {
      f(ta, TypeTag<int8_t>{});
    }
  };
  if (a == DType::kUInt8) {
    with_b(TypeTag<uint8_t>{});
  } else {
    with_b(TypeTag<int8_t>{});
  }
}

bool IsInt8(DType t) { return t == DType::kUInt8 || t == DType::kInt8; }

Status CheckOperands(KernelContext& ctx, const Tensor* a, int ai, const Tensor* b, int bi) {
  if (!a || !b) return ctx.Invalid("inputs A and B are required");
  if (!IsInt8(a->dtype()) || !IsInt8(b->dtype())) {
    return ctx.Invalid("inputs " + std::to_string(ai) + " and " + std::to_string(bi) +
                       " have dtypes " + std::string(DTypeName(a->dtype())) + " and " +
                       std::string(DTypeName(b->dtype())) + ", expected uint8 or int8");
  }
  return Status::Ok();
}

Status CheckZeroPoint(KernelContext& ctx, const Tensor* zp, int index, DType expected) {
  if (zp && zp->dtype() != expected) {
    return ctx.Invalid("input " + std::to_string(index) + " (zero point) has dtype " +
                       std::string(DTypeName(zp->dtype())) + ", expected " +
                       std::string(DTypeName(expected)));
  }
  return Status::Ok();
}

Status WithNode(KernelContext& ctx, const Status& s) {
  return s.code() == StatusCode::kUnimplemented ? ctx.Unsupported(s.message())
                                                : ctx.Invalid(s.message());
}

class MatMulIntegerKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(1);
    const Tensor* azp = ctx.Input(2);
    const Tensor* bzp = ctx.Input(3);
    TRT_RETURN_IF_ERROR(CheckOperands(ctx, a, 0, b, 1));
    TRT_RETURN_IF_ERROR(CheckZeroPoint(ctx, azp, 2, a->dtype()));
    TRT_RETURN_IF_ERROR(CheckZeroPoint(ctx, bzp, 3, b->dtype()));
    auto plan = PlanMatMul(a->shape(), b->shape());
    if (!plan.ok()) return WithNode(ctx, plan.status());
    auto azp_n = ParamCount(azp, "input 2 (a_zero_point)", plan->m, true);
    if (!azp_n.ok()) return WithNode(ctx, azp_n.status());
    auto bzp_n = ParamCount(bzp, "input 3 (b_zero_point)", plan->n, false);
    if (!bzp_n.ok()) return WithNode(ctx, bzp_n.status());
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt32, plan->out));
    int32_t* yd = y->data<int32_t>();
    VisitInt8Pair(a->dtype(), b->dtype(), [&](auto ta, auto tb) {
      using TA = typename decltype(ta)::type;
      using TB = typename decltype(tb)::type;
      IntMatMul(*plan, a->data<TA>(), b->data<TB>(), azp, *azp_n, bzp, *bzp_n,
                [yd](int64_t o, int64_t, int64_t, int32_t acc) { yd[o] = acc; });
    });
    return Status::Ok();
  }
};

// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.
class QLinearMatMulKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(3);
    TRT_RETURN_IF_ERROR(CheckOperands(ctx, a, 0, b, 3));
    for (int i : {1, 2, 4, 5, 6, 7}) {
      if (!ctx.Input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
    }
    for (int i : {1, 4, 6}) {
      if (ctx.Input(i)->dtype() != DType::kFloat32) {
        return ctx.Invalid("input " + std::to_string(i) + " (scale) has dtype " +
                           std::string(DTypeName(ctx.Input(i)->dtype())) + ", expected float32");
      }
    }
    TRT_RETURN_IF_ERROR(CheckZeroPoint(ctx, ctx.Input(2), 2, a->dtype()));
    TRT_RETURN_IF_ERROR(CheckZeroPoint(ctx, ctx.Input(5), 5, b->dtype()));
    const Tensor* yzp = ctx.Input(7);
    if (!IsInt8(yzp->dtype())) {
      return ctx.Invalid("input 7 (y_zero_point) has dtype " +
                         std::string(DTypeName(yzp->dtype())) + ", expected uint8 or int8");
    }
    if (ctx.Input(6)->NumElements() != 1 || yzp->NumElements() != 1) {
      return ctx.Invalid("y_scale and y_zero_point must be scalars (per-tensor output)");
    }
    auto plan = PlanMatMul(a->shape(), b->shape());
    if (!plan.ok()) return WithNode(ctx, plan.status());
    int64_t counts[4];
    const int idx[4] = {1, 2, 4, 5};
    const char* names[4] = {"input 1 (a_scale)", "input 2 (a_zero_point)", "input 4 (b_scale)",
                            "input 5 (b_zero_point)"};
    for (int i = 0; i < 4; ++i) {
      auto c = ParamCount(ctx.Input(idx[i]), names[i], i < 2 ? plan->m : plan->n, i < 2);
      if (!c.ok()) return WithNode(ctx, c.status());
      counts[i] = *c;
    }
    const float y_scale = ctx.Input(6)->data<float>()[0];
    const int32_t y_zp = static_cast<int32_t>(yzp->GetAsInt64(0));
    const float* as = ctx.Input(1)->data<float>();
    const float* bs = ctx.Input(4)->data<float>();
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, yzp->dtype(), plan->out));
    VisitInt8Pair(a->dtype(), b->dtype(), [&](auto ta, auto tb) {
      using TA = typename decltype(ta)::type;
      using TB = typename decltype(tb)::type;
      auto run = [&](auto ty) {
        using TY = typename decltype(ty)::type;
        TY* yd = y->data<TY>();
        IntMatMul(*plan, a->data<TA>(), b->data<TB>(), ctx.Input(2), counts[1], ctx.Input(5),
                  counts[3], [&](int64_t o, int64_t i, int64_t j, int32_t acc) {
                    const float mult = quant::RequantMultiplier(
                        as[counts[0] == 1 ? 0 : i], bs[counts[2] == 1 ? 0 : j], y_scale);
                    yd[o] = quant::Requantize<TY>(acc, mult, y_zp);
                  });
      };
      if (yzp->dtype() == DType::kUInt8) {
        run(TypeTag<uint8_t>{});
      } else {
        run(TypeTag<int8_t>{});
      }
    });
    return Status::Ok();
  }
};

}  // namespace

StatusOr<KernelPtr> CreateMatMulInteger(const KernelInfo&) {
  return MakeKernel<MatMulIntegerKernel>();
}

StatusOr<KernelPtr> CreateQLinearMatMul(const KernelInfo&) {
  return MakeKernel<QLinearMatMulKernel>();
}

}  // namespace trt::kernels
