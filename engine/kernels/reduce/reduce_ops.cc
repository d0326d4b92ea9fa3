// Per-op functors and factories of ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp and ReduceSumSquare (ai.onnx 1-18).
// Floating types accumulate in double; integer types accumulate in 64 bits and wrap to the
// element type; empty groups give the identity (0, 1, -inf/lowest for max, +inf/max for min).
#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/kernels/common/double_convert.h"
#include "engine/kernels/reduce/reduce_driver.h"

namespace trt::kernels {
namespace {

template <typename T>
inline constexpr bool kIsFloat =
    std::is_floating_point_v<T> || std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// Accumulator: double for floats, 64-bit of the same signedness for integers.
template <typename T>
using Acc = std::conditional_t<kIsFloat<T>, double,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <typename T>
Acc<T> ToAcc(T v) {
  if constexpr (kIsFloat<T>) {
    return ToDouble(v);
  } else {
    return static_cast<Acc<T>>(v);
  }
}

// Converts an accumulator or double result back to T (integers truncate toward zero, as
// numpy's astype does; 64-bit integer accumulators wrap).
template <typename T, typename A>
T FromAcc(A v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(v));
  } else if constexpr (!kIsFloat<T> && std::is_floating_point_v<A>) {
    if (std::isnan(v) || std::isinf(v)) return T{0};
    return static_cast<T>(static_cast<int64_t>(v));
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
Acc<T> Sum(const ReduceGroup<T>& g) {
  Acc<T> s = 0;
  for (int64_t k = 0; k < g.n; ++k) s += ToAcc(g[k]);
  return s;
}

template <typename T>
Acc<T> SumSquare(const ReduceGroup<T>& g) {
  Acc<T> s = 0;
  for (int64_t k = 0; k < g.n; ++k) {
    Acc<T> v = ToAcc(g[k]);
    s += v * v;
  }
  return s;
}

struct SumOp {
  static constexpr const char* kName = "ReduceSum";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    return FromAcc<T>(Sum(g));
  }
};

struct MeanOp {
  static constexpr const char* kName = "ReduceMean";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    if (g.n == 0) return FromAcc<T>(std::numeric_limits<double>::quiet_NaN());
    if constexpr (kIsFloat<T>) {
      return FromAcc<T>(Sum(g) / static_cast<double>(g.n));
    } else {
      return FromAcc<T>(static_cast<double>(Sum(g)) / static_cast<double>(g.n));
    }
  }
};

struct ProdOp {
  static constexpr const char* kName = "ReduceProd";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    Acc<T> p = 1;
    for (int64_t k = 0; k < g.n; ++k) p *= ToAcc(g[k]);
    return FromAcc<T>(p);
  }
};

// Max/Min propagate NaN (as numpy does); the empty identity is -inf/+inf for floats and the
// type's lowest/highest value for integers (ONNX reference).
template <bool kMax>
struct ExtremumOp {
  static constexpr const char* kName = kMax ? "ReduceMax" : "ReduceMin";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    if constexpr (kIsFloat<T>) {
      double m =
          kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < g.n; ++k) {
        double v = ToDouble(g[k]);
        if (std::isnan(v)) return FromAcc<T>(v);
        if (kMax ? v > m : v < m) m = v;
      }
      return FromAcc<T>(m);
    } else {
      T m = kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
      for (int64_t k = 0; k < g.n; ++k) {
        if (kMax ? g[k] > m : g[k] < m) m = g[k];
      }
      return m;
    }
  }
};

struct L1Op {
  static constexpr const char* kName = "ReduceL1";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    Acc<T> s = 0;
    for (int64_t k = 0; k < g.n; ++k) {
      Acc<T> v = ToAcc(g[k]);
      if constexpr (std::is_signed_v<Acc<T>>) {
        s += v < 0 ? -v : v;
      } else {
        s += v;
      }
    }
    return FromAcc<T>(s);
  }
};

struct L2Op {
  static constexpr const char* kName = "ReduceL2";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    return FromAcc<T>(std::sqrt(static_cast<double>(SumSquare(g))));
  }
};

struct SumSquareOp {
  static constexpr const char* kName = "ReduceSumSquare";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    return FromAcc<T>(SumSquare(g));
  }
};

struct LogSumOp {
  static constexpr const char* kName = "ReduceLogSum";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    return FromAcc<T>(std::log(static_cast<double>(Sum(g))));
  }
};

// log(sum(exp(x))) computed as max + log(sum(exp(x - max))) in double; -inf when empty.
struct LogSumExpOp {
  static constexpr const char* kName = "ReduceLogSumExp";
  template <typename T>
  static T Apply(const ReduceGroup<T>& g) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < g.n; ++k) {
      double v = ToDouble(g[k]);
      if (std::isnan(v)) return FromAcc<T>(v);
      if (v > m) m = v;
    }
    if (std::isinf(m)) return FromAcc<T>(m);
    double s = 0;
    for (int64_t k = 0; k < g.n; ++k) s += std::exp(ToDouble(g[k]) - m);
    return FromAcc<T>(m + std::log(s));
  }
};

template <typename Op>
StatusOr<KernelPtr> CreateReduce(const KernelInfo& info, int axes_input_opset) {
  TRT_ASSIGN_OR_RETURN(ReduceAttrs attrs, ReadReduceAttrs(info, axes_input_opset));
  return MakeKernel<ReduceKernel<Op>>(std::move(attrs));
}

}  // namespace

StatusOr<KernelPtr> CreateReduceSum(const KernelInfo& info) {
  return CreateReduce<SumOp>(info, 13);
}
StatusOr<KernelPtr> CreateReduceMean(const KernelInfo& info) {
  return CreateReduce<MeanOp>(info, 18);
}
StatusOr<KernelPtr> CreateReduceMax(const KernelInfo& info) {
  return CreateReduce<ExtremumOp<true>>(info, 18);
}
StatusOr<KernelPtr> CreateReduceMin(const KernelInfo& info) {
  return CreateReduce<ExtremumOp<false>>(info, 18);
}
StatusOr<KernelPtr> CreateReduceProd(const KernelInfo& info) {
  return CreateReduce<ProdOp>(info, 18);
}
StatusOr<KernelPtr> CreateReduceL1(const KernelInfo& info) { return CreateReduce<L1Op>(info, 18); }
StatusOr<KernelPtr> CreateReduceL2(const KernelInfo& info) { return CreateReduce<L2Op>(info, 18); }
StatusOr<KernelPtr> CreateReduceLogSum(const KernelInfo& info) {
  return CreateReduce<LogSumOp>(info, 18);
}
StatusOr<KernelPtr> CreateReduceLogSumExp(const KernelInfo& info) {
  return CreateReduce<LogSumExpOp>(info, 18);
}
StatusOr<KernelPtr> CreateReduceSumSquare(const KernelInfo& info) {
  return CreateReduce<SumSquareOp>(info, 18);
}

}  // namespace trt::kernels
