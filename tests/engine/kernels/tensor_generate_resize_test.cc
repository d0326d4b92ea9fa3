// Tests for the tensor family's generators (ConstantOfShape, Range, EyeLike, Trilu) and for
// Resize / Upsample (hand-computed coordinates and weights per mode).
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

using V = std::vector<float>;
using VI = std::vector<int64_t>;

TEST(TensorConstantOfShapeTest, ValueAttributeAndDefault) {
  graph::Attribute value;
  value.kind = graph::Attribute::Kind::kTensor;
  value.t = Tensor::FromVector(std::vector<int64_t>{5});
  NodeRunner r("ConstantOfShape", 9);
  r.Input("s", I64({2, 2})).Attr("value", value).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.dtype(), DType::kInt64);
  EXPECT_EQ(Ints(y), (VI{5, 5, 5, 5}));
  NodeRunner d("ConstantOfShape", 9);
  d.Input("s", I64({3})).Output("y");
  y = Run1(d);
  EXPECT_EQ(y.dtype(), DType::kFloat32);
  EXPECT_EQ(Floats(y), (V{0, 0, 0}));
}

TEST(TensorRangeTest, FloatAndIntCounts) {
  NodeRunner f("Range", 11);
  f.Input("a", Tensor::Scalar(0.0f)).Input("b", Tensor::Scalar(1.0f));
  f.Input("c", Tensor::Scalar(0.3f)).Output("y");
  Tensor y = Run1(f);
  ASSERT_EQ(y.NumElements(), 4);
  EXPECT_NEAR(Floats(y)[3], 0.9f, 1e-6);
  NodeRunner i("Range", 11);
  i.Input("a", Tensor::Scalar(int32_t{10})).Input("b", Tensor::Scalar(int32_t{4}));
  i.Input("c", Tensor::Scalar(int32_t{-3})).Output("y");
  EXPECT_EQ(Ints(Run1(i)), (VI{10, 7}));
  NodeRunner e("Range", 11);
  e.Input("a", Tensor::Scalar(int64_t{10})).Input("b", Tensor::Scalar(int64_t{4}));
  e.Input("c", Tensor::Scalar(int64_t{3})).Output("y");
  EXPECT_EQ(Run1(e).NumElements(), 0);
  NodeRunner z("Range", 11);
  z.Input("a", Tensor::Scalar(int64_t{0})).Input("b", Tensor::Scalar(int64_t{4}));
  z.Input("c", Tensor::Scalar(int64_t{0})).Output("y");
  EXPECT_NE(RunError(z).find("delta must not be zero"), std::string::npos);
}

TEST(TensorEyeLikeTest, OffDiagonalWithDtype) {
  NodeRunner r("EyeLike", 9);
  r.Input("x", Iota({2, 3})).Attr("k", int64_t{1});
  r.Attr("dtype", static_cast<int64_t>(DType::kInt32)).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.dtype(), DType::kInt32);
  EXPECT_EQ(Ints(y), (VI{0, 1, 0, 0, 0, 1}));
}

TEST(TensorTriluTest, UpperAndLowerWithK) {
  NodeRunner u("Trilu", 14);
  u.Input("x", Iota({3, 3})).ConstantInput("k", Tensor::Scalar(int64_t{-1})).Output("y");
  EXPECT_EQ(Floats(Run1(u)), (V{0, 1, 2, 3, 4, 5, 0, 7, 8}));
  NodeRunner l("Trilu", 14);
  l.Input("x", Iota({2, 3})).Attr("upper", int64_t{0}).Output("y");
  EXPECT_EQ(Floats(Run1(l)), (V{0, 0, 0, 3, 4, 0}));
}

// Resize-13 of a 1-D tensor by sizes with the given attributes.
NodeRunner ResizeSizes(Tensor x, int64_t size, const std::string& mode, const std::string& coord) {
  NodeRunner r("Resize", 13);
  r.Input("x", std::move(x)).OmittedInput().OmittedInput().ConstantInput("s", I64({size}));
  r.Attr("mode", mode).Attr("coordinate_transformation_mode", coord).Output("y");
  return r;
}

TEST(TensorResizeTest, LinearHalfPixelAndAlignCorners) {
  NodeRunner r("Resize", 13);
  r.Input("x", Tensor::FromVector(V{0, 10})).OmittedInput();
  r.ConstantInput("sc", Tensor::FromVector(V{2})).Attr("mode", std::string("linear"));
  r.Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{0, 2.5, 7.5, 10}));
  NodeRunner a = ResizeSizes(Tensor::FromVector(V{0, 10}), 3, "linear", "align_corners");
  EXPECT_EQ(Floats(Run1(a)), (V{0, 5, 10}));
}

