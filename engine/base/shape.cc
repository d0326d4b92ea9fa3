#include "engine/base/shape.h"

#include <algorithm>
#include <cstring>

namespace trt {

Shape& Shape::operator=(Shape&& o) noexcept {
  if (this == &o) return *this;
  if (o.heap_) {
    heap_ = std::move(o.heap_);
    capacity_ = o.capacity_;
  } else {
    heap_.reset();
    capacity_ = kInlineRank;
    std::memcpy(inline_, o.inline_, sizeof(inline_));
  }
  size_ = o.size_;
  o.size_ = 0;
  o.capacity_ = kInlineRank;
  return *this;
}

void Shape::Reserve(size_t n) {
  if (n <= capacity_) return;
  size_t cap = std::max(n, capacity_ * 2);
  std::unique_ptr<int64_t[]> h(new int64_t[cap]);
  std::copy(begin(), end(), h.get());
  heap_ = std::move(h);
  capacity_ = cap;
}

void Shape::Assign(const int64_t* d, size_t n) {
  size_ = 0;
  Reserve(n);
  std::copy(d, d + n, data());
  size_ = n;
}

void Shape::push_back(int64_t d) {
  Reserve(size_ + 1);
  data()[size_++] = d;
}

void Shape::resize(size_t n, int64_t fill) {
  Reserve(n);
  for (size_t i = size_; i < n; ++i) data()[i] = fill;
  size_ = n;
}

void Shape::insert(size_t pos, int64_t d) {
  Reserve(size_ + 1);
  int64_t* p = data();
  for (size_t i = size_; i > pos; --i) p[i] = p[i - 1];
  p[pos] = d;
  ++size_;
}

void Shape::erase(size_t pos) {
  int64_t* p = data();
  for (size_t i = pos; i + 1 < size_; ++i) p[i] = p[i + 1];
  --size_;
}

int64_t Shape::NumElements() const { return NumElements(0, rank()); }

int64_t Shape::NumElements(int b, int e) const {
  int64_t n = 1;
  for (int i = b; i < e; ++i) n *= data()[i];
  return n;
}

std::vector<int64_t> Shape::Strides() const {
  std::vector<int64_t> s(size_);
  int64_t acc = 1;
  for (size_t i = size_; i-- > 0;) {
    s[i] = acc;
    acc *= data()[i];
  }
  return s;
}

std::string Shape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < size_; ++i) {
    if (i) s += ", ";
    s += std::to_string(data()[i]);
  }
  return s + "]";
}

std::string Shape::ToXString() const {
  if (size_ == 0) return "scalar";
  std::string s;
  for (size_t i = 0; i < size_; ++i) {
    if (i) s += "x";
    s += std::to_string(data()[i]);
  }
  return s;
}

bool operator==(const Shape& a, const Shape& b) {
  return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
}

bool NormalizeAxis(int64_t axis, int rank, int* out) {
  if (axis < -rank || axis >= rank) return false;
  *out = static_cast<int>(axis < 0 ? axis + rank : axis);
  return true;
}

}  // namespace trt
