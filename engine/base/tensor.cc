#include "engine/base/tensor.h"

#include <cstring>
#include <limits>

#include "engine/base/aligned_alloc.h"

namespace trt {

Status CheckShapeSize(DType dtype, const Shape& shape, int64_t* bytes) {
  if (!IsSupportedDType(dtype)) {
    return InvalidArgument("unsupported tensor dtype " + std::string(DTypeName(dtype)));
  }
  const int64_t esize = static_cast<int64_t>(DTypeSize(dtype));
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0) return InvalidArgument("negative dimension in shape " + shape.ToString());
    if (d == 0) zero = true;
  }
  if (!zero) {
    for (int64_t d : shape) {
      if (n > kMaxTensorBytes / esize / d) {
        return ResourceExhausted("tensor of shape " + shape.ToString() + " and dtype " +
                                 std::string(DTypeName(dtype)) + " exceeds the " +
                                 std::to_string(kMaxTensorBytes >> 30) + " GiB tensor limit");
      }
      n *= d;
    }
  } else {
    n = 0;
  }
  if (bytes != nullptr) *bytes = n * esize;
  return Status::Ok();
}

StatusOr<Tensor> Tensor::Allocate(DType dtype, Shape shape) {
  int64_t bytes = 0;
  TRT_RETURN_IF_ERROR(CheckShapeSize(dtype, shape, &bytes));
  void* p = AlignedAlloc(static_cast<size_t>(bytes));
  if (p == nullptr) {
    return ResourceExhausted("out of memory allocating " + std::to_string(bytes) +
                             " bytes for tensor " + shape.ToString());
  }
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::shared_ptr<void>(p, AlignedFree);
  t.data_ = p;
  return t;
}

Tensor::Tensor(DType dtype, Shape shape) {
  auto t = Allocate(dtype, std::move(shape));
  if (!t.ok()) {
    std::fprintf(stderr, "Tensor allocation failed: %s\n", t.status().ToString().c_str());
    std::abort();
  }
  *this = std::move(t).value();
}

Tensor Tensor::Wrap(DType dtype, Shape shape, void* data, std::shared_ptr<void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.storage_ = std::move(owner);
  t.data_ = data;
  return t;
}

Tensor Tensor::Reshaped(Shape shape) const {
  TRT_CHECK(shape.NumElements() == NumElements());
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::Clone() const {
  if (!defined()) return Tensor();
  Tensor t(dtype_, shape_);
  if (nbytes() > 0) std::memcpy(t.data_, data_, nbytes());
  return t;
}

double Tensor::GetAsDouble(int64_t i) const {
  return VisitDType(dtype_, [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    return static_cast<double>(static_cast<const T*>(data_)[i]);
  });
}

int64_t Tensor::GetAsInt64(int64_t i) const {
  return VisitDType(dtype_, [&](auto tag) -> int64_t {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
      return static_cast<int64_t>(static_cast<float>(static_cast<const T*>(data_)[i]));
    } else {
      return static_cast<int64_t>(static_cast<const T*>(data_)[i]);
    }
  });
}

std::string Tensor::Description() const {
  return std::string(DTypeName(dtype_)) + shape_.ToString();
}

}  // namespace trt
