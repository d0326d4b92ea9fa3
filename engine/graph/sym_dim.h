// Symbolic dimensions.
//
// A Dim is either a known non-negative integer or a symbolic expression over named
// dimensions (e.g. "batch", "seq") built with +, -, *, floor/ceil division, modulo, max and
// min. Expressions are immutable and shared; construction folds constants and applies
// simple identities (x+0, x*1, x*0, x/1), and orders operands of commutative operators, so
// that structurally equal results compare equal (e.g. seq*batch == batch*seq).
// An "unknown" dim (no name at all, as ONNX allows) is a fresh symbol "?N" from
// Dim::Unknown(); two unknowns never compare equal.
// Thread safety: Dims are immutable values; safe to share across threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace trt::graph {

struct DimExpr;  // defined in sym_dim.cc

class Dim {
 public:
  Dim() : Dim(int64_t{0}) {}
  Dim(int64_t v) : value_(v) {}  // NOLINT(google-explicit-constructor): known dim
  static Dim Symbol(const std::string& name);
  static Dim Unknown();  // a fresh anonymous symbol

  bool is_known() const { return expr_ == nullptr; }
  // Precondition: is_known().
  int64_t value() const { return value_; }
  // True if this is a bare named symbol (not an expression).
  bool is_symbol() const;
  // The symbol names this expression depends on.
  std::vector<std::string> Symbols() const;
  // True if the expression mentions an anonymous symbol from Unknown() ("?N").
  bool HasUnknown() const;
  // The operands of a product, flattened: (a*b)*c -> {a, b, c}; anything else -> {*this}.
  std::vector<Dim> Factors() const;

  // Evaluates with the given symbol values; nullopt if a symbol is unbound or a division
  // by zero occurs.
  std::optional<int64_t> Evaluate(const std::map<std::string, int64_t>& env) const;

  // "batch", "seq*2", "floor((h + -1) / 2) + 1", "224".
  std::string ToString() const;

  friend Dim operator+(const Dim& a, const Dim& b);
  friend Dim operator-(const Dim& a, const Dim& b);
  friend Dim operator*(const Dim& a, const Dim& b);
  friend Dim FloorDiv(const Dim& a, const Dim& b);
  friend Dim CeilDiv(const Dim& a, const Dim& b);
  friend Dim Mod(const Dim& a, const Dim& b);
  friend Dim Max(const Dim& a, const Dim& b);
  friend Dim Min(const Dim& a, const Dim& b);
  // Structural equality (after canonicalization). Known dims compare by value.
  friend bool operator==(const Dim& a, const Dim& b);
  friend bool operator!=(const Dim& a, const Dim& b) { return !(a == b); }

 private:
  friend struct DimExpr;
  explicit Dim(std::shared_ptr<const DimExpr> e) : expr_(std::move(e)) {}
  std::shared_ptr<const DimExpr> expr_;  // null => known, value_ holds it
  int64_t value_ = 0;
};

using SymShape = std::vector<Dim>;

// "[batch, seq, 768]"
std::string SymShapeToString(const SymShape& s);

}  // namespace trt::graph
