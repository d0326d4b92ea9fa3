// Shape inference on a real PyTorch export with dynamic axes (tests/data/dynamic_block.onnx,
// made by tests/data/make_dynamic_models.py), plus Slice/Range/Einsum/If cases.
#include <gtest/gtest.h>

#include "engine/graph/onnx_import.h"
#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"
#include "tests/testing/graph_test_util.h"

namespace trt::graph {
namespace {

using testing::Const;
using testing::Input;
using testing::Int;
using testing::Op;
using testing::ShapeOf;

TEST(ShapeInferenceModelTest, TorchExportWithDynamicAxes) {
  auto m = LoadOnnxModel(std::string(TRTSERVE_SOURCE_DIR) + "/tests/data/dynamic_block.onnx");
  ASSERT_TRUE(m.ok()) << m.status();
  Graph& g = *m->graph;
  ASSERT_TRUE(VerifyGraph(g).ok());
  // Forget the declared output shape so the result must come from inference.
  Value* y = g.outputs()[0];
  y->shape.reset();
  ASSERT_TRUE(InferShapes(*m).ok());
  EXPECT_EQ(ShapeOf(g.FindValue("/Reshape_output_0")), "[batch, seq, 4, 8]");
  EXPECT_EQ(ShapeOf(g.FindValue("/MatMul_output_0")), "[batch, 4, seq, seq]");
  EXPECT_EQ(ShapeOf(y), "[batch, seq, 32]");
  EXPECT_EQ(y->dtype, DType::kFloat32);
}

TEST(ShapeInferenceOpsTest, SliceRangeConstantOfShape) {
  Graph g;
  const Dim seq = Dim::Symbol("seq");
  Value* x = Input(g, "x", DType::kFloat32, {2, seq, 10});
  auto i64 = [&](const std::string& n, std::vector<int64_t> v) {
    return Const(g, n, Tensor::FromVector<int64_t>(v));
  };
  Value* s1 =
      Op(g, "Slice", {x, i64("st", {1, -3}), i64("en", {INT64_MAX, INT64_MAX}), i64("ax", {1, 2})},
         "s1");
  Value* sh = Op(g, "Shape", {x}, "sh");
  Value* tail = Op(g, "Slice", {sh, i64("a", {1}), i64("b", {3})}, "tail");
  Value* zeros = Op(g, "ConstantOfShape", {tail}, "zeros");
  Value* n = Op(g, "Gather", {sh, Const(g, "one", Tensor::Scalar<int64_t>(1))}, "n");
  Value* r = Op(
      g, "Range",
      {Const(g, "zero", Tensor::Scalar<int64_t>(0)), n, Const(g, "d", Tensor::Scalar<int64_t>(2))},
      "r");
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(s1), "[2, max(seq + -1, 0), 3]");
  EXPECT_EQ(SymShapeToString(*tail->sym_value), "[seq, 10]");
  EXPECT_EQ(ShapeOf(zeros), "[seq, 10]");
  EXPECT_EQ(zeros->dtype, DType::kFloat32);
  EXPECT_EQ(ShapeOf(r), "[ceil(seq / 2)]");
}

TEST(ShapeInferenceOpsTest, ConcatNonAxisMismatchFails) {
  Graph g;
  Value* a = Input(g, "a", DType::kFloat32, {2, 3});
  Value* b = Input(g, "b", DType::kFloat32, {4, 5});
  Value* c = g.AddValue("c");
  g.AddNode("Concat", "", 13, {a, b}, {c}, "cat")->attrs["axis"] = Int(0);
  Status s = InferShapes(g);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("non-axis dim 1 differs: 3 vs 5"), std::string::npos) << s;
}

TEST(ShapeInferenceOpsTest, EinsumReduceAndTopK) {
  Graph g;
  const Dim b = Dim::Symbol("b");
  Value* q = Input(g, "q", DType::kFloat32, {b, 4, 7, 8});
  Value* k = Input(g, "k", DType::kFloat32, {b, 4, 9, 8});
  Value* e = g.AddValue("e");
  Attribute eq;
  eq.kind = Attribute::Kind::kString;
  eq.s = "bhqd,bhkd->bhqk";
  g.AddNode("Einsum", "", 13, {q, k}, {e})->attrs["equation"] = eq;
  Value* red = Op(g, "ReduceSum", {e, Const(g, "axes", Tensor::FromVector<int64_t>({-1}))}, "red");
  Value* tk = g.AddValue("tk");
  Value* ti = g.AddValue("ti");
  g.AddNode("TopK", "", 13, {e, Const(g, "kk", Tensor::FromVector<int64_t>({3}))}, {tk, ti});
  ASSERT_TRUE(InferShapes(g).ok());
  EXPECT_EQ(ShapeOf(e), "[b, 4, 7, 9]");
  EXPECT_EQ(ShapeOf(red), "[b, 4, 7, 1]");
  EXPECT_EQ(ShapeOf(tk), "[b, 4, 7, 3]");
  EXPECT_EQ(ti->dtype, DType::kInt64);
}

TEST(ShapeInferenceOpsTest, IfMergesBranchShapes) {
  Graph g;
  const Dim n = Dim::Symbol("n");
  Value* cond = Input(g, "cond", DType::kBool, {});
  Input(g, "x", DType::kFloat32, {n, 4});
  auto branch = [&](const std::string& op) {
    auto sub = std::make_shared<Graph>(&g);
    Value* cap = sub->AddOuterScopeValue("x");
    Value* out = sub->AddValue(op + "_out");
    sub->AddNode(op, "", 13, {cap}, {out});
    out->is_graph_output = true;
    sub->outputs().push_back(out);
    Attribute a;
    a.kind = Attribute::Kind::kGraph;
    a.g = sub;
    return a;
  };
  Value* y = g.AddValue("y");
  Node* node = g.AddNode("If", "", 13, {cond}, {y}, "if");
  node->attrs["then_branch"] = branch("Relu");
  node->attrs["else_branch"] = branch("Transpose");
  ASSERT_TRUE(VerifyGraph(g).ok());
  ASSERT_TRUE(InferShapes(g).ok());
  ASSERT_TRUE(y->shape.has_value());
  ASSERT_EQ(y->shape->size(), 2u);
  EXPECT_TRUE((*y->shape)[0].HasUnknown());  // n vs 4
  EXPECT_EQ(y->dtype, DType::kFloat32);
}

}  // namespace
}  // namespace trt::graph
