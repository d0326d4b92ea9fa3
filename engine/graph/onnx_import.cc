// ONNX ModelProto -> graph::Model. See onnx_import.h for the contract.
#include "engine/graph/onnx_import.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

namespace trt::graph {
namespace {

namespace fs = std::filesystem;

std::string NormalizeDomain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

struct ImportContext {
  const std::map<std::string, int>* opsets;
  ExternalDataSource external;
  std::string model_name;
};

Status ImportGraph(const onnx::GraphProto& gp, const ImportContext& ctx, Graph* g);

// True if `name` is defined in `g` or any enclosing graph.
bool VisibleInAncestors(const Graph* g, const std::string& name) {
  for (const Graph* p = g->parent(); p != nullptr; p = p->parent()) {
    if (p->FindValue(name)) return true;
  }
  return false;
}

Status ConvertType(const onnx::TypeProto& tp, const std::string& what, Value* v, bool required) {
  if (tp.value_case() == onnx::TypeProto::VALUE_NOT_SET) {
    if (required) return InvalidArgument(what + " has no type");
    return Status::Ok();
  }
  if (!tp.has_tensor_type()) {
    const char* kind = tp.has_sequence_type()        ? "sequence"
                       : tp.has_map_type()           ? "map"
                       : tp.has_optional_type()      ? "optional"
                       : tp.has_sparse_tensor_type() ? "sparse tensor"
                                                     : "non-tensor";
    return Unimplemented(what + " has " + kind + " type; only dense tensors are supported");
  }
  const auto& tt = tp.tensor_type();
  const DType dt = static_cast<DType>(tt.elem_type());
  if (tt.elem_type() == onnx::TensorProto::STRING) {
    return Unimplemented(what + " has dtype string, which is not supported");
  }
  if (!IsSupportedDType(dt)) {
    if (required || tt.elem_type() != 0) {
      return Unimplemented(what + " has unsupported ONNX elem_type " +
                           std::to_string(tt.elem_type()));
    }
  } else {
    v->dtype = dt;
  }
  if (tt.has_shape()) {
    SymShape s;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        if (d.dim_value() < 0) {
          return InvalidArgument(what + " has negative dimension " + std::to_string(d.dim_value()));
        }
        s.push_back(Dim(d.dim_value()));
      } else if (d.has_dim_param() && !d.dim_param().empty()) {
        s.push_back(Dim::Symbol(d.dim_param()));
      } else {
        s.push_back(Dim::Unknown());
      }
    }
    v->shape = std::move(s);
  }
  return Status::Ok();
}

