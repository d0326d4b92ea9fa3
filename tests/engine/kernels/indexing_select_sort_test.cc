// Unit tests of OneHot, NonZero, Compress, TopK, ArgMax/ArgMin, CumSum, Unique and
// NonMaxSuppression: hand-computed cases for the tricky attributes (ties, negative indices,
// exclusive/reverse, unsorted Unique outputs) and error texts.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

TEST(IndexingSelectTest, OneHotNegativeIndicesAxis0) {
  NodeRunner r("OneHot", 11);
  r.Input("i", Tensor::FromVector<int64_t>({-1, 1, 5}))
      .Input("d", Tensor::Scalar<float>(3.0f))
      .Input("v", Tensor::FromVector<int32_t>({-1, 9}))
      .Attr("axis", int64_t{0})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 3}));
  // Column j is the one-hot of indices[j]; 5 is out of range (all off).
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{-1, -1, -1, -1, 9, -1, 9, -1, -1}));
}

TEST(IndexingSelectTest, NonZeroAndCompress) {
  NodeRunner nz("NonZero", 13);
  nz.Input("x", Tensor::FromVector<int32_t>({0, 3, 4, 0}, Shape{2, 2})).Output("y");
  auto out = nz.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{0, 1, 1, 0}));

  NodeRunner c("Compress", 11);
  c.Input("x", Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{3, 2}))
      .Input("c", Tensor::FromVector<bool>({false, true, true}))
      .Output("y");
  out = c.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{2, 3}));

  NodeRunner bad("Compress", 11);
  bad.Input("x", Tensor::FromVector<float>({1, 2}))
      .Input("c", Tensor::FromVector<bool>({false, false, true}))
      .Attr("axis", int64_t{0})
      .Output("y");
  out = bad.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("condition selects index 2"), std::string::npos)
      << out.status();
}

TEST(IndexingSortTest, TopKTiesLowerIndexFirst) {
  NodeRunner r("TopK", 11);
  r.Input("x", Tensor::FromVector<float>({3, 1, 3, 2, 1}))
      .Input("k", Tensor::FromVector<int64_t>({3}))
      .Attr("largest", int64_t{0})
      .Output("v")
      .Output("i");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 1, 2}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{1, 4, 3}));

  NodeRunner old("TopK", 1);
  old.Input("x", Tensor::FromVector<float>({3, 1, 3, 2}, Shape{2, 2}))
      .Attr("k", int64_t{1})
      .Output("v")
      .Output("i");
  out = old.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 3}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{0, 0}));

  NodeRunner bad("TopK", 11);
  bad.Input("x", Tensor::FromVector<float>({1, 2}))
      .Input("k", Tensor::FromVector<int64_t>({3}))
      .Output("v")
      .Output("i");
  out = bad.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("k 3 out of range [0, 2]"), std::string::npos)
      << out.status();
}

TEST(IndexingSortTest, ArgMaxSelectLastIndex) {
  Tensor x = Tensor::FromVector<int32_t>({5, 1, 5, 1, 1, 0}, Shape{2, 3});
  NodeRunner first("ArgMax", 13);
  first.Input("x", x).Attr("axis", int64_t{-1}).Output("y");
  auto out = first.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{0, 0}));

  NodeRunner last("ArgMin", 12);
  last.Input("x", x)
      .Attr("axis", int64_t{1})
      .Attr("keepdims", int64_t{0})
      .Attr("select_last_index", int64_t{1})
      .Output("y");
  out = last.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{1, 2}));
}

TEST(IndexingSortTest, CumSumExclusiveReverse) {
  NodeRunner r("CumSum", 14);
  r.Input("x", Tensor::FromVector<double>({1, 2, 3, 4, 5, 6}, Shape{2, 3}))
      .Input("axis", Tensor::Scalar<int32_t>(-1))
      .Attr("exclusive", int64_t{1})
      .Attr("reverse", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<double>((*out)[0]), (std::vector<double>{5, 3, 0, 11, 6, 0}));
}

TEST(IndexingSortTest, UniqueUnsortedAllOutputs) {
  NodeRunner r("Unique", 11);
  r.Input("x", Tensor::FromVector<int64_t>({2, 1, 1, 3, 4, 3}))
      .Attr("sorted", int64_t{0})
      .Output("y")
      .Output("indices")
      .Output("inverse")
      .Output("counts");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{2, 1, 3, 4}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(Values<int64_t>((*out)[2]), (std::vector<int64_t>{0, 1, 1, 2, 3, 2}));
  EXPECT_EQ(Values<int64_t>((*out)[3]), (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(IndexingSortTest, UniqueSortedAxis) {
  NodeRunner r("Unique", 11);
  r.Input("x", Tensor::FromVector<float>({1, 0, 0, 1, 1, 0}, Shape{3, 2}))
      .Attr("axis", int64_t{0})
      .Output("y")
      .Output("indices")
      .Output("inverse")
      .Output("counts");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{0, 1, 1, 0}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(Values<int64_t>((*out)[2]), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(Values<int64_t>((*out)[3]), (std::vector<int64_t>{1, 2}));
}

TEST(IndexingSortTest, UniqueNaNsSortLastAndCollapse) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  NodeRunner r("Unique", 11);
  r.Input("x", Tensor::FromVector<float>({nan, 1, nan}))
      .Output("y")
      .Output("")
      .Output("")
      .Output("counts");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].NumElements(), 2);
  EXPECT_EQ((*out)[0].data<float>()[0], 1.f);
  EXPECT_TRUE(std::isnan((*out)[0].data<float>()[1]));
  EXPECT_EQ(Values<int64_t>((*out).back()), (std::vector<int64_t>{1, 2}));
}

TEST(IndexingSortTest, NonMaxSuppressionCenterPoint) {
  // Boxes 0 and 1 overlap with IoU 2/3 (> 0.5); box 2 is far away.
  NodeRunner r("NonMaxSuppression", 11);
  r.Input("b", Tensor::FromVector<float>({0.5f, 0.5f, 1, 1, 0.7f, 0.5f, 1, 1, 5, 5, 1, 1},
                                         Shape{1, 3, 4}))
      .Input("s", Tensor::FromVector<float>({0.9f, 0.95f, 0.3f}, Shape{1, 1, 3}))
      .Input("m", Tensor::FromVector<int64_t>({3}))
      .Input("iou", Tensor::FromVector<float>({0.5f}))
      .Input("st", Tensor::FromVector<float>({0.3f}))
      .Attr("center_point_box", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // Box 2 scores exactly the threshold and is dropped (strictly greater is kept).
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{0, 0, 1}));
}

}  // namespace
}  // namespace trt::testing
