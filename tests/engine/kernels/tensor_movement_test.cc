// Tests for the tensor family's data movement ops: Transpose, DepthToSpace, SpaceToDepth,
// Concat, Split, Slice, ReverseSequence, Expand, Tile, Pad, CenterCropPad.
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

using V = std::vector<float>;
using VI = std::vector<int64_t>;

TEST(TensorTransposeTest, PermAndDefault) {
  NodeRunner r("Transpose", 13);
  r.Input("x", Iota({2, 3})).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(Floats(y), (V{0, 3, 1, 4, 2, 5}));
  NodeRunner p("Transpose", 13);
  p.Input("x", Iota({2, 3, 2})).Attr("perm", VI{1, 0, 2}).Output("y");
  EXPECT_EQ(Floats(Run1(p)), (V{0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}));
}

TEST(TensorTransposeTest, RejectsBadPerm) {
  NodeRunner r("Transpose", 13);
  r.Input("x", Iota({2, 3})).Attr("perm", VI{0, 0}).Output("y");
  EXPECT_NE(RunError(r).find("is not a permutation"), std::string::npos);
}

TEST(TensorDepthToSpaceTest, DcrAndCrd) {
  // 1x4x1x1 -> 1x1x2x2.
  NodeRunner dcr("DepthToSpace", 13);
  dcr.Input("x", Iota({1, 8, 1, 1})).Attr("blocksize", int64_t{2}).Output("y");
  // DCR: channel c = (bh * 2 + bw) * 2 + c_out.
  EXPECT_EQ(Floats(Run1(dcr)), (V{0, 2, 4, 6, 1, 3, 5, 7}));
  NodeRunner crd("DepthToSpace", 13);
  crd.Input("x", Iota({1, 8, 1, 1})).Attr("blocksize", int64_t{2});
  crd.Attr("mode", std::string("CRD")).Output("y");
  EXPECT_EQ(Floats(Run1(crd)), (V{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(TensorSpaceToDepthTest, InvertsDcr) {
  NodeRunner r("SpaceToDepth", 13);
  r.Input("x", Iota({1, 1, 2, 2})).Attr("blocksize", int64_t{2}).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{1, 4, 1, 1}));
  EXPECT_EQ(Floats(y), (V{0, 1, 2, 3}));
  NodeRunner bad("SpaceToDepth", 13);
  bad.Input("x", Iota({1, 1, 3, 2})).Attr("blocksize", int64_t{2}).Output("y");
  EXPECT_NE(RunError(bad).find("not divisible by blocksize 2"), std::string::npos);
}

TEST(TensorConcatTest, NegativeAxisWithEmptyInput) {
  NodeRunner r("Concat", 13);
  r.Input("a", Iota({2, 1})).Input("b", Tensor(DType::kFloat32, Shape{2, 0}));
  r.Input("c", Iota({2, 2})).Attr("axis", int64_t{-1}).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(Floats(y), (V{0, 0, 1, 1, 2, 3}));
}

TEST(TensorConcatTest, RejectsMismatchedDims) {
  NodeRunner r("Concat", 13);
  r.Input("a", Iota({2, 1})).Input("b", Iota({3, 1})).Attr("axis", int64_t{1}).Output("y");
  EXPECT_NE(RunError(r).find("does not match input 0"), std::string::npos);
}

TEST(TensorSplitTest, SplitInputAndUnevenNumOutputs) {
  NodeRunner r("Split", 13);
  r.Input("x", Iota({5})).ConstantInput("s", I64({2, 3})).Output("a").Output("b");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Floats((*out)[0]), (V{0, 1}));
  EXPECT_EQ(Floats((*out)[1]), (V{2, 3, 4}));
  NodeRunner u("Split", 18);
  u.Input("x", Iota({5})).Attr("num_outputs", int64_t{3}).Output("a").Output("b").Output("c");
  out = u.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Floats((*out)[0]), (V{0, 1}));
  EXPECT_EQ(Floats((*out)[2]), (V{4}));
}

TEST(TensorSplitTest, RejectsBadSum) {
  NodeRunner r("Split", 11);
  r.Input("x", Iota({5})).Attr("split", VI{2, 2}).Output("a").Output("b");
  EXPECT_NE(RunError(r).find("summing to the axis size 5"), std::string::npos);
  NodeRunner e("Split", 11);
  e.Input("x", Iota({5})).Output("a").Output("b");
  EXPECT_NE(RunError(e).find("cannot be split evenly into 2 parts"), std::string::npos);
}

TEST(TensorSliceTest, NegativeStepsAndClamping) {
  NodeRunner r("Slice", 13);
  r.Input("x", Iota({6})).ConstantInput("s", I64({100})).ConstantInput("e", I64({-100}));
  r.ConstantInput("a", I64({0})).ConstantInput("st", I64({-2})).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{5, 3, 1}));
  NodeRunner c("Slice", 13);
  c.Input("x", Iota({2, 5})).ConstantInput("s", I64({-3})).ConstantInput("e", I64({1000}));
  c.ConstantInput("a", I64({-1})).Output("y");
  Tensor y = Run1(c);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(Floats(y), (V{2, 3, 4, 7, 8, 9}));
}

