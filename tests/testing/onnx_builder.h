// Test helper: builds small ONNX ModelProtos in code (so tests need no binary fixtures).
//
//   OnnxBuilder b(/*opset=*/13);
//   b.Input("x", onnx::TensorProto::FLOAT, {"batch", 4});
//   b.Node("Relu", {"x"}, {"y"});
//   b.Output("y", onnx::TensorProto::FLOAT, {"batch", 4});
//   std::string bytes = b.Serialize();
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <variant>
#include <vector>

namespace trt::testing {

using DimSpec = std::variant<int64_t, std::string>;

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("trtserve-test");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test_graph");
  }

  onnx::ModelProto& model() { return model_; }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }

  static void SetType(onnx::ValueInfoProto* vi, int elem_type, const std::vector<DimSpec>& dims) {
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    auto* shape = tt->mutable_shape();
    for (const auto& d : dims) {
      auto* dim = shape->add_dim();
      if (std::holds_alternative<int64_t>(d))
        dim->set_dim_value(std::get<int64_t>(d));
      else
        dim->set_dim_param(std::get<std::string>(d));
    }
  }

  OnnxBuilder& Input(const std::string& name, int elem_type, const std::vector<DimSpec>& dims) {
    auto* vi = graph().add_input();
    vi->set_name(name);
    SetType(vi, elem_type, dims);
    return *this;
  }
  OnnxBuilder& Output(const std::string& name, int elem_type, const std::vector<DimSpec>& dims) {
    auto* vi = graph().add_output();
    vi->set_name(name);
    SetType(vi, elem_type, dims);
    return *this;
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }
  static void IntsAttr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void IntAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  // float32 initializer stored as raw_data.
  OnnxBuilder& FloatInitializer(const std::string& name, const std::vector<int64_t>& dims,
                                const std::vector<float>& values) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return *this;
  }
  OnnxBuilder& Int64Initializer(const std::string& name, const std::vector<int64_t>& dims,
                                const std::vector<int64_t>& values) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }

  std::string Serialize() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

}  // namespace trt::testing
