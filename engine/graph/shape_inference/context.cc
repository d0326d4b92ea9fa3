// InferContext accessors and the shape helpers shared by every op group (broadcasting,
// products, symbolic contents of small integer tensors).
#include <algorithm>

#include "engine/graph/shape_inference.h"

namespace trt::graph {

namespace {
bool IsIntegerDType(DType t) { return IsSignedInteger(t) || IsUnsignedInteger(t); }
}  // namespace

std::optional<std::vector<Dim>> SymIntsOf(const Value& v) {
  if (v.sym_value) return v.sym_value;
  if (!v.constant || !IsIntegerDType(v.constant->dtype())) return std::nullopt;
  const Tensor& t = *v.constant;
  if (t.NumElements() > kMaxSymValueElements) return std::nullopt;
  std::vector<Dim> out;
  for (int64_t i = 0; i < t.NumElements(); ++i) out.push_back(Dim(t.GetAsInt64(i)));
  return out;
}

const Value* InferContext::input(int i) const {
  if (i < 0 || i >= num_inputs()) return nullptr;
  return node_.inputs[i];
}

bool InferContext::has_output(int i) const {
  return i >= 0 && i < num_outputs() && node_.outputs[i] != nullptr;
}

DType InferContext::input_dtype(int i) const {
  const Value* v = input(i);
  return v ? v->dtype : DType::kUndefined;
}

std::optional<SymShape> InferContext::input_shape(int i) const {
  const Value* v = input(i);
  if (!v) return std::nullopt;
  return v->shape;
}

std::optional<std::vector<Dim>> InferContext::InputSymInts(int i) const {
  const Value* v = input(i);
  if (!v) return std::nullopt;
  return SymIntsOf(*v);
}

std::optional<std::vector<int64_t>> InferContext::InputInts(int i) const {
  auto dims = InputSymInts(i);
  if (!dims) return std::nullopt;
  std::vector<int64_t> out;
  for (const Dim& d : *dims) {
    if (!d.is_known()) return std::nullopt;
    out.push_back(d.value());
  }
  return out;
}

std::optional<std::vector<double>> InferContext::InputFloats(int i) const {
  const Value* v = input(i);
  if (!v || !v->constant || !IsSupportedDType(v->constant->dtype())) return std::nullopt;
  std::vector<double> out;
  for (int64_t k = 0; k < v->constant->NumElements(); ++k) {
    out.push_back(v->constant->GetAsDouble(k));
  }
  return out;
}

int64_t InferContext::AttrInt(std::string_view name, int64_t def) const {
  const Attribute* a = attr(name);
  return a && a->kind == Attribute::Kind::kInt ? a->i : def;
}

float InferContext::AttrFloat(std::string_view name, float def) const {
  const Attribute* a = attr(name);
  return a && a->kind == Attribute::Kind::kFloat ? a->f : def;
}

std::string InferContext::AttrString(std::string_view name, std::string def) const {
  const Attribute* a = attr(name);
  return a && a->kind == Attribute::Kind::kString ? a->s : def;
}

std::optional<std::vector<int64_t>> InferContext::AttrInts(std::string_view name) const {
  const Attribute* a = attr(name);
  if (!a || a->kind != Attribute::Kind::kInts) return std::nullopt;
  return a->ints;
}

void InferContext::SetOutput(int i, DType dtype, std::optional<SymShape> shape) {
  if (!has_output(i)) return;
  Value* v = node_.outputs[i];
  v->dtype = dtype;
  v->shape = std::move(shape);
}

void InferContext::SetOutputSymValue(int i, std::vector<Dim> v) {
  if (!has_output(i)) return;
  Value* out = node_.outputs[i];
  if (!IsIntegerDType(out->dtype) || !out->shape) return;
  const Dim n = DimProduct(*out->shape);
  if (!n.is_known() || n.value() != static_cast<int64_t>(v.size()) ||
      n.value() > kMaxSymValueElements) {
    return;
  }
  out->sym_value = std::move(v);
}

Status InferContext::Error(std::string_view msg) const {
  std::string s = node_.Describe() + ": " + std::string(msg) + "; inputs: ";
  for (size_t i = 0; i < node_.inputs.size(); ++i) {
    if (i) s += ", ";
    const Value* v = node_.inputs[i];
    s += v ? v->name + ": " + v->TypeString() : std::string("<absent>");
  }
  return InvalidArgument(std::move(s));
}

Status InferContext::NormalizeAxis(int64_t axis, int64_t rank, int64_t* out) const {
  if (axis < -rank || axis >= rank) {
    return Error("axis " + std::to_string(axis) + " is out of range for rank " +
                 std::to_string(rank));
  }
  *out = axis < 0 ? axis + rank : axis;
  return Status::Ok();
}

StatusOr<SymShape> BroadcastShapes(const SymShape& a, const SymShape& b) {
  const size_t rank = std::max(a.size(), b.size());
  SymShape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const bool has_a = i + a.size() >= rank, has_b = i + b.size() >= rank;
    const Dim da = has_a ? a[i + a.size() - rank] : Dim(1);
    const Dim db = has_b ? b[i + b.size() - rank] : Dim(1);
    if (da == db || (db.is_known() && db.value() == 1)) {
      out[i] = da;
    } else if (da.is_known() && da.value() == 1) {
      out[i] = db;
    } else if (da.is_known() && db.is_known()) {
      return InvalidArgument("cannot broadcast " + SymShapeToString(a) + " with " +
                             SymShapeToString(b) + " (dim " + da.ToString() + " vs " +
                             db.ToString() + ")");
    } else if (da.is_known()) {
      out[i] = da;
    } else if (db.is_known()) {
      out[i] = db;
    } else {
      out[i] = Dim::Unknown();
    }
  }
  return out;
}

Dim DimProduct(const SymShape& s, size_t begin, size_t end) {
  Dim p(1);
  for (size_t i = begin; i < end && i < s.size(); ++i) p = p * s[i];
  return p;
}

SymShape UnknownDims(int64_t rank) {
  SymShape s;
  for (int64_t i = 0; i < rank; ++i) s.push_back(Dim::Unknown());
  return s;
}

}  // namespace trt::graph
