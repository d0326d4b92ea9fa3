// Shape inference on hand-built graphs: matmul, the PyTorch Shape->Gather->Concat->Reshape
// chain, conv expressions, broadcasting errors, unknown ops and declared-type merging.
#include <gtest/gtest.h>

#include "engine/graph/shape_inference.h"
#include "tests/testing/graph_test_util.h"

namespace trt::graph {
namespace {

using testing::Const;
using testing::Input;
using testing::Int;
using testing::Ints;
using testing::Op;
using testing::ShapeOf;

const Dim kBatch = Dim::Symbol("batch");
const Dim kSeq = Dim::Symbol("seq");

TEST(ShapeInferenceTest, MatMulWithConstantWeight) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, kSeq, 768});
  Value* w = Const(g, "w", Tensor(DType::kFloat32, Shape{768, 3072}));
  Value* y = Op(g, "MatMul", {x, w}, "y");
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(y), "[batch, seq, 3072]");
  EXPECT_EQ(y->dtype, DType::kFloat32);
}

TEST(ShapeInferenceTest, MatMulInnerDimMismatchIsAnError) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, 768});
  Value* w = Const(g, "w", Tensor(DType::kFloat32, Shape{512, 10}));
  Op(g, "MatMul", {x, w}, "y");
  Status s = InferShapes(g);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("768 vs 512"), std::string::npos) << s;
  EXPECT_NE(s.message().find("MatMul, opset 13"), std::string::npos) << s;
  EXPECT_NE(s.message().find("x: float32[batch, 768]"), std::string::npos) << s;
}

TEST(ShapeInferenceTest, PyTorchHeadReshapeChain) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, kSeq, 768});
  Value* shape = Op(g, "Shape", {x}, "shape");
  Value* i0 = Const(g, "i0", Tensor::Scalar<int64_t>(0));
  Value* i1 = Const(g, "i1", Tensor::Scalar<int64_t>(1));
  Value* b = Op(g, "Gather", {shape, i0}, "b");
  Value* s = Op(g, "Gather", {shape, i1}, "s");
  Value* ax = Const(g, "ax", Tensor::FromVector<int64_t>({0}));
  Value* bu = Op(g, "Unsqueeze", {b, ax}, "bu");
  Value* su = Op(g, "Unsqueeze", {s, ax}, "su");
  Value* heads = Const(g, "heads", Tensor::FromVector<int64_t>({12, 64}));
  Value* cat = g.AddValue("cat");
  g.AddNode("Concat", "", 13, {bu, su, heads}, {cat})->attrs["axis"] = Int(0);
  Value* r = Op(g, "Reshape", {x, cat}, "r");
  Value* t = g.AddValue("t");
  g.AddNode("Transpose", "", 13, {r}, {t})->attrs["perm"] = Ints({0, 2, 1, 3});
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(shape), "[3]");
  ASSERT_TRUE(b->sym_value.has_value());
  EXPECT_EQ(ShapeOf(b), "[]");
  EXPECT_EQ(SymShapeToString(*b->sym_value), "[batch]");
  EXPECT_EQ(SymShapeToString(*cat->sym_value), "[batch, seq, 12, 64]");
  EXPECT_EQ(ShapeOf(r), "[batch, seq, 12, 64]");
  EXPECT_EQ(ShapeOf(t), "[batch, 12, seq, 64]");
}

TEST(ShapeInferenceTest, ReshapeSolvesMinusOneSymbolically) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, kSeq, 12, 64});
  Value* a = Op(g, "Reshape", {x, Const(g, "s1", Tensor::FromVector<int64_t>({0, 0, -1}))}, "a");
  Value* b = Op(g, "Reshape", {x, Const(g, "s2", Tensor::FromVector<int64_t>({-1, 768}))}, "b");
  Value* c = Op(g, "Reshape", {x, Const(g, "s3", Tensor::FromVector<int64_t>({0, -1, 5}))}, "c");
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(a), "[batch, seq, 768]");
  EXPECT_EQ(ShapeOf(b), "[batch*seq, 768]");
  EXPECT_EQ(ShapeOf(c), "[batch, floor((seq*768) / 5), 5]");
}

TEST(ShapeInferenceTest, ReshapeOfKnownSizeToIncompatibleShapeFails) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {2, 3, 4});
  Op(g, "Reshape", {x, Const(g, "s", Tensor::FromVector<int64_t>({5, -1}))}, "y");
  Status s = InferShapes(g);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cannot reshape [2, 3, 4]"), std::string::npos) << s;
}

TEST(ShapeInferenceTest, ConvProducesFloorDivExpression) {
  Graph g;
  Value* x =
      Input(g, "x", DType::kFloat32, {Dim::Symbol("N"), 3, Dim::Symbol("H"), Dim::Symbol("W")});
  Value* w = Const(g, "w", Tensor(DType::kFloat32, Shape{16, 3, 3, 3}));
  Value* y = g.AddValue("y");
  Node* n = g.AddNode("Conv", "", 13, {x, w}, {y}, "conv");
  n->attrs["pads"] = Ints({1, 1, 1, 1});
  n->attrs["strides"] = Ints({2, 2});
  n->attrs["dilations"] = Ints({2, 1});
  ASSERT_TRUE(InferShapes(g).ok());
  ASSERT_TRUE(y->shape.has_value());
  EXPECT_EQ(ShapeOf(y), "[N, 16, floor((H + -3) / 2) + 1, floor((W + -1) / 2) + 1]");
  // Reference formula: floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1.
  for (int64_t size : {5, 6, 7, 224, 225}) {
    auto h = (*y->shape)[2].Evaluate({{"H", size}});
    auto w_out = (*y->shape)[3].Evaluate({{"W", size}});
    ASSERT_TRUE(h && w_out);
    EXPECT_EQ(*h, (size + 2 - 2 * 2 - 1) / 2 + 1) << size;
    EXPECT_EQ(*w_out, (size + 2 - 1 * 2 - 1) / 2 + 1) << size;
  }
}

