#include "engine/graph/sym_dim.h"

#include <algorithm>
#include <atomic>

namespace trt::graph {

// Expression node. Leaves are symbols; inner nodes are binary operators over Dims (which
// may themselves be known constants). `text` caches the canonical printed form, which is
// also the identity used for equality and operand ordering.
struct DimExpr {
  enum class Op { kSymbol, kAdd, kMul, kFloorDiv, kCeilDiv, kMod, kMax, kMin };
  Op op = Op::kSymbol;
  std::string symbol;  // kSymbol
  Dim lhs, rhs;        // binary ops
  std::string text;

  static Dim Make(Op op, Dim a, Dim b);
};

namespace {

const char* OpToken(DimExpr::Op op) {
  switch (op) {
    case DimExpr::Op::kAdd:
      return " + ";
    case DimExpr::Op::kMul:
      return "*";
    case DimExpr::Op::kFloorDiv:
      return "/";
    case DimExpr::Op::kCeilDiv:
      return "/";
    case DimExpr::Op::kMod:
      return " % ";
    default:
      return "";
  }
}

int64_t FloorDivI(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::optional<int64_t> Apply(DimExpr::Op op, int64_t a, int64_t b) {
  switch (op) {
    case DimExpr::Op::kAdd:
      return a + b;
    case DimExpr::Op::kMul:
      return a * b;
    case DimExpr::Op::kFloorDiv:
      if (b == 0) return std::nullopt;
      return FloorDivI(a, b);
    case DimExpr::Op::kCeilDiv:
      if (b == 0) return std::nullopt;
      return -FloorDivI(-a, b);
    case DimExpr::Op::kMod:
      if (b == 0) return std::nullopt;
      return a - FloorDivI(a, b) * b;
    case DimExpr::Op::kMax:
      return std::max(a, b);
    case DimExpr::Op::kMin:
      return std::min(a, b);
    default:
      return std::nullopt;
  }
}

bool IsCommutative(DimExpr::Op op) {
  return op == DimExpr::Op::kAdd || op == DimExpr::Op::kMul || op == DimExpr::Op::kMax ||
         op == DimExpr::Op::kMin;
}

bool IsConst(const Dim& d, int64_t v) { return d.is_known() && d.value() == v; }

}  // namespace

Dim DimExpr::Make(Op op, Dim a, Dim b) {
  if (a.is_known() && b.is_known()) {
    auto r = Apply(op, a.value(), b.value());
    if (r) return Dim(*r);
  }
  switch (op) {
    case Op::kAdd:
      if (IsConst(a, 0)) return b;
      if (IsConst(b, 0)) return a;
      break;
    case Op::kMul:
      if (IsConst(a, 1)) return b;
      if (IsConst(b, 1)) return a;
      if (IsConst(a, 0) || IsConst(b, 0)) return Dim(int64_t{0});
      break;
    case Op::kFloorDiv:
    case Op::kCeilDiv:
      if (IsConst(b, 1)) return a;
      if (a == b && !IsConst(b, 0)) return Dim(int64_t{1});
      break;
    case Op::kMax:
    case Op::kMin:
      if (a == b) return a;
      break;
    default:
      break;
  }
  if (IsCommutative(op)) {
    // Constants last, otherwise order by printed form, so x*2 == 2*x.
    const bool swap = (a.is_known() && !b.is_known()) ||
                      (a.is_known() == b.is_known() && b.ToString() < a.ToString());
    if (swap) std::swap(a, b);
  }
  auto e = std::make_shared<DimExpr>();
  e->op = op;
  e->lhs = a;
  e->rhs = b;
  auto wrap = [](const Dim& d) {
    if (d.is_known() || d.is_symbol()) return d.ToString();
    return "(" + d.ToString() + ")";
  };
  switch (op) {
    case Op::kFloorDiv:
      e->text = "floor(" + wrap(a) + " / " + wrap(b) + ")";
      break;
    case Op::kCeilDiv:
      e->text = "ceil(" + wrap(a) + " / " + wrap(b) + ")";
      break;
    case Op::kMax:
      e->text = "max(" + a.ToString() + ", " + b.ToString() + ")";
      break;
    case Op::kMin:
      e->text = "min(" + a.ToString() + ", " + b.ToString() + ")";
      break;
    case Op::kAdd:
      e->text = a.ToString() + OpToken(op) + b.ToString();
      break;
    default:
      e->text = wrap(a) + OpToken(op) + wrap(b);
      break;
  }
  return Dim(std::shared_ptr<const DimExpr>(std::move(e)));
}

Dim Dim::Symbol(const std::string& name) {
  auto e = std::make_shared<DimExpr>();
  e->op = DimExpr::Op::kSymbol;
  e->symbol = name;
  e->text = name;
  return Dim(std::shared_ptr<const DimExpr>(std::move(e)));
}

Dim Dim::Unknown() {
  static std::atomic<int64_t> counter{0};
  return Symbol("?" + std::to_string(counter.fetch_add(1)));
}

bool Dim::is_symbol() const { return expr_ != nullptr && expr_->op == DimExpr::Op::kSymbol; }

std::vector<std::string> Dim::Symbols() const {
  std::vector<std::string> out;
  if (!expr_) return out;
  if (expr_->op == DimExpr::Op::kSymbol) return {expr_->symbol};
  for (const Dim* d : {&expr_->lhs, &expr_->rhs}) {
    for (auto& s : d->Symbols()) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  return out;
}

bool Dim::HasUnknown() const {  // recursive, allocation-free: used per request
  if (!expr_) return false;
  if (expr_->op == DimExpr::Op::kSymbol) return !expr_->symbol.empty() && expr_->symbol[0] == '?';
  return expr_->lhs.HasUnknown() || expr_->rhs.HasUnknown();
}

std::vector<Dim> Dim::Factors() const {
  if (!expr_ || expr_->op != DimExpr::Op::kMul) return {*this};
  std::vector<Dim> out = expr_->lhs.Factors();
  for (auto& f : expr_->rhs.Factors()) out.push_back(f);
  return out;
}

std::optional<int64_t> Dim::Evaluate(const std::map<std::string, int64_t>& env) const {
  if (!expr_) return value_;
  if (expr_->op == DimExpr::Op::kSymbol) {
    auto it = env.find(expr_->symbol);
    if (it == env.end()) return std::nullopt;
    return it->second;
  }
  auto a = expr_->lhs.Evaluate(env);
  auto b = expr_->rhs.Evaluate(env);
  if (!a || !b) return std::nullopt;
  return Apply(expr_->op, *a, *b);
}

std::string Dim::ToString() const { return expr_ ? expr_->text : std::to_string(value_); }

Dim operator+(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kAdd, a, b); }
Dim operator-(const Dim& a, const Dim& b) {
  if (a == b) return Dim(int64_t{0});
  return DimExpr::Make(DimExpr::Op::kAdd, a, DimExpr::Make(DimExpr::Op::kMul, b, Dim(-1)));
}
Dim operator*(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kMul, a, b); }
Dim FloorDiv(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kFloorDiv, a, b); }
Dim CeilDiv(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kCeilDiv, a, b); }
Dim Mod(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kMod, a, b); }
Dim Max(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kMax, a, b); }
Dim Min(const Dim& a, const Dim& b) { return DimExpr::Make(DimExpr::Op::kMin, a, b); }

bool operator==(const Dim& a, const Dim& b) {
  if (a.is_known() != b.is_known()) return false;
  if (a.is_known()) return a.value() == b.value();
  return a.expr_ == b.expr_ || a.expr_->text == b.expr_->text;
}

std::string SymShapeToString(const SymShape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += s[i].ToString();
  }
  return out + "]";
}

}  // namespace trt::graph