TEST(TensorSliceTest, AttributeFormAndZeroStep) {
  NodeRunner r("Slice", 9);
  r.Input("x", Iota({2, 4})).Attr("starts", VI{1, 1}).Attr("ends", VI{2, 3}).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{5, 6}));
  NodeRunner z("Slice", 13);
  z.Input("x", Iota({4})).ConstantInput("s", I64({0})).ConstantInput("e", I64({4}));
  z.ConstantInput("a", I64({0})).ConstantInput("st", I64({0})).Output("y");
  EXPECT_NE(RunError(z).find("contains 0"), std::string::npos);
}

TEST(TensorReverseSequenceTest, BatchMajor) {
  NodeRunner r("ReverseSequence", 10);
  r.Input("x", Iota({2, 4})).ConstantInput("l", I64({3, 1}));
  r.Attr("batch_axis", int64_t{0}).Attr("time_axis", int64_t{1}).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{2, 1, 0, 3, 4, 5, 6, 7}));
}

TEST(TensorExpandTest, BidirectionalBroadcast) {
  NodeRunner r("Expand", 13);
  r.Input("x", Iota({3, 1})).ConstantInput("s", I64({2, 1, 2})).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(Floats(y), (V{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}));
  NodeRunner bad("Expand", 13);
  bad.Input("x", Iota({3})).ConstantInput("s", I64({2})).Output("y");
  EXPECT_NE(RunError(bad).find("cannot be broadcast"), std::string::npos);
}

TEST(TensorTileTest, Repeats) {
  NodeRunner r("Tile", 13);
  r.Input("x", Iota({1, 2})).ConstantInput("s", I64({2, 2})).Output("y");
  EXPECT_EQ(Floats(Run1(r)), (V{0, 1, 0, 1, 0, 1, 0, 1}));
  NodeRunner bad("Tile", 13);
  bad.Input("x", Iota({1, 2})).ConstantInput("s", I64({2})).Output("y");
  EXPECT_NE(RunError(bad).find("one entry per dim"), std::string::npos);
}

TEST(TensorTileTest, HostileShapesFailCleanly) {
  NodeRunner big("Tile", 13);
  big.Input("x", Iota({2, 2})).ConstantInput("s", I64({int64_t{1} << 62, 4})).Output("y");
  EXPECT_NE(RunError(big).find("overflow the output size"), std::string::npos);
  // A zero dim makes the output empty even when another dim is enormous.
  NodeRunner empty("Expand", 13);
  empty.Input("x", Iota({1, 1})).ConstantInput("s", I64({0, int64_t{1} << 50})).Output("y");
  EXPECT_EQ(Run1(empty).NumElements(), 0);
}

TEST(TensorPadTest, Modes) {
  auto pad = [](const std::string& mode) {
    NodeRunner r("Pad", 13);
    r.Input("x", Iota({3})).ConstantInput("p", I64({2, 1}));
    r.ConstantInput("v", Tensor::Scalar(9.0f)).Attr("mode", mode).Output("y");
    return Floats(Run1(r));
  };
  EXPECT_EQ(pad("constant"), (V{9, 9, 0, 1, 2, 9}));
  EXPECT_EQ(pad("edge"), (V{0, 0, 0, 1, 2, 2}));
  EXPECT_EQ(pad("reflect"), (V{2, 1, 0, 1, 2, 1}));
}

TEST(TensorPadTest, NegativePadsCropAndAxesInput) {
  NodeRunner r("Pad", 18);
  r.Input("x", Iota({2, 4})).ConstantInput("p", I64({-1, 1})).OmittedInput();
  r.ConstantInput("a", I64({-1})).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(Floats(y), (V{1, 2, 3, 0, 5, 6, 7, 0}));
  NodeRunner old("Pad", 2);
  old.Input("x", Iota({2})).Attr("pads", VI{1, 0}).Attr("value", 7.0f).Output("y");
  EXPECT_EQ(Floats(Run1(old)), (V{7, 0, 1}));
}

TEST(TensorPadTest, RejectsWrongPadCount) {
  NodeRunner r("Pad", 13);
  r.Input("x", Iota({2, 2})).ConstantInput("p", I64({1, 1})).Output("y");
  EXPECT_NE(RunError(r).find("must have 4 entries"), std::string::npos);
}

TEST(TensorCenterCropPadTest, CropOneAxisPadAnother) {
  NodeRunner r("CenterCropPad", 18);
  r.Input("x", Iota({3, 2})).ConstantInput("s", I64({2, 3})).Output("y");
  Tensor y = Run1(r);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  // Rows: crop 3 -> 2 starts at 0; cols: pad 2 -> 3 puts the extra column at the end.
  EXPECT_EQ(Floats(y), (V{0, 1, 0, 2, 3, 0}));
}

}  // namespace
}  // namespace trt::testing