TEST(TensorResizeTest, NearestModes) {
  NodeRunner f = ResizeSizes(Iota({4}), 8, "nearest", "asymmetric");
  EXPECT_EQ(Floats(Run1(f)), (V{0, 0, 1, 1, 2, 2, 3, 3}));
  NodeRunner c = ResizeSizes(Iota({4}), 8, "nearest", "asymmetric");
  c.Attr("nearest_mode", std::string("round_prefer_ceil"));
  EXPECT_EQ(Floats(Run1(c)), (V{0, 1, 1, 2, 2, 3, 3, 3}));
}

TEST(TensorResizeTest, CubicReproducesRampInside) {
  NodeRunner r = ResizeSizes(Iota({8}), 16, "cubic", "half_pixel");
  r.Attr("cubic_coeff_a", -0.5f);
  Tensor y = Run1(r);
  // Output 7 samples x = 7.5 / 2 - 0.5 = 3.25; Keys' a=-0.5 kernel reproduces a ramp.
  EXPECT_NEAR(Floats(y)[7], 3.25f, 1e-5);
}

TEST(TensorResizeTest, TfCropAndResizeExtrapolates) {
  NodeRunner r("Resize", 13);
  r.Input("x", Tensor::FromVector(V{0, 10})).ConstantInput("roi", Tensor::FromVector(V{0.5, 1.5}));
  r.OmittedInput().ConstantInput("s", I64({3})).Attr("mode", std::string("linear"));
  r.Attr("coordinate_transformation_mode", std::string("tf_crop_and_resize"));
  r.Attr("extrapolation_value", 7.0f).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{5, 10, 7}));
}

TEST(TensorResizeTest, AntialiasWidensLinearFilter) {
  auto run = [](int64_t antialias) {
    NodeRunner r("Resize", 18);
    r.Input("x", Iota({4})).OmittedInput().ConstantInput("sc", Tensor::FromVector(V{0.5}));
    r.Attr("mode", std::string("linear")).Attr("antialias", antialias).Output("y");
    return Floats(Run1(r));
  };
  EXPECT_EQ(run(0), (V{0.5, 2.5}));
  EXPECT_EQ(run(1), (V{0.625, 2.375}));
}

TEST(TensorResizeTest, AxesAndKeepAspectRatio) {
  NodeRunner r("Resize", 18);
  r.Input("x", Iota({2, 4})).OmittedInput().OmittedInput().ConstantInput("s", I64({4, 4}));
  r.Attr("keep_aspect_ratio_policy", std::string("not_smaller")).Output("y");
  EXPECT_EQ(Run1(r).shape(), (Shape{4, 8}));
  NodeRunner a("Resize", 18);
  a.Input("x", Iota({2, 2})).OmittedInput().ConstantInput("sc", Tensor::FromVector(V{2}));
  a.Attr("axes", VI{1}).Output("y");
  Tensor y = Run1(a);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(Floats(y), (V{0, 0, 1, 1, 2, 2, 3, 3}));
}

TEST(TensorResizeTest, RejectsScalesAndSizesTogether) {
  NodeRunner r("Resize", 13);
  r.Input("x", Iota({4})).OmittedInput().ConstantInput("sc", Tensor::FromVector(V{2}));
  r.ConstantInput("s", I64({8})).Output("y");
  EXPECT_NE(RunError(r).find("only one of scales and sizes"), std::string::npos);
}

TEST(TensorResizeTest, Opset10NearestCeilsWhenDownsampling) {
  NodeRunner r("Resize", 10);
  r.Input("x", Iota({1, 4})).ConstantInput("sc", Tensor::FromVector(V{1, 0.6f})).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{0, 2}));
}

TEST(TensorUpsampleTest, NearestFloorsWhenUpsampling) {
  NodeRunner r("Upsample", 9);
  r.Input("x", Iota({1, 2})).ConstantInput("sc", Tensor::FromVector(V{1, 3})).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{0, 0, 0, 1, 1, 1}));
  NodeRunner l("Upsample", 7);
  l.Input("x", Tensor::FromVector(V{0, 10}))
      .Attr("scales", V{2})
      .Attr("mode", std::string("linear"));
  l.Output("y");
  EXPECT_EQ(Floats(Run1(l)), (V{0, 5, 10, 10}));
}

}  // namespace
}  // namespace trt::testing
