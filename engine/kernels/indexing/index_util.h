// Helpers shared by the indexing reference kernels: reading int32/int64 index tensors,
// wrapping negative indices with a range check, element-wise compare/convert through float
// for the 16-bit float types, the standard out-of-range error text, and the addressing
// shared by GatherElements and ScatterElements.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels {

// Element i of an index tensor already checked by CheckIndexTensor().
inline int64_t IndexAt(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt32 ? int64_t{t.data<int32_t>()[i]} : t.data<int64_t>()[i];
}

// Fails unless `t` is int32 or int64: "input 1 (indices) must be int32 or int64, got ...".
inline Status CheckIndexTensor(const KernelContext& ctx, const Tensor& t, int input,
                               const char* name) {
  if (t.dtype() == DType::kInt32 || t.dtype() == DType::kInt64) return Status::Ok();
  return ctx.Invalid("input " + std::to_string(input) + " (" + name +
                     ") must be int32 or int64, got " + t.Description());
}

// Maps idx in [-dim, dim) to [0, dim). Returns false if out of range.
inline bool WrapIndex(int64_t idx, int64_t dim, int64_t* out) {
  if (idx < -dim || idx >= dim) return false;
  *out = idx < 0 ? idx + dim : idx;
  return true;
}

// "index 7 out of range [-5, 4] for axis 0 of input 0 (data, shape [5, 3])"
inline Status IndexRangeError(const KernelContext& ctx, int64_t idx, int64_t dim, int axis,
                              const char* name, const Shape& shape) {
  return ctx.Invalid("index " + std::to_string(idx) + " out of range [" + std::to_string(-dim) +
                     ", " + std::to_string(dim - 1) + "] for axis " + std::to_string(axis) +
                     " of input 0 (" + name + ", shape " + shape.ToString() + ")");
}

// "axis 3 out of range [-2, 1] for input 0 (data, rank 2)"
inline Status AxisRangeError(const KernelInfo& info, int64_t axis, int rank) {
  return info.Invalid("axis " + std::to_string(axis) + " out of range [" + std::to_string(-rank) +
                      ", " + std::to_string(rank - 1) + "] for input 0 (rank " +
                      std::to_string(rank) + ")");
}

template <typename T>
inline constexpr bool kIsHalf = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// Arithmetic type of T: float for the 16-bit floats, T otherwise.
template <typename T>
using ComputeType = std::conditional_t<kIsHalf<T>, float, T>;

template <typename T>
inline ComputeType<T> ToCompute(T v) {
  return static_cast<ComputeType<T>>(v);
}

template <typename T>
inline T FromCompute(ComputeType<T> v) {
  return T(v);
}

// True if v is a NaN (always false for non-float types).
template <typename T>
inline bool IsNaN(T v) {
  if constexpr (std::is_floating_point_v<ComputeType<T>>) {
    ComputeType<T> c = ToCompute(v);
    return c != c;
  } else {
    return false;
  }
}

// Row-major multi-index of flat offset `i` in `shape` (idx must have rank entries).
inline void Unravel(int64_t i, const Shape& shape, int64_t* idx) {
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[d] = shape[d] == 0 ? 0 : i % shape[d];
    i = shape[d] == 0 ? 0 : i / shape[d];
  }
}

// GatherElements / ScatterElements: `is` (indices) and `ds` (data) have the same rank and
// `axis` is normalized. Fails unless every dim of `is` except `axis` is at most the data dim:
// "indices shape [3, 4] exceeds data shape [2, 4] on axis 0".
inline Status CheckElementsIndexShape(const KernelContext& ctx, const Shape& is, const Shape& ds,
                                      int axis) {
  for (int d = 0; d < ds.rank(); ++d) {
    if (d != axis && is[d] > ds[d]) {
      return ctx.Invalid("indices shape " + is.ToString() + " exceeds data shape " + ds.ToString() +
                         " on axis " + std::to_string(d));
    }
  }
  return Status::Ok();
}

// GatherElements / ScatterElements addressing (indices checked by CheckIndexTensor() and
// CheckElementsIndexShape()): calls fn(i, off) for each element i of `ind` in row-major
// order, where `off` is the flat element offset into data (shape `ds`) of i's own
// multi-index with the `axis` coordinate replaced by the wrapped index value. Stops at the
// first out-of-range index with IndexRangeError().
template <typename Fn>
Status ForEachElementsIndex(const KernelContext& ctx, const Tensor& ind, const Shape& ds, int axis,
                            Fn&& fn) {
  const Shape& is = ind.shape();
  const int rank = ds.rank();
  const std::vector<int64_t> strides = ds.Strides();
  std::vector<int64_t> idx(rank);
  for (int64_t i = 0; i < ind.NumElements(); ++i) {
    Unravel(i, is, idx.data());
    int64_t k;
    if (!WrapIndex(IndexAt(ind, i), ds[axis], &k)) {
      return IndexRangeError(ctx, IndexAt(ind, i), ds[axis], axis, "data", ds);
    }
    idx[axis] = k;
    int64_t off = 0;
    for (int d = 0; d < rank; ++d) off += idx[d] * strides[d];
    fn(i, off);
  }
  return Status::Ok();
}

}  // namespace trt::kernels
