// Unit tests of the nn family: Conv, ConvTranspose, pooling and MaxUnpool on hand-computed
// cases (small integers, so float results are exact) and error messages on bad input.

#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

TEST(NnConvTest, Conv2dPadsStridesBias) {
  // X 1x1x3x3 = 0..8, W 1x1x2x2 all ones, pads 1, strides 2, bias 10.
  NodeRunner r("Conv", 13);
  r.Input("X", Iota({1, 1, 3, 3}))
      .ConstantInput("W", Tensor::FromVector(std::vector<float>(4, 1.f), Shape{1, 1, 2, 2}))
      .ConstantInput("B", Tensor::FromVector(std::vector<float>{10.f}))
      .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 1, 2, 2}));
  // Windows: {0} {1,2} {3,6} {4,5,7,8}.
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{10, 13, 19, 34}));
}

TEST(NnConvTest, Conv1dGroupDilationSameUpper) {
  // 2 channels, group 2, kernel 2 dilation 2: y[c][o] = x[c][o] * w0 + x[c][o + 2] * w1.
  NodeRunner r("Conv", 11);
  r.Input("X", Iota({1, 2, 4}))
      .Input("W", Tensor::FromVector(std::vector<float>{1, 2, 3, 4}, Shape{2, 1, 2}))
      .Attr("group", int64_t{2})
      .Attr("dilations", std::vector<int64_t>{2})
      .Attr("auto_pad", std::string("SAME_UPPER"))
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), (Shape{1, 2, 4}));
  // total pad = 2 -> 1 begin, 1 end. c0: x=[0,1,2,3]; o0: x[-1]*1 + x[1]*2 = 2.
  EXPECT_EQ(Values((*out)[0]),
            (std::vector<float>{2, 4, 7, 2, 5 * 4, 4 * 3 + 6 * 4, 5 * 3 + 7 * 4, 6 * 3}));
}

TEST(NnConvTest, ConvRejectsBadShapes) {
  NodeRunner r("Conv", 13);
  r.Input("X", Iota({1, 1, 3, 3})).Input("W", Iota({1, 2, 2, 2})).Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("expected dim 1 = C / group = 1"), std::string::npos)
      << out.status();

  NodeRunner r2("Conv", 13);
  r2.Input("X", Iota({1, 9})).Input("W", Iota({1, 1, 2, 2})).Output("Y");
  out = r2.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 0 (X) has shape [1, 9], expected rank >= 3"),
            std::string::npos)
      << out.status();

  NodeRunner r3("Conv", 13);
  r3.Input("X", Iota({1, 1, 3, 3}))
      .Input("W", Iota({1, 1, 2, 2}))
      .Attr("auto_pad", std::string("SAME"))
      .Output("Y");
  out = r3.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("auto_pad is 'SAME'"), std::string::npos) << out.status();
}

TEST(NnConvTest, ConvTransposeStridesOutputPadding) {
  // X 1x1x2 = [1, 2], W 1x1x2 = [1, 10], stride 2, output_padding 1 -> length 5.
  NodeRunner r("ConvTranspose", 13);
  r.Input("X", Tensor::FromVector(std::vector<float>{1, 2}, Shape{1, 1, 2}))
      .Input("W", Tensor::FromVector(std::vector<float>{1, 10}, Shape{1, 1, 2}))
      .Attr("strides", std::vector<int64_t>{2})
      .Attr("output_padding", std::vector<int64_t>{1})
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{1, 10, 2, 20, 0}));
}

TEST(NnConvTest, MaxPoolIndicesAndCeilMode) {
  // 1x1x3x3 = 0..8 with the max in the middle replaced; kernel 2, stride 2, ceil_mode.
  std::vector<float> x = Values(Iota({9}));
  x[4] = 100;
  NodeRunner r("MaxPool", 12);
  r.Input("X", Tensor::FromVector(x, Shape{1, 1, 3, 3}))
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Attr("ceil_mode", int64_t{1})
      .Attr("storage_order", int64_t{1})
      .Output("Y")
      .Output("I");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{100, 5, 7, 8}));
  const int64_t* idx = (*out)[1].data<int64_t>();
  // Column-major spatial indices: (h, w) -> h + w * 3.
  EXPECT_EQ(std::vector<int64_t>(idx, idx + 4), (std::vector<int64_t>{4, 7, 5, 8}));
}

