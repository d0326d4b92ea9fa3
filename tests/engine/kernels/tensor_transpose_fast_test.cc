// TransposeFast (row copies and tiled 2-D transposes after axis simplification) against the
// element-by-element reference TransposeInto: random ranks 1-6, sizes with 1s, odd sizes
// around the 16-element tile, every element size the engine has (1, 2, 4, 8 bytes), on the
// caller and on a 2-thread pool (large tensors take the parallel path). Byte-exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"
#include "engine/kernels/tensor/tensor_util.h"
#include "engine/kernels/tensor/transpose_fast.h"

namespace trt::kernels::tensor {
namespace {

Tensor RandomBytes(DType dtype, const Shape& shape, std::mt19937& rng) {
  Tensor t(dtype, shape);
  auto* p = static_cast<uint8_t*>(t.raw_data());
  for (size_t i = 0; i < t.nbytes(); ++i) p[i] = static_cast<uint8_t>(rng());
  return t;
}

Shape Permuted(const Shape& s, const std::vector<int>& perm) {
  Shape out;
  for (int a : perm) out.push_back(s[a]);
  return out;
}

void ExpectSameAsReference(const Tensor& x, const std::vector<int>& perm, ThreadPool* pool) {
  Tensor want(x.dtype(), Permuted(x.shape(), perm));
  Tensor got(x.dtype(), Permuted(x.shape(), perm));
  std::memset(got.raw_data(), 0xA5, got.nbytes());
  TransposeInto(x, perm, &want);
  ASSERT_TRUE(TransposeFast(x, perm, &got, pool));
  ASSERT_EQ(std::memcmp(got.raw_data(), want.raw_data(), want.nbytes()), 0)
      << "shape " << x.shape().ToString() << " " << DTypeName(x.dtype()) << " perm "
      << ::testing::PrintToString(perm);
}

TEST(TransposeFastTest, RandomShapesPermsAndElementSizes) {
  std::mt19937 rng(7);
  ThreadPool pool(2);
  const DType dtypes[] = {DType::kUInt8, DType::kFloat16, DType::kFloat32, DType::kInt64};
  const int64_t sizes[] = {1, 1, 2, 3, 5, 7, 15, 16, 17, 33};
  for (int iter = 0; iter < 600; ++iter) {
    const int rank = 1 + static_cast<int>(rng() % 6);
    Shape shape;
    int64_t n = 1;
    for (int d = 0; d < rank; ++d) {
      int64_t s = sizes[rng() % std::size(sizes)];
      if (n * s > 60000) s = 1;
      shape.push_back(s);
      n *= s;
    }
    std::vector<int> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    const Tensor x = RandomBytes(dtypes[iter % 4], shape, rng);
    ExpectSameAsReference(x, perm, iter % 2 ? &pool : nullptr);
    if (HasFatalFailure()) return;
  }
}

TEST(TransposeFastTest, ModelShapesOnTwoThreads) {
  // BERT's head split/merge, NCHW <-> NHWC, a matrix transpose with tails, and sizes of 1.
  std::mt19937 rng(3);
  ThreadPool pool(2);
  struct Case {
    Shape shape;
    std::vector<int> perm;
  };
  const Case cases[] = {
      {{2, 128, 12, 64}, {0, 2, 1, 3}}, {{2, 12, 128, 64}, {0, 2, 1, 3}},
      {{1, 12, 128, 64}, {0, 1, 3, 2}}, {{2, 64, 57, 31}, {0, 2, 3, 1}},
      {{2, 57, 31, 64}, {0, 3, 1, 2}},  {{1003, 517}, {1, 0}},
      {{1, 1, 1, 1}, {3, 1, 0, 2}},     {{7}, {0}},
  };
  for (const Case& c : cases) {
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
      ExpectSameAsReference(RandomBytes(DType::kFloat32, c.shape, rng), c.perm, p);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(TransposeFastTest, EmptyTensorAndTooManyAxes) {
  std::mt19937 rng(5);
  ExpectSameAsReference(RandomBytes(DType::kFloat32, Shape{3, 0, 4}, rng), {2, 0, 1}, nullptr);
  // Ten axes of 2 reversed: nothing merges, more than kMaxFastRank axes -> caller falls back.
  Shape s(std::vector<int64_t>(10, 2));
  std::vector<int> perm(10);
  for (int d = 0; d < 10; ++d) perm[d] = 9 - d;
  const Tensor x = RandomBytes(DType::kFloat32, s, rng);
  Tensor y(DType::kFloat32, s);
  EXPECT_FALSE(TransposeFast(x, perm, &y, nullptr));
}

}  // namespace
}  // namespace trt::kernels::tensor