StatusOr<Attribute> ConvertAttribute(const onnx::AttributeProto& ap, const ImportContext& ctx,
                                     Graph* owner, const std::string& where) {
  Attribute a;
  const std::string what = where + " attribute '" + ap.name() + "'";
  using AP = onnx::AttributeProto;
  AP::AttributeType type = ap.type();
  if (type == AP::UNDEFINED) {  // very old models omit the type: infer from the field set
    if (ap.has_f())
      type = AP::FLOAT;
    else if (ap.has_i())
      type = AP::INT;
    else if (ap.has_s())
      type = AP::STRING;
    else if (ap.has_t())
      type = AP::TENSOR;
    else if (ap.has_g())
      type = AP::GRAPH;
    else if (ap.floats_size())
      type = AP::FLOATS;
    else if (ap.ints_size())
      type = AP::INTS;
    else if (ap.strings_size())
      type = AP::STRINGS;
    else if (ap.tensors_size())
      type = AP::TENSORS;
    else if (ap.graphs_size())
      type = AP::GRAPHS;
  }
  if (!ap.ref_attr_name().empty()) {
    return Unimplemented(what + " refers to a function attribute; functions are not supported");
  }
  switch (type) {
    case AP::FLOAT:
      a.kind = Attribute::Kind::kFloat;
      a.f = ap.f();
      break;
    case AP::INT:
      a.kind = Attribute::Kind::kInt;
      a.i = ap.i();
      break;
    case AP::STRING:
      a.kind = Attribute::Kind::kString;
      a.s = ap.s();
      break;
    case AP::FLOATS:
      a.kind = Attribute::Kind::kFloats;
      a.floats.assign(ap.floats().begin(), ap.floats().end());
      break;
    case AP::INTS:
      a.kind = Attribute::Kind::kInts;
      a.ints.assign(ap.ints().begin(), ap.ints().end());
      break;
    case AP::STRINGS:
      a.kind = Attribute::Kind::kStrings;
      a.strings.assign(ap.strings().begin(), ap.strings().end());
      break;
    case AP::TENSOR: {
      a.kind = Attribute::Kind::kTensor;
      TRT_ASSIGN_OR_RETURN(a.t, TensorFromProto(ap.t(), ctx.external, what));
      break;
    }
    case AP::TENSORS:
      a.kind = Attribute::Kind::kTensors;
      for (const auto& tp : ap.tensors()) {
        TRT_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(tp, ctx.external, what));
        a.tensors.push_back(std::move(t));
      }
      break;
    case AP::GRAPH: {
      a.kind = Attribute::Kind::kGraph;
      a.g = std::make_shared<Graph>(owner);
      a.g->name = ap.g().name();
      TRT_RETURN_IF_ERROR(ImportGraph(ap.g(), ctx, a.g.get()).WithContext(what));
      break;
    }
    case AP::GRAPHS:
      a.kind = Attribute::Kind::kGraphs;
      for (const auto& gp : ap.graphs()) {
        auto sub = std::make_shared<Graph>(owner);
        TRT_RETURN_IF_ERROR(ImportGraph(gp, ctx, sub.get()).WithContext(what));
        a.graphs.push_back(std::move(sub));
      }
      break;
    default:
      return Unimplemented(what + " has unsupported attribute type " + std::to_string(type));
  }
  return a;
}

// Turns a Constant node into a constant tensor.
StatusOr<Tensor> ConstantNodeValue(const onnx::NodeProto& np, const ImportContext& ctx,
                                   const std::string& where) {
  for (const auto& ap : np.attribute()) {
    const std::string& n = ap.name();
    if (n == "value") return TensorFromProto(ap.t(), ctx.external, where);
    if (n == "value_float") return Tensor::Scalar<float>(ap.f());
    if (n == "value_int") return Tensor::Scalar<int64_t>(ap.i());
    if (n == "value_floats") {
      return Tensor::FromVector(std::vector<float>(ap.floats().begin(), ap.floats().end()));
    }
    if (n == "value_ints") {
      return Tensor::FromVector(std::vector<int64_t>(ap.ints().begin(), ap.ints().end()));
    }
    if (n == "sparse_value") return Unimplemented(where + ": sparse constants are not supported");
    if (n == "value_string" || n == "value_strings") {
      return Unimplemented(where + ": string constants are not supported");
    }
  }
  return InvalidArgument(where + ": Constant node has no value attribute");
}

std::string DescribeProtoNode(const onnx::NodeProto& np, int index,
                              const std::map<std::string, int>& opsets) {
  std::string dom = NormalizeDomain(np.domain());
  auto it = opsets.find(dom);
  std::string s = np.name().empty() ? "node #" + std::to_string(index) : "node '" + np.name() + "'";
  return s + " (" + (dom.empty() ? "" : dom + ".") + np.op_type() + ", opset " +
         (it == opsets.end() ? std::string("?") : std::to_string(it->second)) + ")";
}