TEST(NnConvTest, AveragePoolCountIncludePad) {
  auto run = [](int64_t include_pad) {
    NodeRunner r("AveragePool", 11);
    r.Input("X", Tensor::FromVector(std::vector<float>{2, 4, 6, 8}, Shape{1, 1, 4}))
        .Attr("kernel_shape", std::vector<int64_t>{2})
        .Attr("strides", std::vector<int64_t>{2})
        .Attr("pads", std::vector<int64_t>{1, 1})
        .Attr("count_include_pad", include_pad)
        .Output("Y");
    return r.Run();
  };
  auto excl = run(0);
  ASSERT_TRUE(excl.ok()) << excl.status();
  EXPECT_EQ(Values((*excl)[0]), (std::vector<float>{2, 5, 8}));
  auto incl = run(1);
  ASSERT_TRUE(incl.ok()) << incl.status();
  EXPECT_EQ(Values((*incl)[0]), (std::vector<float>{1, 5, 4}));
}

TEST(NnConvTest, LpPoolAndGlobalPools) {
  NodeRunner r("LpPool", 18);
  r.Input("X", Tensor::FromVector(std::vector<float>{3, 4, 6, 8}, Shape{1, 1, 4}))
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("strides", std::vector<int64_t>{2})
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{5, 10}));

  NodeRunner g("GlobalMaxPool", 1);
  g.Input("X", Tensor::FromVector(std::vector<float>{3, -4, 6, 8, -1, -2}, Shape{1, 2, 3}))
      .Output("Y");
  out = g.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 1}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{6, 8}));
}

TEST(NnConvTest, PoolRejectsKernelRankMismatch) {
  NodeRunner r("MaxPool", 12);
  r.Input("X", Iota({1, 1, 3, 3})).Attr("kernel_shape", std::vector<int64_t>{2}).Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("kernel_shape [2] has 1 dims, expected 2"),
            std::string::npos)
      << out.status();
}

TEST(NnConvTest, MaxUnpoolRejectsOutOfRangeIndex) {
  NodeRunner r("MaxUnpool", 11);
  r.Input("X", Tensor::FromVector(std::vector<float>{1, 2}, Shape{1, 1, 2}))
      .Input("I", Tensor::FromVector(std::vector<int64_t>{0, 9}, Shape{1, 1, 2}))
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("strides", std::vector<int64_t>{2})
      .Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("element 1 is 9, out of range [0, 4)"), std::string::npos)
      << out.status();
}

TEST(NnConvTest, Col2ImSumsOverlaps) {
  // 1-D image of 4, block 2, stride 1: 3 blocks; column rows are the block taps.
  NodeRunner r("Col2Im", 18);
  r.Input("x", Tensor::FromVector(std::vector<float>{1, 2, 3, 10, 20, 30}, Shape{1, 2, 3}))
      .Input("img", Tensor::FromVector(std::vector<int64_t>{4}))
      .Input("blk", Tensor::FromVector(std::vector<int64_t>{2}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 1, 4}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{1, 12, 23, 30}));

  NodeRunner bad("Col2Im", 18);
  bad.Input("x", Tensor::FromVector(std::vector<float>(6, 1.f), Shape{1, 2, 3}))
      .Input("img", Tensor::FromVector(std::vector<int64_t>{5}))
      .Input("blk", Tensor::FromVector(std::vector<int64_t>{2}))
      .Output("y");
  out = bad.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("expected [N, C * 2, 4]"), std::string::npos)
      << out.status();
}

}  // namespace
}  // namespace trt::testing
