#include "engine/graph/onnx_import.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/testing/onnx_builder.h"

namespace trt::graph {
namespace {

using testing::OnnxBuilder;
namespace fs = std::filesystem;

OnnxBuilder ReluModel() {
  OnnxBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {std::string("batch"), int64_t{4}});
  b.Node("Relu", {"x"}, {"y"}, "relu1");
  b.Output("y", onnx::TensorProto::FLOAT, {std::string("batch"), int64_t{4}});
  return b;
}

std::string TempDir() {
  fs::path d = fs::temp_directory_path() / ("trtserve_import_test_" + std::to_string(getpid()));
  fs::create_directories(d);
  return d.string();
}

TEST(OnnxImportTest, ImportsInputsOutputsAndSymbolicDims) {
  auto m = ImportOnnxModel(ReluModel().Serialize(), "relu", "");
  ASSERT_TRUE(m.ok()) << m.status();
  const Graph& g = *m->graph;
  ASSERT_EQ(g.inputs().size(), 1u);
  EXPECT_EQ(g.inputs()[0]->TypeString(), "float32[batch, 4]");
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0]->op_type, "Relu");
  EXPECT_EQ(g.nodes()[0]->opset, 13);
  EXPECT_EQ(m->opsets.at(""), 13);
}

TEST(OnnxImportTest, MalformedBytesGiveDataLoss) {
  auto m = ImportOnnxModel(std::string("\x08\x07this is not protobuf\xff\xff\xff", 26), "junk", "");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(m.status().message().find("model 'junk'"), std::string::npos) << m.status();
}

TEST(OnnxImportTest, TruncatedFileIsRejectedWithModelName) {
  OnnxBuilder b = ReluModel();
  b.FloatInitializer("w", {64}, std::vector<float>(64, 1.0f));
  std::string bytes = b.Serialize();
  const std::string path = TempDir() + "/truncated.onnx";
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto m = LoadOnnxModel(path);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("truncated"), std::string::npos) << m.status();
}

TEST(OnnxImportTest, MissingFileIsNotFound) {
  auto m = LoadOnnxModel("/nonexistent/dir/model.onnx");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("/nonexistent/dir/model.onnx"), std::string::npos);
}

TEST(OnnxImportTest, TooNewOpsetIsUnimplemented) {
  OnnxBuilder b(99);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{1}});
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{1}});
  auto m = ImportOnnxModel(b.Serialize(), "future", "");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(m.status().message().find("opset 99"), std::string::npos) << m.status();
}

TEST(OnnxImportTest, StringInputIsUnsupportedDtype) {
  OnnxBuilder b(13);
  b.Input("s", onnx::TensorProto::STRING, {int64_t{1}});
  b.Node("Identity", {"s"}, {"y"});
  b.Output("y", onnx::TensorProto::STRING, {int64_t{1}});
  auto m = ImportOnnxModel(b.Serialize(), "strings", "");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(m.status().message().find("input 's' has dtype string"), std::string::npos)
      << m.status();
}

TEST(OnnxImportTest, DanglingInputNamesTheNode) {
  OnnxBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{1}});
  b.Node("Add", {"x", "nowhere"}, {"y"}, "add1");
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{1}});
  auto m = ImportOnnxModel(b.Serialize(), "dangling", "");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "model 'dangling': node 'add1' (Add, opset 13): input 'nowhere' is not produced by "
            "any node, initializer or graph input");
}

TEST(OnnxImportTest, InitializerRawDataSizeMismatch) {
  OnnxBuilder b = ReluModel();
  auto* t = b.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_raw_data(std::string(12, '\0'));
  auto m = ImportOnnxModel(b.Serialize(), "badinit", "");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("tensor 'w' raw_data has 12 bytes, expected 16"),
            std::string::npos)
      << m.status();
}

TEST(OnnxImportTest, ConstantNodesBecomeConstants) {
  OnnxBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{2}});
  auto* c = b.Node("Constant", {}, {"k"});
  auto* a = c->add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(1.5f);
  a->add_floats(-2.0f);
  b.Node("Add", {"x", "k"}, {"y"});
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{2}});
  auto m = ImportOnnxModel(b.Serialize(), "const", "");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->graph->nodes().size(), 1u);
  const Value* k = m->graph->FindValue("k");
  ASSERT_TRUE(k && k->constant);
  EXPECT_EQ(k->constant->data<float>()[1], -2.0f);
}

TEST(OnnxImportTest, ExternalDataIsReadAndMissingFileReported) {
  const std::string dir = TempDir();
  OnnxBuilder b = ReluModel();
  auto* t = b.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(2);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = t->add_external_data();
  loc->set_key("location");
  loc->set_value("weights.bin");
  const std::string path = dir + "/ext.onnx";
  std::ofstream(path, std::ios::binary) << b.Serialize();
  fs::remove(dir + "/weights.bin");
  auto missing = LoadOnnxModel(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("weights.bin' not found"), std::string::npos)
      << missing.status();
  const float w[2] = {3.0f, 4.0f};
  std::ofstream(dir + "/weights.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(w), sizeof w);
  auto ok = LoadOnnxModel(path);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->graph->FindValue("w")->constant->data<float>()[1], 4.0f);
}

TEST(OnnxImportTest, ExternalDataCannotEscapeModelFolder) {
  const std::string dir = TempDir();
  OnnxBuilder b = ReluModel();
  auto* t = b.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(1);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = t->add_external_data();
  loc->set_key("location");
  loc->set_value("../../etc/passwd");
  const std::string path = dir + "/escape.onnx";
  std::ofstream(path, std::ios::binary) << b.Serialize();
  auto m = LoadOnnxModel(path);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("must be a relative path inside the model folder"),
            std::string::npos)
      << m.status();
}

TEST(OnnxImportTest, SubgraphCapturesOuterScopeValues) {
  OnnxBuilder b(13);
  b.Input("cond", onnx::TensorProto::BOOL, {});
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t{2}});
  auto* n = b.Node("If", {"cond"}, {"y"}, "if1");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = n->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* g = a->mutable_g();
    auto* node = g->add_node();
    node->set_op_type("Neg");
    node->add_input("x");  // from the enclosing graph
    node->add_output(std::string(branch) + "_out");
    auto* out = g->add_output();
    out->set_name(std::string(branch) + "_out");
  }
  b.Output("y", onnx::TensorProto::FLOAT, {int64_t{2}});
  auto m = ImportOnnxModel(b.Serialize(), "if", "");
  ASSERT_TRUE(m.ok()) << m.status();
  const auto& attr = m->graph->nodes()[0]->attrs.at("then_branch");
  ASSERT_TRUE(attr.g);
  ASSERT_EQ(attr.g->outer_scope_values().size(), 1u);
  EXPECT_EQ(attr.g->outer_scope_values()[0]->name, "x");
}

}  // namespace
}  // namespace trt::graph
