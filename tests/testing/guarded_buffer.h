// Test helper: a float array that ends exactly at an unmapped page, so a kernel reading or
// writing past its end faults (style guide: guard pages in kernel tests).
//
//   GuardedFloats x(n);            // x.data()[0, n) is readable and writable
//   kernel(x.data(), y.data(), n);  // x.data()[n] is PROT_NONE
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace trt::testing {

class GuardedFloats {
 public:
  explicit GuardedFloats(int64_t n) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = static_cast<size_t>(n) * sizeof(float);
    data_pages_ = (bytes + page - 1) / page;
    size_ = (data_pages_ + 1) * page;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
    if (base_ != nullptr) {
      mprotect(base_ + data_pages_ * page, page, PROT_NONE);
      data_ = reinterpret_cast<float*>(base_ + data_pages_ * page - bytes);
    }
  }
  ~GuardedFloats() {
    if (base_ != nullptr) munmap(base_, size_);
  }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;

  // nullptr if the mapping failed.
  float* data() const { return data_; }

 private:
  char* base_ = nullptr;
  size_t size_ = 0;
  size_t data_pages_ = 0;
  float* data_ = nullptr;
};

}  // namespace trt::testing