Status ImportGraph(const onnx::GraphProto& gp, const ImportContext& ctx, Graph* g) {
  g->name = gp.name();
  if (gp.sparse_initializer_size() > 0) {
    return Unimplemented("graph '" + gp.name() + "' has sparse initializers, not supported");
  }
  // Initializers first: an input that also has an initializer is treated as a constant.
  for (const auto& tp : gp.initializer()) {
    if (tp.name().empty()) return InvalidArgument("an initializer has no name");
    TRT_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(tp, ctx.external, tp.name()));
    Value* v = g->FindValue(tp.name());
    if (!v) v = g->AddValue(tp.name());
    v->dtype = t.dtype();
    v->shape = SymShape(t.shape().begin(), t.shape().end());
    v->constant = std::move(t);
  }
  for (const auto& vi : gp.input()) {
    if (Value* existing = g->FindValue(vi.name()); existing && existing->is_constant()) continue;
    if (g->FindValue(vi.name())) {
      return InvalidArgument("graph input '" + vi.name() + "' is declared twice");
    }
    Value* v = g->AddValue(vi.name());
    v->is_graph_input = true;
    // Subgraph (Loop/Scan body) inputs may omit types; the root graph's may not.
    TRT_RETURN_IF_ERROR(
        ConvertType(vi.type(), "input '" + vi.name() + "'", v, g->parent() == nullptr));
    g->inputs().push_back(v);
  }
  // Create every node output up front so that name resolution does not depend on order.
  for (int i = 0; i < gp.node_size(); ++i) {
    for (const auto& out : gp.node(i).output()) {
      if (out.empty()) continue;
      if (g->FindValue(out)) {
        return InvalidArgument(DescribeProtoNode(gp.node(i), i, *ctx.opsets) + ": output '" + out +
                               "' is already defined (graphs must be SSA)");
      }
      g->AddValue(out);
    }
  }
  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& np = gp.node(i);
    const std::string where = DescribeProtoNode(np, i, *ctx.opsets);
    const std::string domain = NormalizeDomain(np.domain());
    auto opset_it = ctx.opsets->find(domain);
    if (opset_it == ctx.opsets->end()) {
      return InvalidArgument(where + ": the model does not import an opset for domain '" +
                             (domain.empty() ? "ai.onnx" : domain) + "'");
    }
    if (np.op_type() == "Constant" && domain.empty()) {
      if (np.output_size() != 1) return InvalidArgument(where + ": Constant must have 1 output");
      TRT_ASSIGN_OR_RETURN(Tensor t, ConstantNodeValue(np, ctx, where));
      Value* v = g->FindValue(np.output(0));
      v->dtype = t.dtype();
      v->shape = SymShape(t.shape().begin(), t.shape().end());
      v->constant = std::move(t);
      continue;
    }
    std::vector<Value*> inputs;
    for (const auto& in : np.input()) {
      if (in.empty()) {
        inputs.push_back(nullptr);
        continue;
      }
      Value* v = g->FindValue(in);
      if (!v) {
        if (!VisibleInAncestors(g, in)) {
          return InvalidArgument(where + ": input '" + in + "' is not produced by any node, " +
                                 "initializer or graph input");
        }
        v = g->AddOuterScopeValue(in);
      }
      inputs.push_back(v);
    }
    std::vector<Value*> outputs;
    for (const auto& out : np.output())
      outputs.push_back(out.empty() ? nullptr : g->FindValue(out));
    Node* n = g->AddNode(np.op_type(), domain, opset_it->second, std::move(inputs),
                         std::move(outputs), np.name());
    for (const auto& ap : np.attribute()) {
      TRT_ASSIGN_OR_RETURN(Attribute a, ConvertAttribute(ap, ctx, g, where));
      n->attrs[ap.name()] = std::move(a);
    }
    // What a subgraph captures and this graph does not define comes from further out: it is
    // a capture of this graph too (subgraphs were imported depth-first, so their own nested
    // captures are already declared on them). Every capture thus resolves in its parent.
    for (const Graph* sg : Subgraphs(*n)) {
      for (const Value* c : sg->outer_scope_values()) {
        if (g->FindValue(c->name) == nullptr) g->AddOuterScopeValue(c->name);
      }
    }
  }
  for (const auto& vi : gp.value_info()) {
    Value* v = g->FindValue(vi.name());
    if (v && !v->is_constant()) {
      // value_info is advisory: ignore what we cannot represent.
      Status s = ConvertType(vi.type(), "value '" + vi.name() + "'", v, false);
      (void)s;
    }
  }
  for (const auto& vi : gp.output()) {
    Value* v = g->FindValue(vi.name());
    if (!v) {
      if (!VisibleInAncestors(g, vi.name())) {
        return InvalidArgument("graph output '" + vi.name() + "' is not produced by any node");
      }
      v = g->AddOuterScopeValue(vi.name());
    }
    if (!v->is_constant()) {
      TRT_RETURN_IF_ERROR(ConvertType(vi.type(), "output '" + vi.name() + "'", v, false));
    }
    v->is_graph_output = true;
    g->outputs().push_back(v);
  }
  return g->Toposort();
}

}  // namespace

