// graph::Model -> onnx::ModelProto. See onnx_export.h.
#include "engine/graph/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <set>
#include <unordered_set>

namespace trt::graph {
namespace {

struct ExportContext {
  const WeightSink* sink;
  std::set<std::string> used_names;
  int next_name = 0;
};

std::string NameOf(Value* v, ExportContext& ctx) {
  if (v->name.empty()) {
    do {
      v->name = "_trt_value_" + std::to_string(ctx.next_name++);
    } while (ctx.used_names.count(v->name));
    ctx.used_names.insert(v->name);
  }
  return v->name;
}

Status WriteTensor(const Tensor& t, const std::string& name, ExportContext& ctx,
                   onnx::TensorProto* p) {
  if (!IsSupportedDType(t.dtype())) {
    return Unimplemented("cannot export tensor '" + name + "' of dtype " +
                         std::string(DTypeName(t.dtype())));
  }
  p->set_name(name);
  p->set_data_type(static_cast<int>(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  if (ctx.sink && static_cast<int64_t>(t.nbytes()) >= ctx.sink->min_external_bytes) {
    const int64_t offset = ctx.sink->store(t);
    p->set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const char* k, const std::string& v) {
      auto* e = p->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    add("location", ctx.sink->location);
    add("offset", std::to_string(offset));
    add("length", std::to_string(t.nbytes()));
    return Status::Ok();
  }
  p->set_raw_data(std::string(static_cast<const char*>(t.raw_data()), t.nbytes()));
  return Status::Ok();
}

void WriteType(const Value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name);
  if (v.dtype == DType::kUndefined) return;
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(static_cast<int>(v.dtype));
  if (!v.shape) return;
  auto* shape = tt->mutable_shape();
  for (const Dim& d : *v.shape) {
    auto* dim = shape->add_dim();
    if (d.is_known()) {
      dim->set_dim_value(d.value());
    } else if (d.is_symbol() && !d.HasUnknown()) {
      dim->set_dim_param(d.ToString());
    }
  }
}

Status WriteGraph(const Graph& g, ExportContext& ctx, onnx::GraphProto* gp);

Status WriteAttribute(const std::string& name, const Attribute& a, ExportContext& ctx,
                      onnx::AttributeProto* ap) {
  using AP = onnx::AttributeProto;
  ap->set_name(name);
  switch (a.kind) {
    case Attribute::Kind::kFloat:
      ap->set_type(AP::FLOAT);
      ap->set_f(a.f);
      break;
    case Attribute::Kind::kInt:
      ap->set_type(AP::INT);
      ap->set_i(a.i);
      break;
    case Attribute::Kind::kString:
      ap->set_type(AP::STRING);
      ap->set_s(a.s);
      break;
    case Attribute::Kind::kFloats:
      ap->set_type(AP::FLOATS);
      for (float f : a.floats) ap->add_floats(f);
      break;
    case Attribute::Kind::kInts:
      ap->set_type(AP::INTS);
      for (int64_t i : a.ints) ap->add_ints(i);
      break;
    case Attribute::Kind::kStrings:
      ap->set_type(AP::STRINGS);
      for (const auto& s : a.strings) ap->add_strings(s);
      break;
    case Attribute::Kind::kTensor: {
      ap->set_type(AP::TENSOR);
      ExportContext inline_ctx{nullptr, {}, 0};  // attribute tensors stay inline
      TRT_RETURN_IF_ERROR(WriteTensor(a.t, name, inline_ctx, ap->mutable_t()));
      break;
    }
    case Attribute::Kind::kTensors:
      ap->set_type(AP::TENSORS);
      for (const auto& t : a.tensors) {
        ExportContext inline_ctx{nullptr, {}, 0};
        TRT_RETURN_IF_ERROR(WriteTensor(t, name, inline_ctx, ap->add_tensors()));
      }
      break;
    case Attribute::Kind::kGraph:
      ap->set_type(AP::GRAPH);
      TRT_RETURN_IF_ERROR(WriteGraph(*a.g, ctx, ap->mutable_g()));
      break;
    case Attribute::Kind::kGraphs:
      ap->set_type(AP::GRAPHS);
      for (const auto& g : a.graphs) TRT_RETURN_IF_ERROR(WriteGraph(*g, ctx, ap->add_graphs()));
      break;
  }
  return Status::Ok();
}

Status WriteGraph(const Graph& g, ExportContext& ctx, onnx::GraphProto* gp) {
  gp->set_name(g.name);
  for (const auto& v : g.values()) {
    if (!v->name.empty()) ctx.used_names.insert(v->name);
  }
  // Constants read only by subgraphs (an initializer or Constant captured by an If branch
  // or a Loop body, at any depth) have no uses here but must be written all the same.
  std::unordered_set<const Value*> captured;
  for (const Node* n : g.nodes()) {
    for (const Value* v : ImplicitInputs(*n)) captured.insert(v);
  }
  for (const auto& v : g.values()) {
    if (v->constant && (v->producer == nullptr) &&
        (!v->uses.empty() || v->is_graph_output || captured.count(v.get()))) {
      TRT_RETURN_IF_ERROR(
          WriteTensor(*v->constant, NameOf(v.get(), ctx), ctx, gp->add_initializer()));
    }
  }
  for (Value* v : g.inputs()) WriteType(*v, gp->add_input());
  for (const Node* n : g.nodes()) {
    auto* np = gp->add_node();
    np->set_op_type(n->op_type);
    np->set_domain(n->domain);
    np->set_name(n->name);
    for (Value* in : n->inputs) np->add_input(in ? NameOf(in, ctx) : "");
    for (Value* out : n->outputs) np->add_output(out ? NameOf(out, ctx) : "");
    for (const auto& [name, a] : n->attrs) {
      TRT_RETURN_IF_ERROR(WriteAttribute(name, a, ctx, np->add_attribute()));
    }
  }
  for (Value* v : g.outputs()) WriteType(*v, gp->add_output());
  for (const auto& v : g.values()) {  // keep inferred intermediate types (advisory)
    if (v->producer && !v->is_graph_output && !v->name.empty() && v->dtype != DType::kUndefined) {
      WriteType(*v, gp->add_value_info());
    }
  }
  return Status::Ok();
}

}  // namespace

Status ExportOnnxModel(const Model& model, onnx::ModelProto* out, const WeightSink* sink) {
  out->Clear();
  out->set_ir_version(model.ir_version > 0 ? model.ir_version : 8);
  out->set_producer_name("trtserve");
  out->set_producer_version("0.1.0");
  std::map<std::string, int> opsets = model.opsets;
  // Make sure every domain used by a node has an opset import.
  std::function<void(const Graph&)> collect = [&](const Graph& g) {
    for (const Node* n : g.nodes()) {
      if (!opsets.count(n->domain)) opsets[n->domain] = n->opset > 0 ? n->opset : 1;
      for (const auto& [name, a] : n->attrs) {
        if (a.g) collect(*a.g);
        for (const auto& sg : a.graphs) collect(*sg);
      }
    }
  };
  collect(*model.graph);
  for (const auto& [domain, version] : opsets) {
    auto* op = out->add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  ExportContext ctx{sink, {}, 0};
  return WriteGraph(*model.graph, ctx, out->mutable_graph());
}

}  // namespace trt::graph
