// Unit tests of Gather, GatherElements, GatherND, ScatterND, ScatterElements and Scatter:
// negative indices, int32 indices, batch_dims, reductions with duplicate indices, and the
// error texts for out-of-range indices and bad attributes.
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

// [[0, 1, 2], [10, 11, 12], [20, 21, 22]]
Tensor Data33() {
  return Tensor::FromVector<float>({0, 1, 2, 10, 11, 12, 20, 21, 22}, Shape{3, 3});
}

TEST(IndexingGatherTest, NegativeInt32IndicesAxis1) {
  NodeRunner r("Gather", 13);
  r.Input("x", Data33())
      .Input("i", Tensor::FromVector<int32_t>({-1, 0}, Shape{1, 2}))
      .Attr("axis", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{2, 0, 12, 10, 22, 20}));
}

TEST(IndexingGatherTest, ScalarIndexDropsAxis) {
  NodeRunner r("Gather", 11);
  r.Input("x", Data33()).Input("i", Tensor::Scalar<int64_t>(-2)).Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{3}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{10, 11, 12}));
}

TEST(IndexingGatherTest, OutOfRangeIndexError) {
  NodeRunner r("Gather", 13);
  r.Input("x", Data33()).Input("i", Tensor::FromVector<int64_t>({1, 3})).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find(
                "index 3 out of range [-3, 2] for axis 0 of input 0 (data, shape [3, 3])"),
            std::string::npos)
      << out.status();
}

TEST(IndexingGatherTest, GatherElementsNegative) {
  NodeRunner r("GatherElements", 13);
  r.Input("x", Data33())
      .Input("i", Tensor::FromVector<int64_t>({-1, 0, 1, 2}, Shape{2, 2}))
      .Attr("axis", int64_t{0})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{20, 1, 10, 21}));
}

TEST(IndexingGatherTest, GatherNDBatchDims) {
  // data [2, 2, 2], indices [2, 1] with batch_dims 1 -> picks data[b, idx[b]].
  NodeRunner r("GatherND", 12);
  r.Input("x", Tensor::FromVector<int32_t>({0, 1, 2, 3, 4, 5, 6, 7}, Shape{2, 2, 2}))
      .Input("i", Tensor::FromVector<int64_t>({1, 0}, Shape{2, 1}))
      .Attr("batch_dims", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(IndexingGatherTest, GatherNDBadLastDim) {
  NodeRunner r("GatherND", 13);
  r.Input("x", Data33())
      .Input("i", Tensor::FromVector<int64_t>({0, 0, 0}, Shape{1, 3}))
      .Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("indices last dim 3 must be in [1, 2]"), std::string::npos)
      << out.status();
}

TEST(IndexingScatterTest, ScatterNDReductions) {
  auto run = [](const std::string& red, int opset) {
    NodeRunner r("ScatterND", opset);
    r.Input("x", Tensor::FromVector<float>({1, 2, 3, 4}))
        .Input("i", Tensor::FromVector<int64_t>({1, 1, -1}, Shape{3, 1}))
        .Input("u", Tensor::FromVector<float>({5, 6, 7}))
        .Attr("reduction", red)
        .Output("y");
    return r.Run();
  };
  auto out = run("mul", 16);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 60, 3, 28}));
  out = run("max", 18);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{1, 6, 3, 7}));
  out = run("max", 16);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("reduction 'max' is not supported at opset 16"),
            std::string::npos)
      << out.status();
}

TEST(IndexingScatterTest, ScatterNDSliceUpdate) {
  NodeRunner r("ScatterND", 13);
  r.Input("x", Data33())
      .Input("i", Tensor::FromVector<int64_t>({2}, Shape{1, 1}))
      .Input("u", Tensor::FromVector<float>({7, 8, 9}, Shape{1, 3}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{0, 1, 2, 10, 11, 12, 7, 8, 9}));
}

TEST(IndexingScatterTest, ScatterElementsAddDuplicates) {
  NodeRunner r("ScatterElements", 16);
  r.Input("x", Tensor::FromVector<int64_t>({1, 2, 3, 4, 5}, Shape{1, 5}))
      .Input("i", Tensor::FromVector<int32_t>({1, -4, 3}, Shape{1, 3}))
      .Input("u", Tensor::FromVector<int64_t>({10, 20, 30}, Shape{1, 3}))
      .Attr("axis", int64_t{1})
      .Attr("reduction", std::string("add"))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{1, 32, 3, 34, 5}));
}

TEST(IndexingScatterTest, DeprecatedScatterAndBadIndex) {
  NodeRunner r("Scatter", 9);
  r.Input("x", Data33())
      .Input("i", Tensor::FromVector<int64_t>({2, 0}, Shape{1, 2}))
      .Input("u", Tensor::FromVector<float>({-1, -2}, Shape{1, 2}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{0, -2, 2, 10, 11, 12, -1, 21, 22}));

  NodeRunner bad("ScatterElements", 13);
  bad.Input("x", Data33())
      .Input("i", Tensor::FromVector<int64_t>({-4}, Shape{1, 1}))
      .Input("u", Tensor::FromVector<float>({1}, Shape{1, 1}))
      .Output("y");
  out = bad.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("index -4 out of range [-3, 2] for axis 0"),
            std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace trt::testing
