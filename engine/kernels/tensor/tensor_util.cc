// Shared helpers of the tensor op family: table-driven gather copy, transpose, reading
// shape-like integer inputs and normalizing axes.
#include "engine/kernels/tensor/tensor_util.h"

#include <cstring>

namespace trt::kernels::tensor {

void GatherByAxisTables(const Tensor& in, const std::vector<std::vector<int64_t>>& tables,
                        const void* fill, Tensor* out) {
  const int64_t total = out->NumElements();
  if (total == 0) return;
  const size_t esize = DTypeSize(out->dtype());
  const int rank = out->rank();
  const auto* src = static_cast<const uint8_t*>(in.raw_data());
  auto* dst = static_cast<uint8_t*>(out->raw_data());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t off = 0;
    bool outside = false;
    for (int d = 0; d < rank; ++d) {
      const int64_t c = tables[d][idx[d]];
      if (c < 0) {
        outside = true;
        break;
      }
      off += c;
    }
    if (outside) {
      std::memcpy(dst + i * esize, fill, esize);
    } else {
      std::memcpy(dst + i * esize, src + off * esize, esize);
    }
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out->shape()[d]) break;
      idx[d] = 0;
    }
  }
}

void TransposeInto(const Tensor& in, const std::vector<int>& perm, Tensor* out) {
  const std::vector<int64_t> in_strides = in.shape().Strides();
  std::vector<std::vector<int64_t>> tables(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) {
    tables[d].resize(out->shape()[d]);
    for (int64_t i = 0; i < out->shape()[d]; ++i) tables[d][i] = i * in_strides[perm[d]];
  }
  GatherByAxisTables(in, tables, nullptr, out);
}

StatusOr<std::vector<int64_t>> ReadInt64s(const KernelContext& ctx, const Tensor& t,
                                          const std::string& what) {
  if (t.dtype() != DType::kInt64 && t.dtype() != DType::kInt32) {
    return ctx.Invalid(what + " must be int64 or int32, got " + std::string(DTypeName(t.dtype())));
  }
  if (t.rank() > 1) {
    return ctx.Invalid(what + " must be 1-D, got shape " + t.shape().ToString());
  }
  std::vector<int64_t> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = t.GetAsInt64(i);
  return v;
}

StatusOr<std::vector<int>> NormalizeAxes(const KernelContext& ctx, const std::vector<int64_t>& axes,
                                         int rank, bool unique, const std::string& what) {
  std::vector<int> out;
  std::vector<bool> seen(rank, false);
  for (int64_t a : axes) {
    int n;
    if (!NormalizeAxis(a, rank, &n)) {
      return ctx.Invalid(what + " " + std::to_string(a) + " is out of range for rank " +
                         std::to_string(rank));
    }
    if (unique && seen[n]) {
      return ctx.Invalid(what + " " + VecToString(axes) + " repeats axis " + std::to_string(n));
    }
    seen[n] = true;
    out.push_back(n);
  }
  return out;
}

Status RequireInputs(const KernelInfo& info, int n) {
  for (int i = 0; i < n; ++i) {
    if (!info.HasInput(i)) return info.Invalid("missing required input " + std::to_string(i));
  }
  return Status::Ok();
}

std::string VecToString(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  return s + "]";
}

}  // namespace trt::kernels::tensor