StatusOr<Model> ImportOnnxModel(const onnx::ModelProto& proto, const std::string& model_name,
                                const ExternalDataSource& external) {
  Model m;
  m.name = model_name;
  m.ir_version = proto.ir_version();
  m.producer_name = proto.producer_name();
  m.producer_version = proto.producer_version();
  if (!proto.has_graph()) {
    return InvalidArgument("model '" + model_name + "' has no graph (is this an ONNX model?)");
  }
  for (const auto& op : proto.opset_import()) {
    m.opsets[NormalizeDomain(op.domain())] = static_cast<int>(op.version());
  }
  if (proto.opset_import_size() == 0) m.opsets[""] = 1;  // IR v1/v2 default
  if (auto it = m.opsets.find(""); it != m.opsets.end() && it->second > kMaxSupportedOnnxOpset) {
    return Unimplemented("model '" + model_name + "' uses ai.onnx opset " +
                         std::to_string(it->second) + "; this build supports opsets up to " +
                         std::to_string(kMaxSupportedOnnxOpset) +
                         " (re-export with a lower opset)");
  }
  if (proto.functions_size() > 0) {
    // Functions are only a problem if a node calls one; note them so errors can say so.
    for (const auto& f : proto.functions()) m.opsets.emplace(f.domain(), 1);
  }
  ImportContext ctx{&m.opsets, external, model_name};
  m.graph = std::make_shared<Graph>();
  Status s = ImportGraph(proto.graph(), ctx, m.graph.get());
  if (!s.ok()) return s.WithContext("model '" + model_name + "'");
  if (m.graph->name.empty()) m.graph->name = model_name;
  return m;
}

StatusOr<Model> ImportOnnxModel(const std::string& bytes, const std::string& model_name,
                                const std::string& base_dir) {
  if (static_cast<int64_t>(bytes.size()) >= kMaxModelFileBytes) {
    return InvalidArgument("model '" + model_name + "' is larger than 2 GiB; store the weights " +
                           "as ONNX external data next to the model");
  }
  onnx::ModelProto proto;
  google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(static_cast<int>(kMaxModelFileBytes - 1));
  if (!proto.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return DataLoss("model '" + model_name + "': not a valid ONNX protobuf (file is truncated, " +
                    "corrupted or not an ONNX model)");
  }
  return ImportOnnxModel(proto, model_name, base_dir);
}

StatusOr<Model> LoadOnnxModel(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return NotFound("ONNX model file '" + path + "' does not exist or is not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open ONNX model '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return DataLoss("ONNX model '" + path + "' is empty");
  fs::path p(path);
  std::string name = p.stem().string();
  // Model repositories store <name>/<version>/model.onnx: name the model after its folder.
  if (name == "model" && p.has_parent_path()) {
    fs::path dir = p.parent_path();
    const std::string d = dir.filename().string();
    const bool numeric = !d.empty() && d.find_first_not_of("0123456789") == std::string::npos;
    name = (numeric && dir.has_parent_path()) ? dir.parent_path().filename().string() : d;
  }
  return ImportOnnxModel(bytes, name, p.parent_path().string());
}

}  // namespace trt::graph
