// Shape: the concrete dims of a tensor (all >= 0). Up to kInlineRank dims live inline, so
// building and copying shapes of ordinary rank never touches the heap (hot-path friendly);
// larger ranks spill to the heap transparently.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace trt {

class Shape {
 public:
  static constexpr int kInlineRank = 8;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  explicit Shape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  explicit Shape(const std::vector<int64_t>& dims) { Assign(dims.data(), dims.size()); }
  Shape(const Shape& o) { Assign(o.data(), o.size()); }
  Shape& operator=(const Shape& o) {
    if (this != &o) Assign(o.data(), o.size());
    return *this;
  }
  Shape(Shape&& o) noexcept { *this = std::move(o); }
  Shape& operator=(Shape&& o) noexcept;

  // Rank 0 is a scalar (one element).
  int rank() const { return static_cast<int>(size_); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t back() const { return data()[size_ - 1]; }
  std::span<const int64_t> dims() const { return {data(), size_}; }
  std::vector<int64_t> ToVector() const { return {begin(), end()}; }

  void push_back(int64_t d);
  void resize(size_t n, int64_t fill = 0);
  void insert(size_t pos, int64_t d);
  void erase(size_t pos);

  // Product of all dims (1 for a scalar). Callers validate dims before (no overflow check).
  int64_t NumElements() const;
  // Product of dims [begin, end).
  int64_t NumElements(int begin, int end) const;

  // Row-major (C-order) element strides.
  std::vector<int64_t> Strides() const;

  // "[2, 3, 224, 224]"
  std::string ToString() const;
  // "2x3x224x224" (trtexec style); "scalar" for rank 0.
  std::string ToXString() const;

  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  void Assign(const int64_t* d, size_t n);
  void Reserve(size_t n);

  int64_t inline_[kInlineRank] = {};
  std::unique_ptr<int64_t[]> heap_;
  size_t size_ = 0;
  size_t capacity_ = kInlineRank;
};

// Normalizes a possibly negative axis into [0, rank). Returns false if out of range.
bool NormalizeAxis(int64_t axis, int rank, int* out);

}  // namespace trt