TEST(ShapeInferenceTest, ConvChannelMismatchFails) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {1, 4, 8, 8});
  Value* w = Const(g, "w", Tensor(DType::kFloat32, Shape{16, 3, 3, 3}));
  Op(g, "Conv", {x, w}, "y");
  Status s = InferShapes(g);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("channel mismatch"), std::string::npos) << s;
}

TEST(ShapeInferenceTest, MaxPoolCeilModeAndSamePadding) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {1, 8, Dim::Symbol("H"), 7});
  Value* y = g.AddValue("y");
  Node* n = g.AddNode("MaxPool", "", 13, {x}, {y});
  n->attrs["kernel_shape"] = Ints({2, 2});
  n->attrs["strides"] = Ints({2, 2});
  n->attrs["ceil_mode"] = Int(1);
  Value* z = g.AddValue("z");
  Node* m = g.AddNode("AveragePool", "", 13, {x}, {z});
  m->attrs["kernel_shape"] = Ints({3, 3});
  m->attrs["strides"] = Ints({2, 2});
  Attribute same;
  same.kind = Attribute::Kind::kString;
  same.s = "SAME_UPPER";
  m->attrs["auto_pad"] = same;
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(y), "[1, 8, ceil((H + -2) / 2) + 1, 4]");
  EXPECT_EQ(ShapeOf(z), "[1, 8, ceil(H / 2), 4]");
}

TEST(ShapeInferenceTest, BroadcastRules) {
  Graph g;
  Value* a = Input(g, "a", DType::kFloat32, {kBatch, 1, 768});
  Value* b = Input(g, "b", DType::kFloat32, {kSeq, 1});
  Value* c = Input(g, "c", DType::kFloat32, {Dim::Symbol("other"), 768});
  Value* ab = Op(g, "Add", {a, b}, "ab");
  Value* ac = Op(g, "Mul", {a, c}, "ac");
  Value* cmp = Op(g, "Less", {a, b}, "cmp");
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(ab), "[batch, seq, 768]");
  EXPECT_EQ(ShapeOf(ac), "[batch, other, 768]");
  EXPECT_EQ(cmp->dtype, DType::kBool);
  // Different symbols do not broadcast to a guess.
  Graph g2;
  Value* p = Input(g2, "p", DType::kFloat32, {kBatch});
  Value* q = Input(g2, "q", DType::kFloat32, {kSeq});
  Value* pq = Op(g2, "Add", {p, q}, "pq");
  ASSERT_TRUE(InferShapes(g2).ok());
  ASSERT_EQ(pq->shape->size(), 1u);
  EXPECT_TRUE((*pq->shape)[0].HasUnknown());
}

TEST(ShapeInferenceTest, BroadcastMismatchNamesNodeAndShapes) {
  Graph g;
  Value* a = Input(g, "a", DType::kFloat32, {kBatch, 3});
  Value* b = Input(g, "b", DType::kFloat32, {4});
  Op(g, "Add", {a, b}, "sum");
  Status s = InferShapes(g);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("node 'sum_node' (Add, opset 13)"), std::string::npos) << s;
  EXPECT_NE(s.message().find("cannot broadcast [batch, 3] with [4]"), std::string::npos) << s;
  EXPECT_NE(s.message().find("b: float32[4]"), std::string::npos) << s;
}

TEST(ShapeInferenceTest, UnknownOpGivesUnknownOutputsWithoutError) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, 4});
  Value* y = Op(g, "MysteryOp", {x}, "y");
  Value* z = Op(g, "Relu", {y}, "z");
  Value* nz = Op(g, "NonZero", {x}, "nz");
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_FALSE(y->shape.has_value());
  EXPECT_FALSE(z->shape.has_value());
  EXPECT_EQ(nz->dtype, DType::kInt64);
  ASSERT_TRUE(nz->shape.has_value());
  EXPECT_EQ((*nz->shape)[0], Dim(2));
  EXPECT_TRUE((*nz->shape)[1].HasUnknown());
}

TEST(ShapeInferenceTest, DeclaredTypesAreMergedAndInferredWins) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, {kBatch, 4});
  Value* y = Op(g, "MysteryOp", {x}, "y");
  y->dtype = DType::kFloat32;
  y->shape = SymShape{Dim::Symbol("declared"), 7};
  Value* z = Op(g, "Relu", {y}, "z");
  z->shape = SymShape{Dim::Symbol("zz"), 7};
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(y), "[declared, 7]");
  EXPECT_EQ(ShapeOf(z), "[declared, 7]");  // inferred symbol wins over the declared one

  Graph bad;
  Value* a = Input(bad, "a", DType::kFloat32, {2, 4});
  Value* r = Op(bad, "Relu", {a}, "r");
  r->shape = SymShape{2, 5};
  // A wrong declaration (the ONNX backend suite has some) is logged and the op semantics win.
  ASSERT_TRUE(InferShapes(bad).ok());
  EXPECT_EQ(ShapeOf(r), "[2, 4]");
}

}  // namespace
}  // namespace trt::graph
