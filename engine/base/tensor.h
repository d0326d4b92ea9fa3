// Tensor (owning, shared storage) and TensorView (non-owning).
//
// Layout: dense, row-major (C order), no strides; element type given by DType.
// Ownership: a Tensor holds a shared_ptr to its storage, so copying a Tensor is cheap and
// aliases the same bytes (Reshape/Identity outputs alias their input this way). Use Clone()
// for a deep copy. Storage from Allocate() is 64-byte aligned, zero-filled, and followed by
// kOverReadBytes of readable padding (see aligned_alloc.h).
// Threading: a Tensor is a value type; concurrent reads are safe, concurrent writes to the
// same storage are the caller's responsibility.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/dtype.h"
#include "engine/base/shape.h"
#include "engine/base/status.h"

namespace trt {

// Largest single tensor we agree to allocate (guards against hostile shapes): 16 GiB.
inline constexpr int64_t kMaxTensorBytes = int64_t{16} << 30;

// Checks dims >= 0 and that numel * dtype size fits kMaxTensorBytes without overflow.
// On success stores the byte size in *bytes (if non-null).
Status CheckShapeSize(DType dtype, const Shape& shape, int64_t* bytes = nullptr);

class TensorView {
 public:
  TensorView() = default;
  TensorView(DType dtype, Shape shape, void* data)
      : dtype_(dtype), shape_(std::move(shape)), data_(data) {}
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t NumElements() const { return shape_.NumElements(); }
  size_t nbytes() const { return static_cast<size_t>(NumElements()) * DTypeSize(dtype_); }
  void* raw_data() const { return data_; }
  template <typename T>
  T* data() const {
    return static_cast<T*>(data_);
  }

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  void* data_ = nullptr;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: dtype kUndefined, no storage

  // Allocates zeroed storage. Fails with ResourceExhausted/InvalidArgument on absurd shapes.
  static StatusOr<Tensor> Allocate(DType dtype, Shape shape);
  // Allocates or aborts; for internal use with shapes already validated.
  Tensor(DType dtype, Shape shape);
  // Wraps memory owned elsewhere; `owner` keeps it alive (may be null for borrowed memory
  // that outlives the tensor, e.g. an execution context's arena).
  static Tensor Wrap(DType dtype, Shape shape, void* data, std::shared_ptr<void> owner);

  // Scalar (rank-0) and 1-D constructors for tests and constant folding.
  template <typename T>
  static Tensor Scalar(T v) {
    Tensor t(kDTypeOf<T>, Shape{});
    *t.data<T>() = v;
    return t;
  }
  template <typename T>
  static Tensor FromVector(const std::vector<T>& v, Shape shape) {
    Tensor t(kDTypeOf<T>, std::move(shape));
    for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.NumElements(); ++i)
      t.data<T>()[i] = v[i];
    return t;
  }
  template <typename T>
  static Tensor FromVector(const std::vector<T>& v) {
    return FromVector(v, Shape{static_cast<int64_t>(v.size())});
  }

  bool defined() const { return dtype_ != DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t NumElements() const { return shape_.NumElements(); }
  size_t nbytes() const { return static_cast<size_t>(NumElements()) * DTypeSize(dtype_); }

  void* raw_data() { return data_; }
  const void* raw_data() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }

  // Same storage, new shape with the same element count (checked: aborts otherwise).
  Tensor Reshaped(Shape shape) const;
  // Deep copy into fresh storage.
  Tensor Clone() const;
  TensorView view() const { return TensorView(dtype_, shape_, data_); }

  // Reads element i converted to double / int64 (any numeric dtype). For shape tensors,
  // attributes and tests; not for hot loops.
  double GetAsDouble(int64_t i) const;
  int64_t GetAsInt64(int64_t i) const;

  // "float32[2, 3]"
  std::string Description() const;

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  std::shared_ptr<void> storage_;
  void* data_ = nullptr;
};

}  // namespace trt
